"""The pull manifest: ``labels/pulls/<time>/manifest.json``, written by ``nerwb doccano pull``.

Its presence is what makes a folder a snapshot; the labels stage reads which server and
project the snapshot came from (to find the suggestions made there).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record
from nerwb.records.doccano import project_key

MANIFEST_NAME = "manifest.json"


def manifest_path(snapshot: Path) -> Path:
    return Path(snapshot) / MANIFEST_NAME


def is_snapshot(folder: Path) -> bool:
    """A pull folder that was finished (an unfinished one has no manifest)."""
    return manifest_path(folder).exists()


class AnnotatorCounts(BaseModel):
    """One annotator in a snapshot; ``segments`` are Doccano examples, ``articles`` corpus
    articles. (The first pulls recorded only articles, spans, confirmed and unknown labels.)"""

    model_config = ConfigDict(extra="forbid")

    segments: int = 0  # segments recorded: assigned to them, labelled or confirmed by them
    assigned: int = 0
    confirmed: int = 0
    spans: int = 0
    articles: int = 0  # articles with at least one of those segments
    articles_confirmed: int = 0  # articles all of whose recorded segments they confirmed
    unknown_labels: dict[str, int] = Field(default_factory=dict)


class PulledReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: str
    project_id: int
    adjudicators: dict[str, AnnotatorCounts] = Field(default_factory=dict)


class PullManifest(Record):
    ASCII = True  # as ``json.dumps`` wrote it before records
    WHAT = "pull manifest"

    project: str
    project_id: int
    server: str
    pulled_at: str
    confirmed_only: bool = False
    unit: str = "segment"
    segment_length: int | None = None
    export_attempts: int = 1
    edited_during_pull: int = 0
    annotators: dict[str, AnnotatorCounts] = Field(default_factory=dict)
    foreign_examples: int = 0
    duplicate_segments: dict[str, list[int]] = Field(default_factory=dict)  # segment -> examples
    files: dict[str, str] = Field(default_factory=dict)  # file in the snapshot -> sha256
    previous: str | None = None
    review: PulledReview | None = None

    @property
    def project_key(self) -> str:
        """The key of the project this snapshot came from, in the push and suggestion ledgers."""
        return project_key(self.server, self.project_id)
