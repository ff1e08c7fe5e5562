"""Merge annotators into one gold annotation per article, each span with its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nerwb.errors import LabelsError
from nerwb.labels.annotations import AnnotatedArticle, LabeledSpan, span_key
from nerwb.labels.snapshots import Annotations

STRATEGIES = ("majority", "intersection", "union", "prefer:NAME")


@dataclass
class Conflict:
    article_id: str
    spans: dict[str, list[list[Any]]]  # annotator -> their spans in the conflicting region
    reason: str

    def to_record(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "reason": self.reason, "spans": self.spans}


@dataclass
class MergeReport:
    gold: list[AnnotatedArticle]
    conflicts: list[Conflict] = field(default_factory=list)
    single_annotator: int = 0
    multi_annotator: int = 0

    @property
    def spans(self) -> int:
        return sum(len(a.spans) for a in self.gold)


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
    article_id: str, text: str, by_annotator: dict[str, set[LabeledSpan]], strategy: str
) -> tuple[list[LabeledSpan], dict[str, list[str]], list[Conflict]]:
    voters = sorted(by_annotator)
    votes: dict[LabeledSpan, list[str]] = {}
    for name in voters:
        for span in by_annotator[name]:
            votes.setdefault(span, []).append(name)
    kept: list[LabeledSpan] = []
    conflicts: list[Conflict] = []
    for cluster in _clusters(list(votes)):
        if strategy == "intersection":
            winners = [s for s in cluster if len(votes[s]) == len(voters)]
        elif strategy == "majority":
            winners = [s for s in cluster if len(votes[s]) * 2 > len(voters)]
        else:  # union
            winners = cluster if len(cluster) == 1 else []
        winners = winners if len(winners) == 1 else []
        if winners:
            kept.append(winners[0])
        losers = [s for s in cluster if s not in winners]
        if losers and (len(cluster) > 1 or strategy != "union"):
            region = {
                n: [[s.start, s.end, s.label] for s in cluster if n in votes[s]] for n in voters
            }
            reason = (
                "overlapping spans disagree"
                if len(cluster) > 1
                else f"marked by {', '.join(votes[cluster[0]])} only"
            )
            conflicts.append(Conflict(article_id, region, reason))
    provenance = {span_key(s): votes[s] for s in kept}
    return kept, provenance, conflicts


def merge(annotations: Annotations, strategy: str) -> MergeReport:
    """One gold annotation per article.

    Args:
        strategy: ``majority`` (more than half of the article's annotators), ``intersection`` (all of
            them), ``union`` (anyone, unless spans overlap), or ``prefer:NAME`` (NAME's spans where
            NAME labelled the article, majority elsewhere).

    Raises:
        LabelsError: unknown strategy or annotator, or no gold span left.
    """
    preferred = None
    if strategy.startswith("prefer:"):
        preferred = strategy.split(":", 1)[1]
        if preferred not in annotations:
            raise LabelsError(
                f"--strategy {strategy}: no annotator {preferred!r} (have {', '.join(sorted(annotations))})"
            )
    elif strategy not in ("majority", "intersection", "union"):
        raise LabelsError(f"unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}")
    article_ids = sorted({a for by_article in annotations.values() for a in by_article})
    report = MergeReport(gold=[])
    for article_id in article_ids:
        present = {n: arts[article_id] for n, arts in annotations.items() if article_id in arts}
        text = next(iter(present.values())).text
        if len(present) == 1:
            ((name, article),) = present.items()
            report.single_annotator += 1
            report.gold.append(
                AnnotatedArticle(
                    article_id,
                    text,
                    sorted(set(article.spans)),
                    article.confirmed,
                    {span_key(s): [name] for s in article.spans},
                )
            )
            continue
        report.multi_annotator += 1
        if preferred and preferred in present:
            spans = sorted(set(present[preferred].spans))
            provenance = {
                span_key(s): sorted(n for n, a in present.items() if s in set(a.spans))
                for s in spans
            }
            report.gold.append(AnnotatedArticle(article_id, text, spans, True, provenance))
            continue
        mode = "majority" if preferred else strategy
        spans, provenance, conflicts = _vote(
            article_id, text, {n: set(a.spans) for n, a in present.items()}, mode
        )
        report.conflicts.extend(conflicts)
        report.gold.append(AnnotatedArticle(article_id, text, spans, True, provenance))
    if report.spans == 0:
        raise LabelsError(
            f"the {strategy} merge leaves no gold span ({len(report.conflicts)} conflict(s)); "
            "try another --strategy or resolve the conflicts"
        )
    return report
