"""The local engine: ``nlp.pipe`` in this process (or ``n_process`` worker processes).

``annotate`` is also what each Ray actor runs, so both engines cut long articles and map
entities back the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from nerwb.corpus.segments import segment_article
from nerwb.predict.allocator import keep_freed_memory
from nerwb.predict.model import load_pipeline

if TYPE_CHECKING:  # spaCy is imported where a model is loaded, so the CLI starts quickly
    from spacy.language import Language

T = TypeVar("T")
Entity = tuple[int, int, str, str]  # start, end (article offsets), label, text

# What one nlp call holds is bounded by words, not by texts: 64 texts of a few hundred words
# are a small batch, while one 1 MB article was one 1M-character Doc and 3.1 GB of memory.
# A longer article is cut into pieces of at most PIECE_CHARS characters (paragraph, sentence,
# then word boundaries), and a batch holds at most BATCH_WORDS words (and ``batch_size`` texts).
PIECE_CHARS = 100_000
BATCH_WORDS = 20_000
# Why a run over millions of articles stays flat and still runs at spaCy's own speed (issue 34):
# - spaCy frees the strings and lexemes that texts add to the vocabulary (every new number,
#   name, typo) only in a memory zone; without one, the process grows without bound;
# - but in a memory zone spaCy's tokenizer caches nothing, and it then takes several times its
#   time in a bare ``nlp.pipe`` (zones around every batch made one-process predict 0.67x of it).
# So batches run outside any zone until the vocabulary has grown by WARM_LEXEMES entries (a run
# whose words repeat, as most do, never gets there and runs exactly as a bare ``nlp.pipe``);
# after that, every ZONE_WORDS words run in one zone (closed between batches). 100,000 new
# entries are about 35 MB (100,000 one-line articles with a new number each grew 34 MB).
WARM_LEXEMES = 100_000
ZONE_WORDS = 1_000_000


class VocabZone:
    """When ``nlp``'s vocabulary may grow, and when what it grew by is freed.

    Batches run outside any zone (what they add stays, the tokenizer's cache included) until the
    vocabulary holds ``warm`` entries more than when this was made; after that, in spaCy memory
    zones of ``limit`` words each, held open across batches (and calls) and closed between
    batches. spaCy's zones must not nest, so one pipeline has one ``VocabZone``: a worker
    process or a Ray actor keeps its own for as long as it lives. No ``Doc`` may outlive the
    batch it was made in (``annotate`` keeps only offsets and labels).
    """

    def __init__(self, nlp: Language, *, warm: int = WARM_LEXEMES, limit: int = ZONE_WORDS) -> None:
        self.nlp, self.warm, self.limit = nlp, warm, limit
        self.start = len(nlp.vocab)  # entries before any text
        self.warming = warm > 0  # no zone yet: the vocabulary has not grown by ``warm``
        self.words = 0  # words run in the open zone
        self._open: contextlib.ExitStack | None = None

    def enter(self) -> None:
        """Before a batch: open a zone once the warm-up is over, unless one is open."""
        if self._open is None and not self.warming:
            stack = contextlib.ExitStack()
            stack.enter_context(self.nlp.memory_zone())
            self._open = stack

    def add(self, words: int) -> None:
        """After a batch (its Docs dropped): end the warm-up when the vocabulary has grown by
        ``warm``; count the zone's words and close it at the limit."""
        if self.warming:
            self.warming = len(self.nlp.vocab) - self.start < self.warm
            return
        self.words += words
        if self.words >= self.limit:
            self.close()

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        self.words = 0


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
    batch_words: int = BATCH_WORDS,
    zone: VocabZone | None = None,
) -> Iterator[tuple[T, list[Entity]]]:
    """Run ``nlp`` over ``items`` in order and yield each item with its entities in item offsets.

    Items stream through in batches of at most ``batch_size`` pieces and ``batch_words`` words
    (a single longer piece goes alone); ``nlp.pipe`` keeps order, so the pieces of one article
    come back one after another and are joined here. ``zone``: the pipeline's memory zone when
    the caller annotates again and again (a worker); without one, this call opens its own and
    closes it at the end.
    """
    own_zone = zone is None
    zone = VocabZone(nlp) if zone is None else zone
    pending: deque[tuple[T, str, int]] = deque()  # item, its text, how many pieces
    piece_chars = min(nlp.max_length, PIECE_CHARS)

    def batches() -> Iterator[tuple[list[tuple[str, int]], int]]:
        batch: list[tuple[str, int]] = []
        words = 0
        for item in items:
            text = text_of(item)
            pieces = pieces_of(text, piece_chars)
            pending.append((item, text, len(pieces)))
            for offset, piece in pieces:
                n = len(piece.split())
                if batch and (len(batch) >= batch_size or words + n > batch_words):
                    yield batch, words
                    batch, words = [], 0
                batch.append((piece, offset))
                words += n
        if batch:
            yield batch, words

    def pieces_found() -> Iterator[list[tuple[int, int, str]]]:
        """Each piece's entities (article offsets), batch after batch, in ``zone``: the strings
        and lexemes the texts add to the vocabulary (every new number, name, typo) are freed
        every ``zone.limit`` words, or a run over millions of articles would grow the
        vocabulary (and the process) without bound."""
        for batch, words in batches():
            zone.enter()
            found = [
                [(e.start_char + offset, e.end_char + offset, str(e.label_)) for e in doc.ents]
                for doc, offset in nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
            ]
            zone.add(words)  # the batch's Docs are gone: the zone may close
            yield from found

    entities: list[Entity] = []
    seen = 0
    try:
        for found in pieces_found():
            item, text, n_pieces = pending[0]
            entities.extend((start, end, label, text[start:end]) for start, end, label in found)
            seen += 1
            if seen == n_pieces:
                pending.popleft()
                yield item, entities
                entities, seen = [], 0
    finally:
        if own_zone:
            zone.close()


