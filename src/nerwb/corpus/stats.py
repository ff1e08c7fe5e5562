"""Corpus statistics: articles, segments and words per split, duplicates and near-duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field

from nerwb.choices import SPLIT_NAMES
from nerwb.corpus.dedup import near_duplicate_groups
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import Splits
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.articles import Article


@dataclass
class SplitCounts:
    articles: int = 0
    segments: int = 0
    words: int = 0


@dataclass
class CorpusStats:
    per_split: dict[str, SplitCounts] = field(default_factory=dict)
    duplicates_skipped: int = 0
    near_duplicate_groups: list[list[str]] = field(default_factory=list)

    @property
    def total(self) -> SplitCounts:
        out = SplitCounts()
        for c in self.per_split.values():
            out.articles += c.articles
            out.segments += c.segments
            out.words += c.words
        return out


def corpus_stats(
    articles: list[Article],
    splits: Splits | None,
    *,
    segment_length: int,
    duplicates_skipped: int,
    near_duplicate_threshold: float,
    on_progress: OnProgress | None = None,
) -> CorpusStats:
    """Counts per split and the near-duplicate groups.

    Args:
        on_progress: hears of each step; each article is visited twice (segments, then
            near-duplicate index), so ``total`` is twice the article count.
    """
    total, done = 2 * len(articles), [0]

    def tick() -> None:
        done[0] += 1
        emit(
            on_progress,
            ProgressEvent("Counting segments and near-duplicates", done[0], total, "step"),
        )

    stats = CorpusStats(per_split={name: SplitCounts() for name in (*SPLIT_NAMES, "unsplit")})
    assignments = splits.assignments if splits else {}
    for article in articles:
        counts = stats.per_split[assignments.get(article.id, "unsplit")]
        counts.articles += 1
        counts.words += article.words
        counts.segments += len(segment_article(article.id, article.text, segment_length))
        tick()
    stats.duplicates_skipped = duplicates_skipped
    stats.near_duplicate_groups = near_duplicate_groups(
        ((a.id, a.text) for a in articles), near_duplicate_threshold, on_progress=lambda _: tick()
    )
    return stats
