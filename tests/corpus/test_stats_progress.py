"""`corpus stats` and `corpus split` report progress through a callback (the CLI's bar)."""

from __future__ import annotations

from conftest import DEMO_ARTICLES
from nerwb.corpus.readers import read_articles
from nerwb.corpus.splits import load_splits, split_workspace
from nerwb.corpus.stats import corpus_stats
from nerwb.corpus.store import add_articles, load_articles


def test_stats_and_split_report_progress_to_the_end(ws) -> None:
    add_articles(ws.articles_path, read_articles([DEMO_ARTICLES]))
    split_calls: list[tuple[int, int]] = []
    split_workspace(ws, on_progress=lambda done, total: split_calls.append((done, total)))
    articles = load_articles(ws.articles_path)
    assert split_calls[-1] == (len(articles), len(articles))
    stats_calls: list[tuple[int, int]] = []
    corpus_stats(
        articles,
        load_splits(ws.splits_path),
        segment_length=ws.config.corpus.segment_length,
        duplicates_skipped=0,
        near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
        on_progress=lambda done, total: stats_calls.append((done, total)),
    )
    done = [d for d, _ in stats_calls]
    assert done == sorted(done) and stats_calls[-1][0] == stats_calls[-1][1] > 0
