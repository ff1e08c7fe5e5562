"""``.nerwb/`` state about a Doccano project: the push ledger, the assignment plan and the
passwords of the annotator accounts nerwb created."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from nerwb.records._base import Record

SECRET_MODE = 0o600


def project_key(url: str, project_id: int) -> str:
    """How the ledgers name one project of one server."""
    return f"{url}|project:{project_id}"


class PushSelection(BaseModel):
    """Why a segment was pushed: ``push --select``'s strategy ranked it (``nerwb select``'s)."""

    model_config = ConfigDict(extra="forbid")

    strategy: str
    model: str | None = None
    rank: int
    score: float


class PushedProject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment_length: int | None = None  # None: pushed before the length was recorded
    segments: dict[str, str] = Field(default_factory=dict)  # segment id -> hash of its text
    selection: dict[str, PushSelection] = Field(default_factory=dict)  # segment id -> why

    @model_serializer(mode="wrap")
    def _no_empty_selection(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # written only by push --select, as before records: other ledgers keep their bytes
        data = handler(self)
        if not data.get("selection"):
            data.pop("selection", None)
        return data


class PushLedgerFile(Record):
    """Which segments each Doccano project holds, and the ``segment_length`` they were cut at.

    Format 1 was ``{key: {"segment_length": N, "segments": {...}}}``, or at first
    ``{key: {segment id: hash}}`` (a length not recorded).
    """

    FORMAT = 2
    WHAT = "push ledger"

    projects: dict[str, PushedProject] = Field(default_factory=dict)

    @classmethod
    def upgrade(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        return {
            "projects": {
                key: value
                if isinstance(value, dict) and "segments" in value
                else {"segment_length": None, "segments": value}
                for key, value in data.items()
            }
        }


class PushLedger:
    """The push ledger file in memory, kept by ``push`` and ``review`` as they upload."""

    def __init__(self, path: Path):
        self.path = path
        self.record = PushLedgerFile.load_or_new(path)

    @property
    def data(self) -> dict[str, PushedProject]:
        return self.record.projects

    @staticmethod
    def key(url: str, project_id: int) -> str:
        return project_key(url, project_id)

    def entry(self, url: str, project_id: int) -> PushedProject:
        return self.data.setdefault(project_key(url, project_id), PushedProject())

    def segments(self, url: str, project_id: int) -> dict[str, str]:
        return self.entry(url, project_id).segments

    def pushed(self) -> set[str]:
        """Every segment id in any project."""
        return {sid for entry in self.data.values() for sid in entry.segments}

    def save(self) -> None:
        self.record.save(self.path)


class AssignmentPlan(Record):
    """Who labels which segment. Format 1 was the bare ``{segment id: [annotators]}``."""

    FORMAT = 2
    WHAT = "assignment plan"

    segments: dict[str, list[str]] = Field(default_factory=dict)

    @classmethod
    def upgrade(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        return {"segments": data}


class _Login(Protocol):
    def login(self, username: str, password: str) -> Any: ...


class AnnotatorPasswords(Record):
    """Passwords of the annotator accounts nerwb created; only ever written 0600.

    Format 1 was the bare ``{username: password}``.
    """

    FORMAT = 2
    MODE = SECRET_MODE
    WHAT = "annotator passwords"

    passwords: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def upgrade(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        return {"passwords": data}

    def get(self, name: str) -> str | None:
        return self.passwords.get(name)

    def login(self, client: _Login, name: str) -> None:
        """Log ``client`` (a Doccano client) in as ``name``.

        Raises:
            KeyError: nerwb holds no password for ``name``.
        """
        client.login(name, self.passwords[name])

    def __repr__(self) -> str:  # never a password in a log or a traceback
        return f"AnnotatorPasswords(names={sorted(self.passwords)})"

    __str__ = __repr__
