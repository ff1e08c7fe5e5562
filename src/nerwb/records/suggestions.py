"""The suggestion ledger, ``.nerwb/suggestions.json``: which spans were offered to whom on
which segment, by which model (``nerwb doccano suggest``; read by ``nerwb labels suggestions``)."""

from __future__ import annotations

import threading
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record


class SuggestionState(StrEnum):
    PLANNED = "planned"  # recorded before the first span is created: a rerun resumes it
    DONE = "done"


class SpanOrigin(StrEnum):
    """What proposed one suggested span, so that ``labels suggestions`` can say which lever's
    offers were kept: a model, or a name known before the batch (the entity ruler's pattern id
    tells them apart)."""

    MODEL = "model"
    CONFIRMED_NAMES = "confirmed-names"  # a gold name the team confirmed (labels patterns' lines)
    NAMES_LIST = "names-list"  # labels/names.csv
    PATTERNS = "patterns"  # the user's own entity-ruler patterns


class Suggestion(BaseModel):
    """What one annotator was offered on one segment; spans in segment offsets."""

    model_config = ConfigDict(extra="forbid")

    state: SuggestionState
    source: str
    source_hash: str
    example_id: int
    segment_start: int = 0
    article_id: str | None = None
    spans: list[tuple[int, int, str]] = Field(default_factory=list)
    at: str | None = None
    # every source whose spans are in ``spans`` (a second one adds what the first did not
    # propose); empty in records made before: then ``source`` alone
    sources: list[str] = Field(default_factory=list)
    # what proposed each span of ``spans`` (the same order); empty in records made before
    origins: list[SpanOrigin] = Field(default_factory=list)

    def span_origins(self) -> list[SpanOrigin | None]:
        """Each span's origin; None where the record does not say (made before origins)."""
        if len(self.origins) == len(self.spans):
            return list(self.origins)
        return [None] * len(self.spans)


# project key -> segment id -> annotator -> suggestion
Offered = dict[str, dict[str, Suggestion]]


class SuggestionLedgerFile(Record):
    """Format 1 was the bare ``{project key: {segment id: {annotator: suggestion}}}``; format 3
    added each suggestion's ``origins`` (a format 2 file reads as it is)."""

    FORMAT = 3
    WHAT = "suggestion ledger"

    projects: dict[str, Offered] = Field(default_factory=dict)

    @classmethod
    def upgrade(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        return {"projects": data} if version == 1 else data


class SuggestionLedger:
    """The ledger file in memory, shared by worker threads that record and save through
    ``lock``."""

    def __init__(self, path: Path):
        self.path = path
        self.record = SuggestionLedgerFile.load_or_new(path)
        self.lock = threading.RLock()

    @property
    def data(self) -> dict[str, Offered]:
        return self.record.projects

    def project(self, key: str) -> Offered:
        return self.data.setdefault(key, {})

    def save(self) -> None:
        with self.lock:
            self.record.save(self.path)
