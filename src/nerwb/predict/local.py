"""The local engine: ``nlp.pipe`` in this process (or ``n_process`` worker processes).

``annotate`` is also what each Ray actor runs, so both engines cut long articles and map
entities back the same way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from spacy.language import Language

from nerwb.corpus.segments import segment_article

T = TypeVar("T")
Entity = tuple[int, int, str, str]  # start, end (article offsets), label, text


def pieces_of(text: str, max_length: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` pairs: the whole text, or pieces of at most ``max_length`` characters
    cut at paragraph, sentence, then word boundaries (spaCy refuses longer texts)."""
    if len(text) <= max_length:
        return [(0, text)]
    segments = segment_article("", text, max_length)
    return [(s.start, s.text) for s in segments] or [(0, text[:max_length])]


def annotate(
    nlp: Language,
    items: Iterable[T],
    text_of: Callable[[T], str],
    *,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[tuple[T, list[Entity]]]:
    """Run ``nlp`` over ``items`` in order and yield each item with its entities in item offsets.

    Items stream through: ``nlp.pipe`` keeps order (also with ``n_process`` > 1), so the pieces
    of one article come back one after another and are joined here.
    """
    pending: deque[tuple[T, str, int]] = deque()  # item, its text, how many pieces

    def piece_stream() -> Iterator[tuple[str, int]]:
        for item in items:
            text = text_of(item)
            pieces = pieces_of(text, nlp.max_length)
            pending.append((item, text, len(pieces)))
            for offset, piece in pieces:
                yield piece, offset

    entities: list[Entity] = []
    seen = 0
    for doc, offset in nlp.pipe(
        piece_stream(), as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        item, text, n_pieces = pending[0]
        for ent in doc.ents:
            start, end = ent.start_char + offset, ent.end_char + offset
            entities.append((start, end, ent.label_, text[start:end]))
        seen += 1
        if seen == n_pieces:
            pending.popleft()
            yield item, entities
            entities, seen = [], 0
