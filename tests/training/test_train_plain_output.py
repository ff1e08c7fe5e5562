"""`nerwb train` with stdout not a terminal: one plain line per evaluation, train.log as it goes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from conftest import prepare_demo_gold
from nerwb.training.run import log_while_running
from nerwb.workspace import init_workspace


@pytest.mark.slow  # trains in a child process
def test_train_not_on_a_terminal_prints_each_evaluation_and_logs_as_it_goes(tmp_path) -> None:
    ws = prepare_demo_gold(init_workspace(tmp_path / "ws"))
    output = ws.training_dir / "plain"
    argv = [
        sys.executable,
        "-c",
        "from nerwb.cli.main import main; main()",
        "train",
        "-c",
        str(ws.configs_dir / "ner-fast.cfg"),
        "-o",
        str(output),
        "-w",
        str(ws.root),
        "--training.max_steps",
        # three evaluations are what is checked, not the model; 50 steps (~1.5 s) between the
        # first two leave time to hold the process still before the second is logged
        "100",
        "--training.eval_frequency",
        "50",
        "--components.tok2vec.model.encode.width",
        "32",
    ]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"}  # a pipe, not a terminal
    child = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    seen: list[str] = []
    for line in child.stdout:  # type: ignore[union-attr]
        seen.append(line)
        if line.startswith("step 0:"):
            break
    # Held still at the first evaluation: its line is already in train.log, mid-run.
    child.send_signal(signal.SIGSTOP)
    try:
        log = log_while_running(output)
        assert log.exists(), seen
        growing = log.read_text(encoding="utf-8")
        assert "step 0: loss ner" in growing and "step 50" not in growing
        assert not output.exists()  # the run is not finished
    finally:
        child.send_signal(signal.SIGCONT)
    rest, errors = child.communicate(timeout=600)
    assert child.returncode == 0, errors
    out = "".join(seen) + rest
    assert f"log as it goes: {log}" in " ".join(out.split())
    steps = [line.split(":")[0] for line in out.splitlines() if line.startswith("step ")]
    assert steps == ["step 0", "step 50", "step 100"]
    assert "\x1b[" not in out and "\r" not in out  # no progress bar redrawn, no colours
    final = (output / "train.log").read_text(encoding="utf-8")
    assert "step 100: loss ner" in final and "Saved pipeline" in final
