"""In a log, progress lines give real counts: no "Reading: 1 article(s)" for a read of many, and
a counted stage ends with its last count (issue 30, item 22)."""

from __future__ import annotations

import io

from rich.console import Console

from conftest import DEMO_ARTICLES
from nerwb.cli import _progress
from nerwb.cli._progress import show_progress
from nerwb.progress import ProgressEvent


def test_corpus_add_in_a_log_says_no_count_of_one(ws, cli) -> None:
    result = cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Reading: 1 article(s)" not in result.stdout
    assert result.stdout.startswith("Added ")


def test_a_long_read_logs_counts_and_ends_with_the_last(monkeypatch) -> None:
    now = [0.0]
    monkeypatch.setattr(_progress.time, "perf_counter", lambda: now[0])
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=100)
    with show_progress(console, transient=True, unit="article") as bar:
        for done, at in ((1, 1.0), (2, 2.0), (3, 13.0), (4, 14.0), (5, 15.0)):
            now[0] = at
            bar(ProgressEvent("Reading", done, None, "article"))
    lines = out.getvalue().splitlines()
    assert lines[0] == "Reading: 3 article(s)"  # the first count, 11 s after the start
    assert lines[1] == "Reading: 5 article(s) in 15.0 s" and len(lines) == 2
