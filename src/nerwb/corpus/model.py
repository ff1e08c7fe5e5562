"""The corpus stage's own types: an article as a reader yields it, and a segment cut from one.

The stored article, a line of ``corpus/articles.jsonl``, is ``nerwb.records.articles.Article``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nerwb.records.articles import content_hash


def article_id_for(text: str) -> str:
    """A stable id from the normalised text, for articles that come without one."""
    return "a-" + content_hash(text)[:16]


@dataclass
class RawArticle:
    """What a reader yields before the store gives it an id: text plus whatever came with it."""

    text: str
    origin: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Spans that came with the input (Doccano JSONL `label`): kept for `labels import`,
    # never stored in the corpus itself.
    spans: list[tuple[int, int, str]] | None = None


@dataclass(frozen=True)
class Segment:
    """A piece of an article sent to annotators; ``start`` maps its offsets back to the article."""

    article_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"

    def to_article(self, start: int, end: int) -> tuple[int, int]:
        return start + self.start, end + self.start