# Worker processes of ``annotate_in_processes``: each holds its own pipeline.
_WORKER: dict[str, object] = {}


def _load_worker(model: str, max_length: int | None, batch_size: int) -> None:
    keep_freed_memory()  # a forked worker inherits it; a spawned one sets its own
    nlp = load_pipeline(Path(model), max_length=max_length)
    _WORKER["nlp"] = nlp
    _WORKER["zone"] = VocabZone(nlp)  # one per worker: it outlives each chunk
    _WORKER["batch_size"] = batch_size


def _annotate_chunk(texts: list[str]) -> list[list[Entity]]:
    nlp, zone = _WORKER["nlp"], _WORKER["zone"]
    batch_size = _WORKER["batch_size"]
    found = annotate(nlp, texts, str, batch_size=batch_size, zone=zone)  # type: ignore[arg-type]
    return [ents for _, ents in found]


def annotate_in_processes(
    model: str,
    items: Iterable[T],
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

    ``items`` are read as the workers need them: at most ``IN_FLIGHT_PER_PROCESS`` chunks of
    ``batch_size`` per process are out at once (``Pool.imap`` would read all of them ahead).
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunks = _chunks(items, batch_size)
    with multiprocessing.get_context(method).Pool(
        n_process, initializer=_load_worker, initargs=(model, max_length, batch_size)
    ) as pool:
        window: deque[tuple[list[T], AsyncResult[list[list[Entity]]]]] = deque()
        for chunk in chunks:
            window.append(
                (chunk, pool.apply_async(_annotate_chunk, ([text_of(x) for x in chunk],)))
            )
            if len(window) >= n_process * IN_FLIGHT_PER_PROCESS:
                done, found = window.popleft()
                yield from zip(done, found.get(), strict=True)
        while window:
            done, found = window.popleft()
            yield from zip(done, found.get(), strict=True)


IN_FLIGHT_PER_PROCESS = 4  # chunks queued per worker: enough to keep it busy, no more


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
