"""The typed contents of ``metrics.json``: what ``nerwb evaluate`` measured, and the rows of
``nerwb compare``.

``to_json`` writes the keys in the order ``metrics.json`` has always had and ``from_json`` reads
them back, so files written before these types existed still load and new ones are byte-for-byte
what the old dictionaries gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from nerwb.choices import MisalignedPolicy, OverlapPolicy
from nerwb.evaluate.novelty import NoveltySplit
from nerwb.evaluate.scoring import SEMEVAL_SCHEMAS, LabelScores
from nerwb.scores import PRF

# One rule for the CLI table and the reports: a label with no gold span in the data has no
# recall, F or interval (not F 0.000 in [0.000, 0.000]).
NO_SUPPORT = "—"
# Under about this many documents a bootstrap over documents has little to resample.
FEW_DOCS = 10


def few_docs_note(n_docs: int) -> str | None:
    """The caveat to print beside intervals from a handful of documents, or None."""
    if n_docs >= FEW_DOCS:
        return None
    return (
        f"only {n_docs} document(s): the 95 % intervals resample the documents, so with fewer "
        f"than {FEW_DOCS} they mean little; evaluate on more documents"
    )


def _interval(pair: Any) -> tuple[float, float]:
    lo, hi = pair
    return float(lo), float(hi)


def _prf(data: dict[str, float]) -> PRF:
    return PRF(data["p"], data["r"], data["f"])


@dataclass
class LabelMetrics(LabelScores):
    """One label's scores (strict P/R/F, support, the SemEval schemas) with the bootstrap
    interval of its strict F."""

    f_ci95: tuple[float, float]

    @classmethod
    def from_scores(cls, s: LabelScores, ci: tuple[float, float]) -> LabelMetrics:
        """One label's ``scoring.score`` result with its strict-F interval."""
        return cls(**{f.name: getattr(s, f.name) for f in fields(s)}, f_ci95=_interval(ci))

    def to_json(self) -> dict[str, Any]:
        return {
            "p": self.p,
            "r": self.r,
            "f": self.f,
            "support": self.support,
            "predicted": self.predicted,
            "exact": self.exact.to_json(),
            "partial": self.partial.to_json(),
            "type": self.type.to_json(),
            "f_ci95": list(self.f_ci95),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabelMetrics:
        return cls(
            data["p"],
            data["r"],
            data["f"],
            data["support"],
            data["predicted"],
            *(_prf(data[schema]) for schema in SEMEVAL_SCHEMAS),
            f_ci95=_interval(data["f_ci95"]),
        )


@dataclass
class BootstrapFacts:
    resamples: int
    seed: int
    unit: str = "document"

    def to_json(self) -> dict[str, Any]:
        return {"resamples": self.resamples, "seed": self.seed, "unit": self.unit}


@dataclass
class ConversionSummary:
    """What converting the gold data changed or dropped (nothing for a .spacy file)."""

    on_misaligned: MisalignedPolicy
    on_overlap: OverlapPolicy
    spans_in: int
    changed: int
    skipped: int
    events: list[dict[str, Any]] = field(default_factory=list)  # ConversionEvent.to_json()

    def to_json(self) -> dict[str, Any]:
        return {
            "on_misaligned": self.on_misaligned.value,
            "on_overlap": self.on_overlap.value,
            "spans_in": self.spans_in,
            "changed": self.changed,
            "skipped": self.skipped,
            "events": self.events,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversionSummary:
        """From metrics.json's ``conversion``: the policies back as enums."""
        return cls(
            **{
                **data,
                "on_misaligned": MisalignedPolicy(data["on_misaligned"]),
                "on_overlap": OverlapPolicy(data["on_overlap"]),
            }
        )


@dataclass
class TrainingFacts:
    """How the model was trained, from the run's ``manifest.json`` (``nerwb train``)."""

    manifest: str
    config_file: str | None
    config_sha256: str | None
    steps: int | None
    seed: int | None
    train_docs: int | None
    dev_docs: int | None
    best_dev_f: float | None
    finished: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest,
            "config_file": self.config_file,
            "config_sha256": self.config_sha256,
            "steps": self.steps,
            "seed": self.seed,
            "train_docs": self.train_docs,
            "dev_docs": self.dev_docs,
            "best_dev_f": self.best_dev_f,
            "finished": self.finished,
        }


@dataclass
class EvalMetrics:
    """Everything ``metrics.json`` holds."""

    model: str
    data: str
    data_sha256: str
    n_docs: int
    n_gold: int
    n_pred: int
    micro: dict[str, PRF]  # strict, exact, partial, type
    micro_f_ci95: tuple[float, float]  # of strict F
    per_label: dict[str, LabelMetrics]
    words_per_second: float
    unseen_labels: list[str]
    bootstrap: BootstrapFacts
    errors_by_kind: dict[str, int]
    conversion: ConversionSummary
    training: TrainingFacts | None
    created: str
    # recall (and precision) on gold names seen / not seen in the model's training data;
    # None, with a note saying why, when the training data is unknown (files before it: absent)
    seen_unseen: NoveltySplit | None = None
    seen_unseen_note: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "model": self.model,
            "data": self.data,
            "data_sha256": self.data_sha256,
            "n_docs": self.n_docs,
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
            "micro": {k: v.to_json() for k, v in self.micro.items()},
            "micro_f_ci95": list(self.micro_f_ci95),
            "per_label": {k: v.to_json() for k, v in self.per_label.items()},
            "words_per_second": self.words_per_second,
            "unseen_labels": self.unseen_labels,
            "bootstrap": self.bootstrap.to_json(),
            "errors_by_kind": self.errors_by_kind,
            "conversion": self.conversion.to_json(),
            "training": None if self.training is None else self.training.to_json(),
            "created": self.created,
        }
        # new keys only where there is something to say, so older files read back unchanged
        if self.seen_unseen is not None:
            data["seen_unseen"] = self.seen_unseen.to_json()
        if self.seen_unseen_note is not None:
            data["seen_unseen_note"] = self.seen_unseen_note
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EvalMetrics:
        training = data.get("training")
        split = data.get("seen_unseen")
        return cls(
            model=data["model"],
            data=data["data"],
            data_sha256=data["data_sha256"],
            n_docs=data["n_docs"],
            n_gold=data["n_gold"],
            n_pred=data["n_pred"],
            micro={k: _prf(v) for k, v in data["micro"].items()},
            micro_f_ci95=_interval(data["micro_f_ci95"]),
            per_label={k: LabelMetrics.from_json(v) for k, v in data["per_label"].items()},
            words_per_second=data["words_per_second"],
            unseen_labels=list(data["unseen_labels"]),
            bootstrap=BootstrapFacts(**data["bootstrap"]),
            errors_by_kind=dict(data["errors_by_kind"]),
            conversion=ConversionSummary.from_json(data["conversion"]),
            training=None if training is None else TrainingFacts(**training),
            created=data["created"],
            seen_unseen=None if split is None else NoveltySplit.from_json(split),
            seen_unseen_note=data.get("seen_unseen_note"),
        )


