"""Ctrl-C in ``corpus add`` or ``doccano pull`` says what changed (nothing) and exits 130,
instead of a bare "Aborted" (issue 30, item 22). Real processes, a real SIGINT: each command
waits for the workspace lock, held by another process, when the signal comes."""

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
@pytest.mark.parametrize(
    ("command", "says"),
    [
        (
            ["corpus", "add", str(DEMO_ARTICLES)],
            "nothing was added; {root}/corpus/articles.jsonl is as it was",
        ),
        (["doccano", "pull"], "nothing was pulled; no new snapshot in {root}/labels/pulls"),
    ],
    ids=["corpus-add", "doccano-pull"],
)
def test_ctrl_c_says_nothing_changed(ws, tmp_path, command, says) -> None:
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
