"""The records of the corpus stage: an article, and a segment cut from one."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def normalise_text(text: str) -> str:
    """The form used for ids and exact-duplicate checks: NFC, whitespace runs collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def article_id_for(text: str) -> str:
    """A stable id from the normalised text, for articles that come without one."""
    return "a-" + content_hash(text)[:16]


class Article(BaseModel):
    """One article as stored in ``corpus/articles.jsonl``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    origin: str = ""  # where it was read from: "path" or "path:line"
    hash: str = ""

    def model_post_init(self, __context: Any) -> None:
        if not self.hash:
            self.hash = content_hash(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())


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
