"""An evaluation's figures, ``evaluate/<run>/metrics.json`` (``nerwb evaluate``), read back by
``nerwb compare`` (and by anyone's scripts).

The layout of the file, typed; ``nerwb.evaluate.metrics.EvalMetrics`` is the in-memory view the
evaluate stage computes with, and goes to and from this record. Keys are in the order the file
has always had (``ASCII``: as ``json.dumps`` wrote it), so files from before records load.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from nerwb.choices import MisalignedPolicy, OverlapPolicy
from nerwb.records._base import Record
from nerwb.records.conversion import ChangedSpan
from nerwb.records.lines import RecordLine


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Prf(_Part):
    p: float
    r: float
    f: float


class LabelFigures(_Part):
    """One label: strict P/R/F, support, the SemEval schemas, the interval of its strict F."""

    p: float
    r: float
    f: float
    support: int
    predicted: int
    exact: Prf
    partial: Prf
    type: Prf
    f_ci95: tuple[float, float]


class Bootstrap(_Part):
    resamples: int
    seed: int
    unit: str = "document"


class ConversionDone(_Part):
    """What converting the evaluation data changed or dropped (nothing for a .spacy file)."""

    on_misaligned: MisalignedPolicy
    on_overlap: OverlapPolicy
    spans_in: int
    changed: int
    skipped: int
    events: list[ChangedSpan] = Field(default_factory=list)


class TrainedHow(_Part):
    """How the model was trained, from its run's manifest."""

    manifest: str
    config_file: str | None
    config_sha256: str | None
    steps: int | None
    seed: int | None
    train_docs: int | None
    dev_docs: int | None
    best_dev_f: float | None
    finished: str | None


class NoveltyFigures(_Part):
    gold: int
    found: int
    recall: float | None
    predicted: int
    correct: int
    precision: float | None
    recall_ci95: tuple[float, float] | None = None


class GroupFigures(_Part):
    pooled: NoveltyFigures
    per_label: dict[str, NoveltyFigures] = Field(default_factory=dict)


class SeenUnseen(_Part):
    train_data: str
    train_names: int
    train_names_sha256: str | None = None
    seen: GroupFigures
    unseen: GroupFigures


class MetricsFile(Record):
    ASCII = True
    WHAT = "evaluation metrics"

    model: str
    data: str
    data_sha256: str
    n_docs: int
    n_gold: int
    n_pred: int
    micro: dict[str, Prf]  # strict, exact, partial, type
    micro_f_ci95: tuple[float, float]
    per_label: dict[str, LabelFigures]
    words_per_second: float
    unseen_labels: list[str]
    bootstrap: Bootstrap
    errors_by_kind: dict[str, int]
    conversion: ConversionDone
    training: TrainedHow | None
    created: str
    # absent from files written before the seen/unseen split, and where there is nothing to say
    seen_unseen: SeenUnseen | None = None
    seen_unseen_note: str | None = None

    @model_serializer(mode="wrap")
    def _only_what_there_is(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in ("seen_unseen", "seen_unseen_note"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class SemEvalTally(_Part):
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0


class DocTally(_Part):
    """One document's counts: strict per label, and the SemEval schemas overall."""

    tp: dict[str, int] = Field(default_factory=dict)
    n_pred: dict[str, int] = Field(default_factory=dict)
    n_gold: dict[str, int] = Field(default_factory=dict)
    semeval: dict[str, SemEvalTally] = Field(default_factory=dict)


class DocCountsLine(RecordLine):
    """A line of ``evaluate/<run>/per_doc.jsonl``: one document's counts (and, with the
    seen/unseen split, its counts per group), what ``nerwb compare`` resamples."""

    WHAT = "per-document counts"
    OMIT_WHEN_NONE = ("seen", "unseen")

    doc: str  # the document's id
    tp: dict[str, int] = Field(default_factory=dict)
    n_pred: dict[str, int] = Field(default_factory=dict)
    n_gold: dict[str, int] = Field(default_factory=dict)
    semeval: dict[str, SemEvalTally] = Field(default_factory=dict)
    seen: DocTally | None = None
    unseen: DocTally | None = None
