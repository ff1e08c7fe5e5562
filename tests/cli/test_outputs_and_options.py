"""Outputs that cannot be written and bad options: one line, exit 1, nothing on disk changed
(issue 24.9, 9b, 9c, 22b, 22f).

Tests run as root here, where permission bits do not stop a write: an unwritable target is made
as a path under a regular file, or a folder standing where an output file goes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, snapshot_tree
from nerwb.corpus.splits import load_splits


def one_line(stderr: str) -> str:
    """The one error line; an indented advice line may follow it (issue 31, item 4)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("  ")), stderr
    return lines[0]


def test_corpus_add_into_a_corpus_folder_that_is_a_file(ws, cli) -> None:
    (ws.root / "corpus").rmdir()
    (ws.root / "corpus").write_text("not a folder\n")
    before = snapshot_tree(ws.root)
    result = cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root)
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "cannot write to" in line and "corpus is a file" in line
    assert snapshot_tree(ws.root) == before


def test_labels_merge_and_convert_check_their_outputs_first(ws, cli) -> None:
    from conftest import prepare_demo_gold

    prepare_demo_gold(ws)
    (ws.labels_dir / "train.spacy").unlink()
    (ws.labels_dir / "train.spacy").mkdir()  # a folder where the DocBin goes
    before = snapshot_tree(ws.root)
    result = cli("labels", "convert", "-w", ws.root)
    assert result.exit_code == 1
    assert "train.spacy: it is a folder" in one_line(result.stderr)
    assert snapshot_tree(ws.root) == before

    gold = ws.gold_path.parent
    for file in gold.iterdir():
        file.unlink()
    gold.rmdir()
    gold.write_text("a file where labels/gold/ goes\n")
    before = snapshot_tree(ws.root)
    result = cli("labels", "merge", "-w", ws.root)
    assert result.exit_code == 1
    assert "labels/gold is a file" in one_line(result.stderr)
    assert snapshot_tree(ws.root) == before


def test_any_other_os_error_is_one_line_naming_the_path(ws, cli) -> None:
    from conftest import LB, art
    from nerwb.labels.annotations import save_units

    save_units(ws.imports_dir / "A.jsonl", [art([LB])])
    save_units(ws.imports_dir / "B.jsonl", [art([LB])])
    ws.agreement_path.parent.write_text("a file where labels/agreement/ goes\n")
    result = cli("labels", "agreement", "-w", ws.root)
    assert result.exit_code == 1
    assert str(ws.agreement_path.parent) in one_line(result.stderr)


def test_train_output_under_a_file_and_gpu_without_cupy(ws, cli, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n")
    before = snapshot_tree(ws.root)
    result = cli("train", "-o", blocker / "run", "-w", ws.root)
    assert result.exit_code == 1
    assert f"cannot write to {blocker / 'run'}: {blocker} is a file" in one_line(result.stderr)
    # no CuPy: a real machine without it shows the same; hidden here so a GPU box agrees
    monkeypatch.setitem(sys.modules, "cupy", None)
    result = cli("train", "--gpu-id", "0", "-w", ws.root)
    assert result.exit_code == 1
    assert "--gpu-id 0: CuPy is not installed" in one_line(result.stderr)
    assert snapshot_tree(ws.root) == before


@pytest.mark.parametrize("resamples", ["0", "-5"])
def test_bootstrap_below_one_is_refused_up_front(ws, cli, tmp_path, resamples) -> None:
    before = snapshot_tree(ws.root)
    result = cli("evaluate", tmp_path / "no-model", "--bootstrap", resamples, "-w", ws.root)
    assert result.exit_code == 1
    assert f"--bootstrap {resamples}: give at least 1 resample" in one_line(result.stderr)
    result = cli("compare", tmp_path / "a", tmp_path / "b", "--bootstrap", resamples)
    assert result.exit_code == 1 and "give at least 1 resample" in one_line(result.stderr)
    assert snapshot_tree(ws.root) == before


def test_evaluate_output_under_a_file(ws, cli, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n")
    result = cli("evaluate", tmp_path / "no-model", "-o", blocker / "report", "-w", ws.root)
    assert result.exit_code == 1
    assert f"{blocker} is a file" in one_line(result.stderr)


def test_evaluate_on_the_models_own_training_data_warns_and_compare_takes_w(
    tiny_workspace, cli, tmp_path
) -> None:
    ws, model = tiny_workspace
    result = cli(
        "evaluate", model, ws.docbin_path("train"), "--bootstrap", "20",
        "-o", ws.evaluate_dir / "on-train", "-w", ws.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "train.spacy is the training data of this model" in said
    assert "the figures are not held-out" in said
    held_out = cli(
        "evaluate", model, "--bootstrap", "20", "-o", ws.evaluate_dir / "on-test", "-w", ws.root
    )
    assert held_out.exit_code == 0 and "not held-out" not in held_out.stderr
    # compare -w: run folders relative to the workspace, from anywhere
    result = cli(
        "compare", "evaluate/on-test", "evaluate/on-test", "--bootstrap", "20", "--json",
        "-w", ws.root, cwd=tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"]


def test_split_reset_test_answered_no_says_cancelled(ws, cli) -> None:
    assert cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root).exit_code == 0
    assert cli("corpus", "split", "-w", ws.root).exit_code == 0
    splits = load_splits(ws.splits_path)
    before = snapshot_tree(ws.root)
    result = cli("corpus", "split", "--reset-test", "-w", ws.root, input="n\n")
    assert result.exit_code == 1
    assert "Cancelled: nothing was re-split" in result.stdout
    assert snapshot_tree(ws.root) == before and load_splits(ws.splits_path) == splits


def test_check_output_folder_probes_the_nearest_existing_parent(tmp_path: Path) -> None:
    from nerwb.errors import OutputError
    from nerwb.io import check_output_file, check_output_folder

    check_output_folder(tmp_path / "new" / "deeper")  # fine, and nothing made
    assert not (tmp_path / "new").exists() and list(tmp_path.iterdir()) == []
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match=r"f is a file, not a folder"):
        check_output_folder(tmp_path / "f")
    with pytest.raises(OutputError, match=r"it is a folder"):
        check_output_file(tmp_path)
