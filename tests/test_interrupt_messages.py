"""Ctrl-C in ``corpus add`` or ``doccano pull`` says what changed (nothing) and exits 130,
instead of a bare "Aborted" (issue 30, item 22). Real processes, a real SIGINT: each command
waits for the workspace lock, held by another process, when the signal comes.

``doccano pull`` logs in before it waits for the lock (the use case takes the lock, the command
hands it a client: issue 31, item 2), so a workspace without a server is refused at once; its
case runs against the real server."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from _concurrency import CLI, DEADLINE, Holder, wait_for
from conftest import DEMO_ARTICLES, snapshot_tree


def _ctrl_c_as_in_a_terminal() -> None:
    # a child of a background job inherits SIGINT ignored: give it a terminal's default
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow  # interrupts a child process
def test_ctrl_c_in_corpus_add_says_nothing_changed(ws, tmp_path) -> None:
    _interrupted_while_waiting(
        ws,
        tmp_path,
        ["corpus", "add", str(DEMO_ARTICLES)],
        "nothing was added; {root}/corpus/articles.jsonl is as it was",
    )


@pytest.mark.slow
@pytest.mark.doccano
def test_ctrl_c_in_doccano_pull_says_nothing_changed(doccano_ws, tmp_path) -> None:
    _interrupted_while_waiting(
        doccano_ws,
        tmp_path,
        ["doccano", "pull"],
        "nothing was pulled; no new snapshot in {root}/labels/pulls",
    )


def _interrupted_while_waiting(ws, tmp_path, command: list[str], says: str) -> None:
    holder = Holder(ws.root)
    err = tmp_path / "err.txt"
    try:
        before = snapshot_tree(ws.root)
        proc = subprocess.Popen(
            [*CLI, *command, "-w", str(ws.root)],
            stdout=subprocess.PIPE,
            stderr=err.open("w"),
            text=True,
            env={**os.environ, "COLUMNS": "300"},
            preexec_fn=_ctrl_c_as_in_a_terminal,
        )
        wait_for(lambda: "waiting" in err.read_text(), "the command to wait for the lock")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=DEADLINE) == 130
    finally:
        holder.release()
    said = " ".join(err.read_text().split())
    assert f"interrupted: {says.format(root=ws.root)}" in said
    assert "Traceback" not in said and "Aborted" not in said
    after = {k: v for k, v in snapshot_tree(ws.root).items() if not k.startswith(".nerwb/")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".nerwb/")}