@dataclass
class ComparisonRow:
    """One line of ``nerwb compare``: F of A and B, the paired difference and its interval."""

    f_a: float
    f_b: float
    diff: float
    ci95: tuple[float, float]
    p_a_beats_b: float  # share of resamples where A's F is higher

    def to_json(self) -> dict[str, Any]:
        return {
            "f_a": self.f_a,
            "f_b": self.f_b,
            "diff": self.diff,
            "ci95": list(self.ci95),
            "p_a_beats_b": self.p_a_beats_b,
        }


@dataclass
class RecallComparisonRow:
    """One line of ``nerwb compare``'s seen/unseen table: recall of A and B on one group of gold
    names, the paired difference and its interval (None where a side has no gold entity), and
    each side's precision on predicted spans of the group (None without predictions)."""

    gold_a: int
    gold_b: int
    recall_a: float | None
    recall_b: float | None
    diff: float | None
    ci95: tuple[float, float] | None
    p_a_beats_b: float | None
    precision_a: float | None
    precision_b: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "gold_a": self.gold_a,
            "gold_b": self.gold_b,
            "recall_a": self.recall_a,
            "recall_b": self.recall_b,
            "diff": self.diff,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "p_a_beats_b": self.p_a_beats_b,
            "precision_a": self.precision_a,
            "precision_b": self.precision_b,
        }
