"""What the components that only fill share: add spans where the NER found nothing."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span


def fill_free_tokens(doc: Doc, ranked: Iterable[tuple[int, int, str]]) -> Doc:
    """Add each ``(start, end, label)`` token span, best first, that overlaps neither an entity
    already in ``doc`` nor one added before it: an entity the NER found is never replaced."""
    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    added = []
    for start, end, label in ranked:
        if taken.isdisjoint(range(start, end)):
            added.append(Span(doc, start, end, label=label))
            taken.update(range(start, end))
    if added:
        doc.ents = sorted([*doc.ents, *added], key=lambda s: s.start)
    return doc
