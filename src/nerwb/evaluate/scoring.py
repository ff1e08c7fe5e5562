"""LabeledSpan scoring: spaCy's strict P/R/F, and the SemEval-2013 exact / partial / type schemas.

``strict`` is spaCy's ``ents_p/r/f`` (exact boundaries and type; P over predictions, R over
gold). ``exact``, ``partial`` and ``type`` follow the SemEval-2013 task 9.1 schemas as
nervaluate 1.x computes them: predictions are matched one-to-one to gold spans and counted
correct, incorrect, partial or spurious; unmatched gold spans are missed. P = hits / actual,
R = hits / possible, where partial matches earn half a hit in ``partial``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nerwb.labels.annotations import LabeledSpan
from nerwb.scores import PRF, prf


@dataclass
class SemEvalCounts:
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    @property
    def possible(self) -> int:
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def actual(self) -> int:
        return self.correct + self.incorrect + self.partial + self.spurious

    def scores(self, *, half_credit: bool) -> PRF:
        hits = self.correct + (0.5 * self.partial if half_credit else 0.0)
        return prf(hits, self.actual, self.possible)

    def add(self, other: SemEvalCounts) -> None:
        for name in ("correct", "incorrect", "partial", "missed", "spurious"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _overlaps(a: LabeledSpan, b: LabeledSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _exact_or_partial(
    gold: list[LabeledSpan], pred: list[LabeledSpan], *, partial: bool
) -> SemEvalCounts:
    """Same boundaries are correct; otherwise the first unmatched overlapping gold span makes the
    prediction incorrect (exact) or partial (partial). Each gold span is matched once."""
    counts = SemEvalCounts()
    matched: set[int] = set()
    for p in pred:
        found, first_overlap = None, None
        for i, g in enumerate(gold):
            if i in matched:
                continue
            if (g[0], g[1]) == (p[0], p[1]):
                found = i
                break
            if first_overlap is None and _overlaps(p, g):
                first_overlap = i
        if found is not None:
            counts.correct += 1
            matched.add(found)
        elif first_overlap is not None:
            if partial:
                counts.partial += 1
            else:
                counts.incorrect += 1
            matched.add(first_overlap)
        else:
            counts.spurious += 1
    counts.missed = len(gold) - len(matched)
    return counts


def _entity_type(gold: list[LabeledSpan], pred: list[LabeledSpan]) -> SemEvalCounts:
    """Overlap with the same label is correct (the closest boundaries win); overlap with another
    label only is incorrect. Each gold span is matched once."""
    counts = SemEvalCounts()
    matched: set[int] = set()
    for p in pred:
        best, best_distance, wrong = None, None, None
        for i, g in enumerate(gold):
            if i in matched or not _overlaps(p, g):
                continue
            if g[2] == p[2]:
                distance = abs(p[0] - g[0]) + abs(p[1] - g[1])
                if best_distance is None or distance < best_distance:
                    best, best_distance = i, distance
            elif wrong is None:
                wrong = i
        if best is not None:
            counts.correct += 1
            matched.add(best)
        elif wrong is not None:
            counts.incorrect += 1
            matched.add(wrong)
        else:
            counts.spurious += 1
    counts.missed = len(gold) - len(matched)
    return counts


def semeval_counts(gold: list[LabeledSpan], pred: list[LabeledSpan]) -> dict[str, SemEvalCounts]:
    """Counts per schema (exact, partial, type) for one document, as nervaluate 1.x counts them."""
    return {
        "exact": _exact_or_partial(gold, pred, partial=False),
        "partial": _exact_or_partial(gold, pred, partial=True),
        "type": _entity_type(gold, pred),
    }


@dataclass
class DocCounts:
    """Everything the scores of one document contribute, kept so resampling is cheap."""

    tp: dict[str, int] = field(default_factory=dict)  # strict, per label
    n_pred: dict[str, int] = field(default_factory=dict)
    n_gold: dict[str, int] = field(default_factory=dict)
    semeval: dict[str, SemEvalCounts] = field(default_factory=dict)  # overall, per schema

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
            "semeval": {k: v.__dict__ for k, v in self.semeval.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocCounts:
        return cls(
            data["tp"],
            data["n_pred"],
            data["n_gold"],
            {k: SemEvalCounts(**v) for k, v in data["semeval"].items()},
        )


def doc_counts(gold: list[LabeledSpan], pred: list[LabeledSpan]) -> DocCounts:
    counts = DocCounts(semeval=semeval_counts(gold, pred))
    gold_set = set(gold)
    for span in pred:
        counts.n_pred[span[2]] = counts.n_pred.get(span[2], 0) + 1
        if span in gold_set:
            counts.tp[span[2]] = counts.tp.get(span[2], 0) + 1
    for span in gold:
        counts.n_gold[span[2]] = counts.n_gold.get(span[2], 0) + 1
    return counts


SEMEVAL_SCHEMAS = ("exact", "partial", "type")


@dataclass
class LabelScores:
    """One label: strict P/R/F, its gold and predicted counts, and each SemEval schema."""

    p: float
    r: float
    f: float
    support: int  # gold spans
    predicted: int
    exact: PRF
    partial: PRF
    type: PRF


@dataclass
class Scores:
    micro: dict[str, PRF]  # strict, then each SemEval schema
    per_label: dict[str, LabelScores]
    n_gold: int
    n_pred: int


def score(
    docs: list[DocCounts],
    labels: list[str],
    gold_by_doc: list[list[LabeledSpan]],
    pred_by_doc: list[list[LabeledSpan]],
) -> Scores:
    """Micro scores per schema, and per label (strict, plus each SemEval schema on that label)."""
    tp = sum(sum(d.tp.values()) for d in docs)
    n_pred = sum(sum(d.n_pred.values()) for d in docs)
    n_gold = sum(sum(d.n_gold.values()) for d in docs)
    micro = {"strict": prf(tp, n_pred, n_gold)}
    for schema in SEMEVAL_SCHEMAS:
        total = SemEvalCounts()
        for d in docs:
            total.add(d.semeval[schema])
        micro[schema] = total.scores(half_credit=schema == "partial")
    per_label: dict[str, LabelScores] = {}
    for label in labels:
        ltp = sum(d.tp.get(label, 0) for d in docs)
        lp = sum(d.n_pred.get(label, 0) for d in docs)
        lg = sum(d.n_gold.get(label, 0) for d in docs)
        strict = prf(ltp, lp, lg)
        totals = {schema: SemEvalCounts() for schema in SEMEVAL_SCHEMAS}
        for gold, pred in zip(gold_by_doc, pred_by_doc, strict=True):
            per_doc = semeval_counts(
                [g for g in gold if g[2] == label], [p for p in pred if p[2] == label]
            )
            for schema, c in per_doc.items():
                totals[schema].add(c)
        exact, partial, type_ = (
            totals[schema].scores(half_credit=schema == "partial") for schema in SEMEVAL_SCHEMAS
        )
        per_label[label] = LabelScores(
            strict.p, strict.r, strict.f, lg, lp, exact=exact, partial=partial, type=type_
        )
    return Scores(micro, per_label, n_gold, n_pred)
