"""`corpus stats` and `corpus split` report progress as ProgressEvents (the CLI's bar)."""

from __future__ import annotations

from conftest import DEMO_ARTICLES
from nerwb.corpus.readers import read_articles
from nerwb.corpus.splits import load_splits, split_workspace
from nerwb.corpus.stats import corpus_stats
from nerwb.corpus.store import add_articles, load_articles
from nerwb.progress import ProgressEvent


def test_stats_and_split_report_progress_to_the_end(ws) -> None:
    add_articles(ws.articles_path, read_articles([DEMO_ARTICLES]))
    split_events: list[ProgressEvent] = []
    split_workspace(ws, on_progress=split_events.append)
    split_calls = [(e.done, e.total) for e in split_events]
    assert {(e.stage, e.unit) for e in split_events} == {
        ("Indexing articles for near-duplicates", "article")
    }
    articles = load_articles(ws.articles_path)
    assert split_calls[-1] == (len(articles), len(articles))
    stats_events: list[ProgressEvent] = []
    corpus_stats(
        articles,
        load_splits(ws.splits_path),
        segment_length=ws.config.corpus.segment_length,
        duplicates_skipped=0,
        near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
        on_progress=stats_events.append,
    )
    stats_calls = [(e.done, e.total) for e in stats_events]
    done = [d for d, _ in stats_calls]
    assert done == sorted(done) and stats_calls[-1][0] == stats_calls[-1][1] > 0
