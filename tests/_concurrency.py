"""Two real processes at once: a lock holder in another process, commands started while it
holds the lock, and a deadline for conditions on a loaded machine (never a speed claim)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

CLI = [sys.executable, "-c", "import sys; from nerwb.cli.main import main; sys.exit(main())"]
HOLD = """
import sys
from pathlib import Path
from nerwb.lock import workspace_lock
from nerwb.workspace import find_workspace
with workspace_lock(find_workspace(Path(sys.argv[1])), "holder test"):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin (or kills us)
"""
DEADLINE = 240  # seconds for a condition to come true on a loaded machine; never a speed claim


def wait_for(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


class Holder:
    """Another process holding the workspace lock until ``release()`` (or ``kill()``)."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "held"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            assert self.proc.wait(timeout=60) == 0

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)


def start(args: list[str | Path], err: Path) -> subprocess.Popen:
    """``nerwb ARGS`` in a new process; stderr to ``err``, stdout beside it (``.out``)."""
    return subprocess.Popen(
        [*CLI, *(str(a) for a in args)],
        stdout=err.with_suffix(".out").open("w"),
        stderr=err.open("w"),
        env={**os.environ, "COLUMNS": "200"},
    )


def run_two_at_once(ws, tmp_path, commands: list[list[str | Path]]) -> list[tuple[str, str]]:
    """Start both commands while another process holds the lock, see both wait, release: they
    run one after the other, each naming the holder while it waits. Returns (stdout, stderr)
    of each."""
    holder = Holder(ws.root)
    errs = [tmp_path / f"err-{i}.txt" for i in range(len(commands))]
    procs = [start(cmd, err) for cmd, err in zip(commands, errs, strict=True)]
    try:
        wait_for(
            lambda: all(
                "waiting" in e.read_text() or p.poll() is not None
                for e, p in zip(errs, procs, strict=True)
            ),
            "both commands to wait for the lock",
        )
        for err in errs:
            text = err.read_text()
            assert "waiting" in text, text
            assert f"`nerwb holder test` (pid {holder.proc.pid}" in text
    finally:
        holder.release()
        codes = [p.wait(timeout=DEADLINE) for p in procs]
    stderr = [e.read_text() for e in errs]
    assert codes == [0, 0], stderr
    return [(e.with_suffix(".out").read_text(), text) for e, text in zip(errs, stderr, strict=True)]
