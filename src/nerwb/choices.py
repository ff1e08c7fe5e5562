"""Names a user chooses from, shared by every layer: the splits, where the local Doccano keeps
its data, what a bad input record does.

Plain values and enums that import nothing, so that a command can name them in its options and
still show its ``--help`` without loading pydantic or the workspace model (nerwb.workspace uses
them in nerwb.toml's settings).
"""

from __future__ import annotations

from enum import StrEnum

SPLIT_NAMES = ("train", "dev", "test")


class DoccanoDatabase(StrEnum):
    """Where the local Doccano server keeps its data."""

    SQLITE = "sqlite"  # one file; fine for a few annotators
    POSTGRES = "postgres"  # the workspace's own PostgreSQL cluster, for a team
    EXTERNAL = "external"  # an existing PostgreSQL server named by DOCCANO_DATABASE_URL


class OnError(StrEnum):
    """What a bad input record does (``corpus add``, ``predict``): stop the run, or be counted,
    listed and left out."""

    FAIL = "fail"
    SKIP = "skip"
