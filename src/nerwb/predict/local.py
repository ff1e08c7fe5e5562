"""The local engine: ``nlp.pipe`` in this process (or ``n_process`` worker processes).

``annotate`` is also what each Ray actor runs, so both engines cut long articles and map
entities back the same way.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from nerwb.corpus.segments import segment_article
from nerwb.predict.model import load_pipeline

if TYPE_CHECKING:  # spaCy is imported where a model is loaded, so the CLI starts quickly
    from spacy.language import Language

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


# Worker processes of ``annotate_in_processes``: each holds its own pipeline.
_WORKER: dict[str, object] = {}


def _load_worker(model: str, max_length: int | None, batch_size: int) -> None:

    _WORKER["nlp"] = load_pipeline(Path(model), max_length=max_length)
    _WORKER["batch_size"] = batch_size


def _annotate_chunk(texts: list[str]) -> list[list[Entity]]:
    nlp = _WORKER["nlp"]
    batch_size = _WORKER["batch_size"]
    return [ents for _, ents in annotate(nlp, texts, str, batch_size=batch_size)]  # type: ignore[arg-type]


def annotate_in_processes(
    model: str,
    items: list[T],
    text_of: Callable[[T], str],
    *,
    n_process: int,
    batch_size: int = 64,
    max_length: int | None = None,
) -> Iterator[tuple[T, list[Entity]]]:
    """``annotate`` in ``n_process`` worker processes, each loading the model once.

    Why not ``nlp.pipe(n_process=...)``: it sends every ``Doc`` back to this process as bytes
    and rebuilds it here, which on two cores cost more than the second process gained; the
    workers here send back only the entity tuples.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    with multiprocessing.get_context(method).Pool(
        n_process, initializer=_load_worker, initargs=(model, max_length, batch_size)
    ) as pool:
        results = pool.imap(_annotate_chunk, ([text_of(x) for x in c] for c in chunks))
        for chunk, found in zip(chunks, results, strict=True):
            yield from zip(chunk, found, strict=True)
