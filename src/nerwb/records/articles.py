"""The corpus, ``corpus/articles.jsonl``: one article per line, with a stable id and the hash of
its normalised text. Written by ``corpus add`` and ``labels import`` (``corpus.store``), read by
every stage."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from pydantic import Field, JsonValue

from nerwb.records.lines import RecordLine


def normalise_text(text: str) -> str:
    """The form used for ids and exact-duplicate checks: NFC, whitespace runs collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


class Article(RecordLine):
    """One article as stored in ``corpus/articles.jsonl``."""

    WHAT = "article record"

    id: str = Field(min_length=1)
    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None
    meta: dict[str, JsonValue] = Field(default_factory=dict)  # what else its input carried
    origin: str = ""  # where it was read from: "path" or "path:line"
    hash: str = ""

    def model_post_init(self, __context: Any) -> None:
        if not self.hash:
            self.hash = content_hash(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())


class SkippedDuplicate(RecordLine):
    """A line of ``corpus/duplicates.jsonl``: an input the store did not add, its text being
    an article's already there (``corpus stats`` counts them)."""

    WHAT = "skipped-duplicate record"

    origin: str  # where it was read from
    duplicate_of: str  # the id of the article with the same text
