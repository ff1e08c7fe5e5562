"""Cutting long articles into segments whose offsets map back to the article exactly."""

from __future__ import annotations

import re

from nerwb.corpus.model import Segment

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_SPACE = re.compile(r"\s+")


def _pieces(text: str, start: int, end: int, max_length: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces of at most ``max_length``: paragraphs, then sentences,
    then whitespace, then (only for a single unbroken run of characters) a hard cut."""
    if end - start <= max_length:
        return [(start, end)]
    for pattern in (_PARAGRAPH_BREAK, _SENTENCE_END, _SPACE):
        cuts = [m.end() for m in pattern.finditer(text, start, end) if start < m.end() < end]
        if cuts:
            break
    else:
        return [(i, min(i + max_length, end)) for i in range(start, end, max_length)]
    units, previous = [], start
    for cut in [*cuts, end]:
        units.append((previous, cut))
        previous = cut
    # Pack consecutive units greedily; a unit still too long is cut at the next finer level.
    pieces: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for unit in units:
        if current and unit[1] - current[0] <= max_length:
            current = (current[0], unit[1])
            continue
        if current:
            pieces.append(current)
        if unit[1] - unit[0] > max_length:
            pieces.extend(_pieces(text, unit[0], unit[1], max_length))
            current = None
        else:
            current = unit
    if current:
        pieces.append(current)
    return pieces


def segment_article(article_id: str, text: str, max_length: int) -> list[Segment]:
    """Segments of at most ``max_length`` characters, trimmed of surrounding whitespace.

    ``segment.text == text[segment.start:segment.end]`` always holds, so a span found in a
    segment maps back with ``segment.to_article``.
    """
    segments = []
    for start, end in _pieces(text, 0, len(text), max_length):
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        s, e = start + lead, end - trail
        if e > s:
            segments.append(Segment(article_id, len(segments), s, e, text[s:e]))
    return segments
