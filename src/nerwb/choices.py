"""Names a user chooses from, shared by every layer: the splits, where the local Doccano keeps
its data, which known names to pre-annotate, what a bad input record does, what conversion does
with a span off token boundaries or overlapping another (here, below the records, so that the
conversion report and the training manifest store them as enums).

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


class NameSource(StrEnum):
    """Which known names ``--propagate`` pre-annotates wherever they recur in a batch."""

    GOLD = "gold"  # every name the team has confirmed: the training split's gold names
    LIST = "list"  # the names list, labels/names.csv
    BOTH = "both"


class OnError(StrEnum):
    """What a bad input record does (``corpus add``, ``predict``): stop the run, or be counted,
    listed and left out."""

    FAIL = "fail"
    SKIP = "skip"


class MisalignedPolicy(StrEnum):
    """What conversion does with a span not on token boundaries (nerwb.labels.policies)."""

    ERROR = "error"
    EXPAND = "expand"  # spaCy's alignment_mode="expand": the smallest token span covering it
    CONTRACT = "contract"  # the largest token span inside it
    SKIP = "skip"


class OverlapPolicy(StrEnum):
    """What conversion does with spans that overlap (nerwb.labels.policies)."""

    ERROR = "error"
    LONGEST = "longest"  # spacy.util.filter_spans: the longest wins, then the first
    SKIP = "skip"
