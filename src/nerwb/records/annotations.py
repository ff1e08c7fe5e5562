"""Annotations on disk, one JSON line per unit or article.

- ``SegmentLine``: one annotator's work on one unit (a pull snapshot's ``<annotator>.jsonl``,
  ``labels/imports/<annotator>.jsonl``, a review's adjudicator files): written by ``doccano
  pull`` and ``labels import``, read by audit, agreement, merge and suggestions.
- ``GoldLine``: one article of ``labels/gold/gold.jsonl``: written by ``labels merge``, read by
  ``labels convert``, ``select`` and the novelty of candidates.

``nerwb.labels.annotations`` (``AnnotatedSegment``, ``AnnotatedArticle``) is the in-memory view
the labels stage computes with; these are the files' layout, key for key as they were written
before records (the first files held only some of these keys; they load).
"""

from __future__ import annotations

from pydantic import Field

from nerwb.records.lines import RecordLine

Span = tuple[int, int, str]  # start, end, label


class SegmentLine(RecordLine):
    WHAT = "annotation record"

    article_id: str
    segment_id: str | None = None  # None in the first files: the whole article was the unit
    segment_start: int | None = 0  # the unit's offset in its article
    text: str
    label: list[Span] = Field(default_factory=list)  # in the unit's own offsets
    article_label: list[Span] = Field(default_factory=list)  # the same, in article offsets
    confirmed: bool = False
    assigned: bool | None = None
    example_id: int | None = None


class LeftOutLine(RecordLine):
    """A unit someone had but nobody confirmed: not gold, and why."""

    WHAT = "left-out unit"

    segment_id: str
    start: int
    end: int
    reason: str
    spans: int = 0
    annotators: list[str] = Field(default_factory=list)


class GoldLine(RecordLine):
    WHAT = "annotated-article record"
    OMIT_WHEN_NONE = ("annotators", "gold_ranges")
    OMIT_WHEN_EMPTY = ("left_out",)

    article_id: str
    text: str
    label: list[Span] = Field(default_factory=list)  # article offsets, sorted
    confirmed: bool = False
    # who agreed on each span, in the order of ``label`` (gold of several annotators)
    annotators: list[list[str]] | None = None
    # None: the whole article is gold; else only these [start, end) ranges are
    gold_ranges: list[tuple[int, int]] | None = None
    left_out: list[LeftOutLine] = Field(default_factory=list)


class ConflictLine(RecordLine):
    """A line of ``labels/gold/conflicts.jsonl``: a region of a unit where the annotators did not
    agree, left out of gold by ``labels merge``; ``labels review`` sends its segment to an
    adjudicator."""

    WHAT = "conflict record"

    article_id: str
    segment_id: str = ""  # "" in files from before segments were the unit
    reason: str
    spans: dict[str, list[Span]] = Field(default_factory=dict)  # annotator -> their spans there
