"""Annotated articles: one annotator's (or the gold) spans over one article, in article offsets.

This is the record every labels-stage file holds, one JSON object per line:
``{"article_id", "text", "label": [[start, end, LABEL], ...], "confirmed", ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nerwb.errors import InputError
from nerwb.io import atomic_write_jsonl, iter_jsonl


@dataclass(frozen=True, order=True)
class LabeledSpan:
    start: int
    end: int
    label: str

    def text(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass
class AnnotatedArticle:
    article_id: str
    text: str
    spans: list[LabeledSpan] = field(default_factory=list)
    confirmed: bool = False
    # Gold spans carry who agreed on them: {"start,end,LABEL": ["A", "B"]}.
    provenance: dict[str, list[str]] | None = None

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "article_id": self.article_id,
            "text": self.text,
            "label": [[s.start, s.end, s.label] for s in sorted(self.spans)],
            "confirmed": self.confirmed,
        }
        if self.provenance is not None:
            record["annotators"] = [
                self.provenance.get(span_key(s), []) for s in sorted(self.spans)
            ]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any], *, path: Path, line: int) -> AnnotatedArticle:
        try:
            spans = [LabeledSpan(int(s), int(e), str(lab)) for s, e, lab in record.get("label", [])]
            article = cls(
                str(record["article_id"]), str(record["text"]), spans, bool(record.get("confirmed"))
            )
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(
                f"not an annotated-article record ({err})", path=path, line=line
            ) from None
        if "annotators" in record:
            article.provenance = {
                span_key(s): list(a)
                for s, a in zip(sorted(spans), record["annotators"], strict=False)
            }
        return article


def span_key(span: LabeledSpan) -> str:
    return f"{span.start},{span.end},{span.label}"


def load_annotated(path: Path) -> dict[str, AnnotatedArticle]:
    return {
        a.article_id: a
        for a in (AnnotatedArticle.from_record(r, path=path, line=n) for n, r in iter_jsonl(path))
    }


def save_annotated(path: Path, articles: list[AnnotatedArticle]) -> None:
    atomic_write_jsonl(path, (a.to_record() for a in sorted(articles, key=lambda a: a.article_id)))
