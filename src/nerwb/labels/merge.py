"""Merge annotators into gold, one segment at a time, each span with its provenance.

The unit is the segment: only the annotators who confirmed a segment vote on it, and a segment
nobody confirmed is not gold (its spans, if any, are left out and listed). An article's gold is
the union of its gold segments, and ``gold_ranges`` says which of its text that covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from nerwb.corpus.store import load_articles
from nerwb.errors import SETTING, ErrorKind, LabelsError
from nerwb.labels.annotations import (
    AnnotatedArticle,
    AnnotatedSegment,
    LabeledSpan,
    save_annotated,
    span_key,
)
from nerwb.labels.options import check_snapshot
from nerwb.labels.snapshots import Annotations, latest_snapshot, load_annotations, load_reviews
from nerwb.lock import writes_workspace
from nerwb.records.annotations import ConflictLine, LeftOutLine
from nerwb.records.lines import write_lines
from nerwb.workspace import Workspace


class Strategy(StrEnum):
    MAJORITY = "majority"
    INTERSECTION = "intersection"
    UNION = "union"


STRATEGIES = (*Strategy, "prefer:NAME")


@dataclass
class Conflict:
    article_id: str
    spans: dict[str, list[list[Any]]]  # annotator -> their spans in the conflicting region
    reason: str
    segment_id: str = ""

    def to_line(self) -> ConflictLine:
        return ConflictLine(
            article_id=self.article_id,
            segment_id=self.segment_id,
            reason=self.reason,
            spans={
                name: [(s, e, lab) for s, e, lab in spans] for name, spans in self.spans.items()
            },
        )


@dataclass
class MergeReport:
    gold: list[AnnotatedArticle]
    conflicts: list[Conflict] = field(default_factory=list)
    single_annotator: int = 0  # gold segments confirmed by one annotator
    multi_annotator: int = 0  # gold segments merged from several
    unconfirmed: int = 0  # segments with work on them that nobody confirmed: not gold
    unconfirmed_spans: int = 0  # spans in those segments, left out
    adjudicated: int = 0  # segments settled in the review project
    sources: list[str] = field(default_factory=list)  # what was merged (snapshot, imports)

    @property
    def spans(self) -> int:
        return sum(len(a.spans) for a in self.gold)

    @property
    def gold_segments(self) -> int:
        return self.single_annotator + self.multi_annotator + self.adjudicated


def _clusters(spans: list[LabeledSpan]) -> list[list[LabeledSpan]]:
    """Groups of distinct spans linked by overlap (a region annotators argue about)."""
    clusters: list[list[LabeledSpan]] = []
    for span in sorted(set(spans)):
        if clusters and span.start < max(s.end for s in clusters[-1]):
            clusters[-1].append(span)
        else:
            clusters.append([span])
    return clusters


def _vote(
    unit: AnnotatedSegment, by_annotator: dict[str, set[LabeledSpan]], strategy: Strategy
) -> tuple[list[LabeledSpan], dict[str, list[str]], list[Conflict]]:
    voters = sorted(by_annotator)
    votes: dict[LabeledSpan, list[str]] = {}
    for name in voters:
        for span in by_annotator[name]:
            votes.setdefault(span, []).append(name)
    kept: list[LabeledSpan] = []
    conflicts: list[Conflict] = []
    for cluster in _clusters(list(votes)):
        if strategy is Strategy.INTERSECTION:
            winners = [s for s in cluster if len(votes[s]) == len(voters)]
        elif strategy is Strategy.MAJORITY:
            winners = [s for s in cluster if len(votes[s]) * 2 > len(voters)]
        else:  # union
            winners = cluster if len(cluster) == 1 else []
        winners = winners if len(winners) == 1 else []
        if winners:
            kept.append(winners[0])
        losers = [s for s in cluster if s not in winners]
        if losers and (len(cluster) > 1 or strategy is not Strategy.UNION):
            region = {
                n: [[s.start, s.end, s.label] for s in cluster if n in votes[s]] for n in voters
            }
            reason = (
                "overlapping spans disagree"
                if len(cluster) > 1
                else f"marked by {', '.join(votes[cluster[0]])} only"
            )
            conflicts.append(Conflict(unit.article_id, region, reason, unit.segment_id))
    provenance = {span_key(s): votes[s] for s in kept}
    return kept, provenance, conflicts


@dataclass(frozen=True)
class MergeOptions:
    """How ``labels merge`` settles a segment several annotators confirmed (``strategy``; with
    ``prefer``, that annotator's spans wherever they confirmed the segment, the strategy
    elsewhere), from which pull snapshot (``snapshot``; None: the latest) and whose labels
    (``annotators``; None: everyone's). The strategy and the snapshot are checked once, when
    made.

    Raises:
        LabelsError: an unknown strategy, a named snapshot that is not one (kind
            ``BAD_SETTING``).
    """

    strategy: Strategy = Strategy.MAJORITY
    prefer: str | None = None
    snapshot: Path | None = None
    annotators: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "strategy", Strategy(self.strategy))
        except ValueError:
            raise LabelsError(
                f"unknown strategy {self.strategy!r}; choose from {', '.join(STRATEGIES)}",
                kind=ErrorKind.BAD_SETTING,
                setting="strategy",
            ) from None
        if self.annotators is not None:
            object.__setattr__(self, "annotators", tuple(self.annotators))
        check_snapshot(self.snapshot)

    @classmethod
    def parse(
        cls,
        strategy: str,
        *,
        snapshot: Path | None = None,
        annotators: Sequence[str] | None = None,
    ) -> MergeOptions:
        """From what a user types: ``majority`` | ``intersection`` | ``union`` | ``prefer:NAME``."""
        names = tuple(annotators) if annotators is not None else None
        if strategy.startswith("prefer:"):
            preferred = strategy.split(":", 1)[1]
            return cls(Strategy.MAJORITY, preferred, snapshot, names)
        return cls(strategy, None, snapshot, names)  # type: ignore[arg-type]  # checked in init

    @property
    def name(self) -> str:
        """The strategy as a user types it (``prefer:alice``)."""
        return f"prefer:{self.prefer}" if self.prefer is not None else str(self.strategy)

    def check_preferred(self, annotators: Sequence[str]) -> None:
        """``prefer`` names one of ``annotators`` (known once the labels are read)."""
        if self.prefer is not None and self.prefer not in annotators:
            raise LabelsError(
                f"{SETTING} {self.name}: no annotator {self.prefer!r} "
                f"(have {', '.join(sorted(annotators))})",
                kind=ErrorKind.BAD_SETTING,
                setting="strategy",
            )


def _merge_unit(
    present: dict[str, AnnotatedSegment],
    strategy: Strategy,
    preferred: str | None,
    report: MergeReport,
) -> tuple[list[LabeledSpan], dict[str, list[str]]]:
    """Gold spans of one segment from the annotators who confirmed it."""
    if len(present) == 1:
        ((name, unit),) = present.items()
        report.single_annotator += 1
        return sorted(set(unit.spans)), {span_key(s): [name] for s in unit.spans}
    report.multi_annotator += 1
    if preferred and preferred in present:
        spans = sorted(set(present[preferred].spans))
        provenance = {
            span_key(s): sorted(n for n, u in present.items() if s in set(u.spans)) for s in spans
        }
        return spans, provenance
    unit = next(iter(present.values()))
    spans, provenance, conflicts = _vote(
        unit, {n: set(u.spans) for n, u in present.items()}, strategy
    )
    report.conflicts.extend(conflicts)
    return spans, provenance


def merge(
    annotations: Annotations,
    options: MergeOptions,
    *,
    texts: dict[str, str] | None = None,
    reviews: Annotations | None = None,
) -> MergeReport:
    """Gold per segment among the annotators who confirmed it; articles are their union.

    Args:
        options: the strategy: ``majority`` (more than half of the segment's confirming
            annotators), ``intersection`` (all of them), ``union`` (anyone, unless spans
            overlap); with ``prefer`` NAME, NAME's spans where NAME confirmed the segment.
        texts: The corpus text of each article (``corpus/articles.jsonl``); without it an
            article's text is rebuilt from its units, blanks filling what no unit covers.
        reviews: Adjudicators' units from the review project: a confirmed decision on a
            segment is its gold, whatever the strategy (provenance ``adjudicated:<name>``).

    Raises:
        LabelsError: unknown strategy or annotator, or no segment confirmed by anyone.
    """
    options.check_preferred(list(annotations))
    mode, preferred = options.strategy, options.prefer
    units: dict[str, dict[str, AnnotatedSegment]] = {}  # segment id -> annotator -> unit
    for name, by_segment in annotations.items():
        for segment_id, unit in by_segment.items():
            units.setdefault(segment_id, {})[name] = unit
    report = MergeReport(gold=[])
    decisions = {
        segment_id: (name, unit)
        for name, by_segment in sorted((reviews or {}).items(), reverse=True)
        for segment_id, unit in by_segment.items()
        if unit.confirmed
    }
    articles: dict[str, AnnotatedArticle] = {}
    for segment_id in sorted(units, key=lambda s: (next(iter(units[s].values())).start, s)):
        everyone = units[segment_id]
        unit = next(iter(everyone.values()))
        article = articles.setdefault(
            unit.article_id, AnnotatedArticle(unit.article_id, "", [], False, {}, [])
        )
        decision = decisions.get(segment_id)
        if decision is not None:
            name, judged = decision
            report.adjudicated += 1
            article.spans.extend(judged.spans)
            assert article.provenance is not None and article.gold_ranges is not None
            article.provenance.update({span_key(x): [f"adjudicated:{name}"] for x in judged.spans})
            article.gold_ranges.append((unit.start, unit.end))
            continue
        present = {n: u for n, u in everyone.items() if u.confirmed}
        if not present:
            touched = [n for n, u in sorted(everyone.items()) if u.spans]
            if touched or any(u.assigned for u in everyone.values()):
                n_spans = sum(len(u.spans) for u in everyone.values())
                report.unconfirmed += 1
                report.unconfirmed_spans += n_spans
                article.left_out.append(
                    LeftOutLine(
                        segment_id=segment_id,
                        start=unit.start,
                        end=unit.end,
                        reason="unconfirmed",
                        spans=n_spans,
                        annotators=sorted(everyone),
                    )
                )
            continue
        spans, provenance = _merge_unit(present, mode, preferred, report)
        article.spans.extend(spans)
        assert article.provenance is not None and article.gold_ranges is not None
        article.provenance.update(provenance)
        article.gold_ranges.append((unit.start, unit.end))
    rebuilt = _article_texts(annotations)
    for article in articles.values():
        article.text = (texts or {}).get(article.article_id) or rebuilt[article.article_id]
        article.spans = sorted(set(article.spans))
        article.confirmed = bool(article.gold_ranges) and article.fully_gold
        if article.confirmed:
            article.gold_ranges = None  # all of it is gold
    report.gold = sorted(articles.values(), key=lambda a: a.article_id)
    if report.gold_segments and report.spans == 0:
        raise LabelsError(
            f"the {options.name} merge leaves no gold span ({len(report.conflicts)} conflict(s))",
            kind=ErrorKind.NO_GOLD_SPAN,
            setting="strategy",
        )
    if report.gold_segments == 0:
        raise LabelsError(
            f"no segment was confirmed by anyone ({report.unconfirmed} segment(s) have work that "
            "nobody confirmed); only confirmed segments become gold",
            kind=ErrorKind.UNCONFIRMED,
        )
    return report


def _article_texts(annotations: Annotations) -> dict[str, str]:
    """Each article's full text, rebuilt from its units (a whole-article unit gives it at once)."""
    pieces: dict[str, dict[int, str]] = {}
    for by_segment in annotations.values():
        for unit in by_segment.values():
            pieces.setdefault(unit.article_id, {})[unit.start] = unit.text
    out = {}
    for article_id, by_start in pieces.items():
        text = ""
        for start, piece in sorted(by_start.items()):
            if len(text) < start:
                text += " " * (start - len(text))  # a gap no unit covers: never gold
            text = text[:start] + piece + text[start + len(piece) :]
        out[article_id] = text
    return out


@writes_workspace("labels merge")
def merge_workspace(ws: Workspace, options: MergeOptions = MergeOptions()) -> MergeReport:
    """``labels merge``: merge the latest (or a named) snapshot plus imports into
    ``labels/gold/gold.jsonl``, and list the conflicts in ``conflicts.jsonl``.

    Nothing is written when the merge fails.
    """
    names = list(options.annotators) if options.annotators is not None else None
    annotations, sources = load_annotations(ws, options.snapshot, annotators=names)
    texts = {a.id: a.text for a in load_articles(ws.articles_path)}
    folder = options.snapshot or latest_snapshot(ws.pulls_dir)
    reviews = load_reviews(folder) if folder else {}
    report = merge(annotations, options, texts=texts, reviews=reviews)
    report.sources = sources
    save_annotated(ws.gold_path, report.gold)
    write_lines(ws.conflicts_path, (c.to_line() for c in report.conflicts))
    return report
