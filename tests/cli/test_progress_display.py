"""One progress protocol (issue 23, item 5): the library emits ``ProgressEvent``s, and
``nerwb.cli._progress`` alone draws them: a Rich bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

import nerwb.cli
from nerwb.cli import _progress
from nerwb.cli._progress import show_progress
from nerwb.progress import ProgressEvent

CLI = Path(nerwb.cli.__file__).parent


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100, highlight=False), out


def test_not_a_terminal_gives_plain_lines_and_a_last_line(monkeypatch) -> None:
    monkeypatch.setattr(_progress, "PLAIN_EVERY_S", 0.0)  # every event, to see each line
    console, out = _console(terminal=False)
    with show_progress(console, "Pushing segments", unit="segment") as bar:
        for done in (0, 5, 10):
            bar(ProgressEvent("Pushing segments", done, 10, "segment"))
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["Pushing segments: 0/10 segment(s)", "Pushing segments: 5/10 segment(s)"]
    assert lines[2].startswith("Pushing segments: 10/10 segment(s) in ") and len(lines) == 3
    assert "\x1b[" not in out.getvalue() and "\r" not in out.getvalue()


def test_a_transient_display_leaves_no_line_in_a_log() -> None:
    console, out = _console(terminal=False)
    with show_progress(console, "Indexing", transient=True) as bar:
        bar(ProgressEvent("Indexing", 3, 3, "article"))
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_with_the_stage_and_counts() -> None:
    console, out = _console(terminal=True)
    with show_progress(console, unit="article") as bar:
        bar(ProgressEvent("Reading", 2, 4, "article", item="news.txt"))
    drawn = out.getvalue()
    assert "Reading news.txt" in drawn and "2/4" in drawn and "\x1b[" in drawn


def test_only_the_helper_builds_a_rich_progress() -> None:
    builders = [
        path.name
        for path in sorted(CLI.glob("*.py"))
        if path.name != "_progress.py" and "rich.progress" in path.read_text(encoding="utf-8")
    ]
    assert builders == []
