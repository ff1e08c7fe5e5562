"""What the components fitted in ``initialize`` learn about the labels of their training data."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.training import Example

from nerwb.errors import ErrorKind, TrainingError

NUMBER_SHARE = 0.5  # labels whose spans mostly hold a number are phrases (the number component's)


def label_span_counts(examples: Iterable[Example]) -> tuple[dict[str, int], dict[str, int]]:
    """Gold spans per label, and how many of those hold a number token (the number component's
    labels are the ones whose spans mostly do; the name components leave those alone)."""
    spans: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for eg in examples:
        for ent in eg.reference.ents:
            spans[ent.label_] = spans.get(ent.label_, 0) + 1
            numbers[ent.label_] = numbers.get(ent.label_, 0) + any(t.like_num for t in ent)
    return spans, numbers


def check_requested_labels(factory: str, requested: Iterable[str], spans: dict[str, int]) -> None:
    """Refuse labels asked for in the config that the training data never marks."""
    unknown = sorted(set(requested) - set(spans))
    if unknown:
        raise TrainingError(
            f"{factory}: label(s) {', '.join(unknown)} have no spans in the training "
            f"data (it has: {', '.join(sorted(spans)) or 'none'})",
            kind=ErrorKind.LABEL_MISMATCH,
        )


def name_labels(
    factory: str,
    requested: Iterable[str] | None,
    examples: Iterable[Example],
    *,
    min_spans: int = 1,
) -> tuple[list[str], dict[str, int]]:
    """The labels a component that finds names serves, and the gold spans per label: those
    asked for (each must have spans), else every label with at least ``min_spans`` spans that
    mostly hold no number."""
    spans, numbers = label_span_counts(examples)
    if requested:
        check_requested_labels(factory, requested, spans)
        return sorted(requested), spans
    served = sorted(
        lab for lab, n in spans.items() if n >= min_spans and numbers.get(lab, 0) / n < NUMBER_SHARE
    )
    return served, spans
