"""Error analysis: every wrong prediction and missed gold span, with its kind and context,
and the gold-vs-predicted confusion table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nerwb.labels.annotations import LabeledSpan, context

NONE = "(none)"  # the row/column for spurious predictions and missed gold spans
KINDS = ("missed", "spurious", "wrong_type", "wrong_boundary")


@dataclass
class ErrorCase:
    kind: str
    doc_index: int
    doc_id: str
    gold: LabeledSpan | None
    pred: LabeledSpan | None
    text: str
    context: str

    @property
    def label(self) -> str:
        return (self.gold or self.pred)[2]  # type: ignore[index]

    def to_record(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "doc": self.doc_id,
            "label": self.label,
            "gold": list(self.gold) if self.gold else None,
            "pred": list(self.pred) if self.pred else None,
            "text": self.text,
            "context": self.context,
        }


def find_errors(
    doc_index: int, doc_id: str, text: str, gold: list[LabeledSpan], pred: list[LabeledSpan]
) -> list[ErrorCase]:
    """Classify each disagreement: same boundaries and other type is ``wrong_type``; overlapping
    with the same type is ``wrong_boundary``; overlapping with another type counts as
    ``wrong_type`` (the type is the bigger mistake); untouched gold is ``missed``, untouched
    prediction ``spurious``."""
    errors = []
    gold_set, pred_set = set(gold), set(pred)
    matched_gold: set[LabeledSpan] = set(gold_set & pred_set)
    for p in sorted(pred_set - gold_set):
        partner = next(
            (g for g in sorted(gold) if g not in pred_set and g[0] < p[1] and p[0] < g[1]), None
        )
        if partner is None:
            errors.append(
                ErrorCase(
                    "spurious",
                    doc_index,
                    doc_id,
                    None,
                    p,
                    text[p[0] : p[1]],
                    context(text, p[0], p[1]),
                )
            )
            continue
        matched_gold.add(partner)
        kind = "wrong_boundary" if partner[2] == p[2] else "wrong_type"
        lo, hi = min(p[0], partner[0]), max(p[1], partner[1])
        errors.append(
            ErrorCase(kind, doc_index, doc_id, partner, p, text[p[0] : p[1]], context(text, lo, hi))
        )
    for g in sorted(gold_set - matched_gold):
        errors.append(
            ErrorCase(
                "missed", doc_index, doc_id, g, None, text[g[0] : g[1]], context(text, g[0], g[1])
            )
        )
    return errors


def confusion_pairs(gold: list[LabeledSpan], pred: list[LabeledSpan]) -> list[tuple[str, str]]:
    """(gold label, predicted label) pairs: exact and overlapping matches, then NONE for the rest."""
    pairs = []
    used_gold: set[LabeledSpan] = set()
    used_pred: set[LabeledSpan] = set()
    for p in pred:
        if p in gold:
            pairs.append((p[2], p[2]))
            used_gold.add(p)
            used_pred.add(p)
    for p in pred:
        if p in used_pred:
            continue
        partner = next(
            (g for g in gold if g not in used_gold and g[0] < p[1] and p[0] < g[1]), None
        )
        if partner is not None:
            pairs.append((partner[2], p[2]))
            used_gold.add(partner)
        else:
            pairs.append((NONE, p[2]))
    pairs.extend((g[2], NONE) for g in gold if g not in used_gold)
    return pairs
