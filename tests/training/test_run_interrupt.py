"""Ctrl-C during ``nerwb train`` keeps what training made: a real process, a real SIGINT."""

from __future__ import annotations

import signal
import subprocess

import pytest
import spacy

from _concurrency import CLI, wait_for
from nerwb.records.training import RunStatus, TrainingManifest, manifest_path

pytestmark = pytest.mark.slow  # each trains in a child process and interrupts it


def _ctrl_c_as_in_a_terminal() -> None:
    # A child of a background job in a shell without job control inherits SIGINT ignored, and
    # Python then installs no KeyboardInterrupt handler: give the child a terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_keeps_model_best_and_model_last_and_marks_the_manifest(
    trained_ws, tmp_path
) -> None:
    ws = trained_ws
    out = ws.training_dir / "run"
    staging = ws.training_dir / ".run.partial"
    err = tmp_path / "err.txt"
    proc = subprocess.Popen(
        [
            *CLI,
            "train",
            "-c",
            ws.configs_dir / "ner-fast.cfg",
            "-o",
            out,
            "--training.max_steps",
            "100000",
            "--training.eval_frequency",
            "5",
            "--components.tok2vec.model.encode.width",
            "32",
            "-w",
            ws.root,
        ],
        stdout=subprocess.PIPE,
        stderr=err.open("w"),
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        last = staging / "model-last" / "meta.json"
        wait_for(last.exists, "the first evaluation (step 0)")
        # spaCy saves model-last at every evaluation, just before it reports the evaluation:
        # after the third save (step 10), step 5's evaluation is surely on record
        saves = [last.stat().st_mtime_ns]

        def saved_again() -> bool:
            if last.exists() and last.stat().st_mtime_ns != saves[-1]:
                saves.append(last.stat().st_mtime_ns)
            return len(saves) >= 3

        wait_for(saved_again, "two evaluations after step 0")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = err.read_text()
    assert proc.returncode == 130, stderr
    assert "Interrupted:" in stderr and "kept" in stderr and str(out / "model-best") in stderr
    assert not staging.exists()
    manifest = TrainingManifest.load(manifest_path(out))
    assert manifest.status == RunStatus.INTERRUPTED
    assert manifest.evaluations and manifest.evaluations[-1].step >= 5
    assert (out / "train.log").is_file()
    for folder in ("model-best", "model-last"):
        assert spacy.load(out / folder).pipe_names  # a loadable pipeline, not half a folder


def test_ctrl_c_before_any_training_keeps_nothing(trained_ws, tmp_path) -> None:
    ws = trained_ws
    out = ws.training_dir / "early"
    # the workspace lock is free; interrupt as soon as the run folder is claimed
    proc = subprocess.Popen(
        [
            *CLI,
            "train",
            "-c",
            ws.configs_dir / "ner-fast.cfg",
            "-o",
            out,
            "--training.max_steps",
            "100000",
            "--training.eval_frequency",
            "100000",
            "--components.tok2vec.model.encode.width",
            "32",
            "-w",
            ws.root,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        wait_for(
            (ws.training_dir / ".early.partial" / "model-best").exists, "the step-0 evaluation"
        )
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "before the first evaluation" in stderr
    assert not out.exists() and not (ws.training_dir / ".early.partial").exists()
