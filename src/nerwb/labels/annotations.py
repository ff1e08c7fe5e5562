"""Annotations: one annotator's spans over one unit of work, and gold over one article.

The unit people are given, confirm and agree on is the **segment** (a piece of an article, see
``nerwb.corpus.segments``); an imported annotation is one unit covering its whole article. Every
annotator file (a pull snapshot's ``<annotator>.jsonl``, ``labels/imports/<annotator>.jsonl``)
holds one record per unit:
``{"article_id", "segment_id", "segment_start", "text", "label": [[start, end, LABEL], ...],
"article_label": [...], "confirmed", "assigned", "example_id"}``, where ``text`` is the unit's
text, ``label`` is in unit offsets and ``article_label`` the same spans in article offsets. A
record without ``segment_id`` (the format before segments) is a whole-article unit.

Gold (``labels/gold/gold.jsonl``) is one record per article: its spans in article offsets and
the character ranges (``gold_ranges``) that a person confirmed; only those ranges are gold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from nerwb.records.annotations import GoldLine, LeftOutLine, SegmentLine
from nerwb.records.lines import write_lines

if TYPE_CHECKING:
    from spacy.tokens import Doc


class LabeledSpan(NamedTuple):
    """A labelled character span: start, end (exclusive), label.

    A tuple, so it sorts, hashes and compares as ``(start, end, label)`` and is written to JSON
    as ``[start, end, label]``: the one span type of labels and of evaluation.
    """

    start: int
    end: int
    label: str

    def text(self, text: str) -> str:
        return text[self.start : self.end]

    def shifted(self, by: int) -> LabeledSpan:
        return LabeledSpan(self.start + by, self.end + by, self.label)


CONTEXT_CHARS = 60  # either side: enough to recognise the sentence, short enough for one line


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The span in its sentence-ish surroundings, marked with ⟦ ⟧, on one line."""
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    snippet = f"{'…' if start > width else ''}{left}⟦{text[start:end]}⟧{right}{'…' if end + width < len(text) else ''}"
    return " ".join(snippet.split())


def doc_spans(doc: Doc) -> list[LabeledSpan]:
    """The entities of a spaCy ``Doc`` as character spans."""
    return [LabeledSpan(e.start_char, e.end_char, e.label_) for e in doc.ents]


@dataclass
class AnnotatedSegment:
    """One annotator's work on one unit: its spans (article offsets) and whether they confirmed it.

    ``assigned`` is None where no assignment plan exists (imports, a push without annotators).
    """

    article_id: str
    segment_id: str
    start: int  # the unit's offset in its article
    text: str  # the unit's text: article_text[start:end]
    spans: list[LabeledSpan] = field(default_factory=list)
    confirmed: bool = False
    assigned: bool | None = None
    example_id: int | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def local_spans(self) -> list[LabeledSpan]:
        """The spans in the unit's own offsets (what Doccano shows)."""
        return [s.shifted(-self.start) for s in sorted(self.spans)]

    def to_line(self) -> SegmentLine:
        return SegmentLine(
            article_id=self.article_id,
            segment_id=self.segment_id,
            segment_start=self.start,
            text=self.text,
            label=[(s.start, s.end, s.label) for s in self.local_spans()],
            article_label=[(s.start, s.end, s.label) for s in sorted(self.spans)],
            confirmed=self.confirmed,
            assigned=self.assigned,
            example_id=self.example_id,
        )

    @classmethod
    def from_line(cls, line: SegmentLine) -> AnnotatedSegment:
        start = line.segment_start or 0
        return cls(
            line.article_id,
            line.segment_id or line.article_id,
            start,
            line.text,
            [LabeledSpan(s + start, e + start, label) for s, e, label in line.label],
            line.confirmed,
            line.assigned,
            line.example_id,
        )


def whole_article(
    article_id: str, text: str, spans: list[LabeledSpan], *, confirmed: bool = True
) -> AnnotatedSegment:
    """An annotation of a whole article as one unit (imports, tests)."""
    return AnnotatedSegment(article_id, article_id, 0, text, sorted(set(spans)), confirmed)


@dataclass
class AnnotatedArticle:
    """Gold for one article: spans in article offsets, and which of its text is gold.

    ``gold_ranges`` is None when the whole article is gold; otherwise only the listed
    ``[start, end)`` ranges were confirmed by someone, and the rest must not be used as
    "no entity here". ``left_out`` lists the units seen but not confirmed, with the reason.
    """

    article_id: str
    text: str
    spans: list[LabeledSpan] = field(default_factory=list)
    confirmed: bool = False
    # Gold spans carry who agreed on them: {"start,end,LABEL": ["A", "B"]}.
    provenance: dict[str, list[str]] | None = None
    gold_ranges: list[tuple[int, int]] | None = None
    left_out: list[LeftOutLine] = field(default_factory=list)

    def to_line(self) -> GoldLine:
        spans = sorted(self.spans)
        return GoldLine(
            article_id=self.article_id,
            text=self.text,
            label=[(s.start, s.end, s.label) for s in spans],
            confirmed=self.confirmed,
            annotators=None
            if self.provenance is None
            else [self.provenance.get(span_key(s), []) for s in spans],
            gold_ranges=self.gold_ranges,
            left_out=self.left_out,
        )

    @classmethod
    def from_line(cls, line: GoldLine) -> AnnotatedArticle:
        spans = [LabeledSpan(s, e, label) for s, e, label in line.label]
        article = cls(line.article_id, line.text, spans, line.confirmed)
        article.gold_ranges = line.gold_ranges
        article.left_out = list(line.left_out)
        if line.annotators is not None:
            article.provenance = {
                span_key(s): list(a) for s, a in zip(sorted(spans), line.annotators, strict=False)
            }
        return article

    def gold_pieces(self) -> list[tuple[int, int]]:
        """The gold ranges, sorted, neighbours joined; the whole text when the article is all gold."""
        if self.gold_ranges is None:
            return [(0, len(self.text))]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(self.gold_ranges):
            # Neighbouring segments (only blanks between them) make one piece: more context.
            if merged and not self.text[merged[-1][1] : start].strip():
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    @property
    def fully_gold(self) -> bool:
        """Every non-blank character lies in a gold range (gaps between segments are blanks)."""
        covered = 0
        for start, end in self.gold_pieces():
            if self.text[covered:start].strip():
                return False
            covered = end
        return not self.text[covered:].strip()


def span_key(span: LabeledSpan) -> str:
    return f"{span.start},{span.end},{span.label}"


def load_units(path: Path) -> dict[str, AnnotatedSegment]:
    """One annotator file: units by segment id."""
    units = (AnnotatedSegment.from_line(line) for _, line in SegmentLine.read(path))
    return {u.segment_id: u for u in units}


def save_units(path: Path, units: list[AnnotatedSegment]) -> None:
    ordered = sorted(units, key=lambda u: (u.article_id, u.start, u.segment_id))
    write_lines(path, (u.to_line() for u in ordered))


def load_annotated(path: Path) -> dict[str, AnnotatedArticle]:
    articles = (AnnotatedArticle.from_line(line) for _, line in GoldLine.read(path))
    return {a.article_id: a for a in articles}


def save_annotated(path: Path, articles: list[AnnotatedArticle]) -> None:
    write_lines(path, (a.to_line() for a in sorted(articles, key=lambda a: a.article_id)))
