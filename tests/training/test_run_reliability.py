"""Training runs: short budgets, data overrides, bad override values, interrupted runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from conftest import prepare_demo_gold, snapshot_tree
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.text import blank
from nerwb.training.options import TrainOptions
from nerwb.training.run import steps_only, train

SMALL = ("--components.tok2vec.model.encode.width", "32")


@pytest.fixture
def trained_ws(ws):
    prepare_demo_gold(ws)
    return ws


def _subset(src: Path, dest: Path, n: int) -> Path:
    docs = list(DocBin().from_disk(src).get_docs(blank("en").vocab))[:n]
    DocBin(docs=docs, store_user_data=True).to_disk(dest)
    return dest


def test_run_max_steps_below_eval_frequency_still_evaluates_the_last_step(trained_ws, cli) -> None:
    ws = trained_ws
    out = ws.root / "training" / "short"
    result = cli(
        "train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out,
        "--training.max_steps", "8", *SMALL, "-w", ws.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "eval_frequency" in result.stderr and "8" in result.stderr
    manifest = TrainingManifest.load(manifest_path(out)).to_json()
    assert manifest["evaluations"][-1]["step"] == 8


def test_run_honours_paths_overrides_and_config_paths(trained_ws, cli, tmp_path: Path) -> None:
    ws = trained_ws
    other = _subset(ws.docbin_path("train"), tmp_path / "other.spacy", 20)
    out = ws.root / "training" / "paths"
    result = cli(
        "train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, "--paths.train", other,
        "--training.max_steps", "2", "--training.eval_frequency", "2", *SMALL, "-w", ws.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    manifest = TrainingManifest.load(manifest_path(out)).to_json()
    assert manifest["data"]["train"]["path"] == str(other)
    assert manifest["data"]["train"]["docs"] == 20
    # a config's own [paths] train is the data when no --train is given
    cfg = tmp_path / "own.cfg"
    text = (ws.configs_dir / "ner-fast.cfg").read_text()
    cfg.write_text(text.replace("[paths]\ntrain = null", f'[paths]\ntrain = "{other}"', 1))
    out2 = ws.root / "training" / "own"
    result = cli(
        "train", "-c", cfg, "-o", out2,
        "--training.max_steps", "2", "--training.eval_frequency", "2", *SMALL, "-w", ws.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert TrainingManifest.load(manifest_path(out2)).data["train"].path == str(other)
    # the test set is refused whichever way it is named
    before = snapshot_tree(ws.root)
    for args in (
        ("--paths.train", ws.docbin_path("test")),
        ("--paths.dev", ws.docbin_path("test")),
    ):
        refused = cli("train", *args, "--training.max_steps", "2", "-w", ws.root)
        assert refused.exit_code == 1
        assert "is the held-out test set" in refused.stderr
    assert snapshot_tree(ws.root) == before


def test_run_bad_override_value_is_one_line_error(trained_ws, cli) -> None:
    ws = trained_ws
    before = snapshot_tree(ws.root)
    result = cli("train", "--training.max_steps", "abc", "-w", ws.root)
    assert result.exit_code == 1
    # the library names the override; the advice line says how to give one (issue 31, item 4)
    said = " ".join(result.stderr.split())
    assert "override training.max_steps 'abc'" in said and "an integer" in said
    assert "--section.key value" in said
    assert "Traceback" not in result.stderr
    result = cli("train", "--training.dropout", "lots", "-w", ws.root)
    assert result.exit_code == 1 and "override training.dropout 'lots'" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_run_interrupt_removes_staging_and_stale_partials_are_swept(trained_ws) -> None:
    ws = trained_ws
    ws.training_dir.mkdir(parents=True, exist_ok=True)
    finished = ws.training_dir / "finished"
    (finished / "model-best").mkdir(parents=True)
    (finished / "manifest.json").write_text("{}")
    orphan = ws.training_dir / ".old.partial"  # from a version that wrote no owner file
    orphan.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = ws.training_dir / ".gone.partial"
    gone.mkdir()
    (gone / "nerwb-owner.pid").write_text(str(dead.pid))
    live = ws.training_dir / ".live.partial"
    live.mkdir()
    (live / "nerwb-owner.pid").write_text(str(os.getppid()))

    def interrupt(event) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(
            ws,
            TrainOptions(
                config=ws.configs_dir / "ner-fast.cfg",
                output=ws.training_dir / "run",
                overrides={"training.max_steps": 50, "components.tok2vec.model.encode.width": 32},
            ),
            on_progress=steps_only(interrupt),
        )
    left = sorted(p.name for p in ws.training_dir.iterdir())
    assert left == [".live.partial", "finished"]
    assert (finished / "manifest.json").read_text() == "{}"


def test_run_cli_summary_and_progress_bar_agree_on_elapsed_time(
    trained_ws, cli, monkeypatch
) -> None:
    import re

    from nerwb.cli._common import console

    # the bar is drawn on a terminal only (a log gets one line per evaluation instead)
    monkeypatch.setattr(console, "_force_terminal", True)
    ws = trained_ws
    result = cli(
        "train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", ws.root / "training" / "clock",
        "--training.max_steps", "4", "--training.eval_frequency", "2", *SMALL, "-w", ws.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout)  # the bar's redraw codes
    bar = re.findall(r"best F [\d.]+\s+(\d+:\d\d:\d\d)", shown)
    summary = re.search(r"Trained in (\d+:\d\d:\d\d)", shown)
    assert bar and summary and bar[-1] == summary.group(1)
