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


def test_only_the_helper_builds_a_rich_progress_or_spinner() -> None:
    builders = [
        path.name
        for path in sorted(CLI.glob("*.py"))
        if path.name != "_progress.py"
        and any(s in path.read_text(encoding="utf-8") for s in ("rich.progress", "console.status("))
    ]
    assert builders == []


def test_progress_every_library_callback_is_the_one_protocol() -> None:
    """Long library work reports through ``OnProgress`` only (server steps, lock waits, pull
    exports, near-duplicate indexing, the demo's stages, training steps): no parameter
    named on_* outside the CLI takes another callback shape."""
    import ast
    from pathlib import Path

    import nerwb

    policies = {"on_misaligned", "on_overlap", "on_error"}  # choices, not callbacks
    allowed = {"OnProgress", "OnProgress | None", "StepCallback | None"}
    found = []
    root = Path(nerwb.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for arg in [*node.args.args, *node.args.kwonlyargs]:
                    if not arg.arg.startswith("on_") or arg.arg in policies:
                        continue
                    shape = ast.unparse(arg.annotation) if arg.annotation else "(none)"
                    if shape not in allowed:
                        found.append(f"{path.relative_to(root)}:{node.name}({arg.arg}: {shape})")
    assert found == []


def test_progress_a_lock_wait_and_set_up_steps_render_through_the_helper() -> None:
    from rich.console import Console

    from nerwb.cli._progress import show_steps, show_wait
    from nerwb.lock import WAIT_STAGE
    from nerwb.progress import ProgressEvent, Steps

    console = Console(record=True, width=200, force_terminal=False)
    show_wait(console)(ProgressEvent(WAIT_STAGE, 0, None, "s", item="`nerwb train`", limit_s=12.5))
    said = console.export_text()
    assert "waiting up to 12.5 s for `nerwb train` to finish writing this workspace" in said
    heard = []
    steps = Steps(heard.append, "Starting Doccano")
    steps("Installing")
    steps("Waiting for /v1/health/")
    assert [(e.stage, e.done, e.item) for e in heard] == [
        ("Starting Doccano", 1, "Installing"),
        ("Starting Doccano", 2, "Waiting for /v1/health/"),
    ]
    with show_steps(console, "Starting Doccano") as on_progress:
        for event in heard:
            on_progress(event)  # a spinner on a terminal; nothing to fail on here
