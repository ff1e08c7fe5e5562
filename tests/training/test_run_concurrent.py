"""Two `nerwb train` at once (issue 30.1): each run gets its own folder, claimed atomically, and
no run is published without its models.

Both processes wait on a lock held by a third, so that they claim their folders one right after
the other while both then train at the same time. Run folders are named to the second: the
clock of both is pinned to one second, as two runs started in the same second see it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from _concurrency import DEADLINE, Holder, wait_for
from conftest import prepare_demo_gold
from nerwb.records.training import RunStatus, TrainingManifest, manifest_path
from nerwb.training.options import TrainOptions
from nerwb.training.run import steps_only, train

pytestmark = pytest.mark.slow  # trains in two child processes at once

STAMP = "20990101T000000Z"
# `nerwb` with the run-folder clock pinned: both runs start "in the same second"
SAME_SECOND = (
    "import sys\n"
    "import nerwb.workspace\n"
    f"nerwb.workspace.utc_stamp = lambda: {STAMP!r}\n"
    "from nerwb.cli.main import main\n"
    "sys.exit(main())\n"
)
SHORT = (
    "--training.max_steps", "20", "--training.eval_frequency", "10",
    "--components.tok2vec.model.encode.width", "32",
)  # fmt: skip


def _start(args: list[str | Path], err: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SAME_SECOND, *map(str, args)],
        stdout=err.with_suffix(".out").open("w"),
        stderr=err.open("w"),
        env={**os.environ, "COLUMNS": "200"},
    )


def _both_after_a_held_lock(ws, tmp_path: Path, commands: list[list]) -> list[tuple[int, str]]:
    """Start the commands while another process holds the lock; release it once both wait."""
    holder = Holder(ws.root)
    errs = [tmp_path / f"err-{i}.txt" for i in range(len(commands))]
    procs = [_start(cmd, err) for cmd, err in zip(commands, errs, strict=True)]
    try:
        wait_for(
            lambda: all(
                "waiting" in e.read_text() or p.poll() is not None
                for e, p in zip(errs, procs, strict=True)
            ),
            "both trainings to wait for the lock",
        )
    finally:
        holder.release()
        codes = [p.wait(timeout=DEADLINE) for p in procs]
    return [
        (code, e.read_text() + e.with_suffix(".out").read_text())
        for code, e in zip(codes, errs, strict=True)
    ]


@pytest.fixture
def gold_ws(ws):
    prepare_demo_gold(ws)
    return ws


def test_two_trains_in_the_same_second_get_two_complete_run_folders(gold_ws, tmp_path) -> None:
    ws = gold_ws
    cfg = ws.configs_dir / "ner-fast.cfg"
    train_args = ["train", "-c", cfg, *SHORT, "-w", ws.root]
    results = _both_after_a_held_lock(ws, tmp_path, [train_args, train_args])
    assert [code for code, _ in results] == [0, 0], results
    runs = sorted(p.name for p in ws.training_dir.iterdir())
    assert runs == [f"ner-fast-{STAMP}", f"ner-fast-{STAMP}-2"], runs
    for run in runs:
        folder = ws.training_dir / run
        for model in ("model-best", "model-last"):
            assert (folder / model / "meta.json").is_file(), (run, model)
        assert TrainingManifest.load(manifest_path(folder)).status == RunStatus.FINISHED
    outputs = " ".join(out for _, out in results)
    assert f"Model: {ws.training_dir / runs[0] / 'model-best'}" in " ".join(outputs.split())
    assert f"Model: {ws.training_dir / runs[1] / 'model-best'}" in " ".join(outputs.split())


def test_a_second_train_into_the_same_named_folder_is_refused_while_the_first_runs(
    gold_ws, tmp_path
) -> None:
    ws = gold_ws
    out = ws.training_dir / "mine"
    train_args = ["train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, *SHORT, "-w", ws.root]
    results = _both_after_a_held_lock(ws, tmp_path, [train_args, train_args])
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    refused = next(text for code, text in results if code == 1)
    assert f"{out} is being trained into by another run (process" in " ".join(refused.split())
    assert "Traceback" not in refused
    assert (out / "model-best" / "meta.json").is_file()
    assert (out / "model-last" / "meta.json").is_file()
    assert TrainingManifest.load(manifest_path(out)).status == RunStatus.FINISHED
    assert sorted(p.name for p in ws.training_dir.iterdir()) == ["mine"]


def test_a_run_that_lost_its_models_is_not_published(gold_ws) -> None:
    # what a second process removing the staging folder's models did on aa70df1
    ws = gold_ws
    out = ws.training_dir / "lost"

    def remove_models(event) -> None:
        if event.step == 4:
            import shutil

            for model in (ws.training_dir / ".lost.partial").glob("model-*"):
                shutil.rmtree(model)

    from nerwb.errors import TrainingError

    with pytest.raises(TrainingError, match=r"ended without model-best"):
        train(
            ws,
            TrainOptions(
                config=ws.configs_dir / "ner-fast.cfg",
                output=out,
                overrides={
                    "training.max_steps": 4,
                    "training.eval_frequency": 2,
                    "components.tok2vec.model.encode.width": 32,
                },
            ),
            on_progress=steps_only(remove_models),
        )
    assert not out.exists()
    assert not list(ws.training_dir.glob(".*partial"))
