"""The loop's default (``nerwb.loop.default.DEFAULT_LOOP``): one table that ``nerwb select``,
``doccano push --n`` and ``doccano suggest`` follow when not told, and that switches them all."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import snapshot_tree
from nerwb.choices import NameSource
from nerwb.loop import default as loop_default
from nerwb.loop.default import DEFAULT_LOOP, LoopDefault
from nerwb.loop.runs import latest_model, training_runs
from nerwb.records.doccano import PushLedger
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.select.strategies import SelectStrategy


def ranked(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_default_select_follows_the_table_with_and_without_a_model(
    tiny_workspace, cli, tmp_path, monkeypatch
) -> None:
    ws, model = tiny_workspace
    cold = cli("select", "--n", "3", "-o", tmp_path / "cold.jsonl", "-w", ws.root)
    assert cold.exit_code == 0, cold.stderr
    assert {r["strategy"] for r in ranked(tmp_path / "cold.jsonl")} == {str(DEFAULT_LOOP.first)}
    warm = cli("select", "--n", "3", "--model", model, "-o", tmp_path / "warm.jsonl", "-w", ws.root)
    assert warm.exit_code == 0, warm.stderr
    assert {r["strategy"] for r in ranked(tmp_path / "warm.jsonl")} == {str(DEFAULT_LOOP.then)}
    # switching the table switches the command
    switched = LoopDefault(
        SelectStrategy.RANDOM, SelectStrategy.UNCERTAIN, False, NameSource.GOLD, "a test"
    )
    monkeypatch.setattr(loop_default, "DEFAULT_LOOP", switched)
    assert cli("select", "--n", "3", "-o", tmp_path / "s.jsonl", "-w", ws.root).exit_code == 0
    assert {r["strategy"] for r in ranked(tmp_path / "s.jsonl")} == {"random"}
    # an explicit --select still wins
    assert (
        cli("select", "--select", "novel", "--n", "2", "-o", tmp_path / "n.jsonl", "-w", ws.root)
    ).exit_code == 0
    assert {r["strategy"] for r in ranked(tmp_path / "n.jsonl")} == {"novel"}


def test_default_table_names_strategies_a_first_batch_can_use() -> None:
    from nerwb.select.strategies import NEEDS_MODEL

    assert DEFAULT_LOOP.first not in NEEDS_MODEL  # the first batch has no model
    assert DEFAULT_LOOP.strategy(has_model=False) is DEFAULT_LOOP.first
    assert DEFAULT_LOOP.strategy(has_model=True) is DEFAULT_LOOP.then


def _add_run(ws, source, name: str, finished: str) -> None:
    """A copy of ``source``'s run folder as ``training/<name>``, finished at ``finished``."""
    folder = ws.training_dir / name
    shutil.copytree(source, folder)
    manifest = TrainingManifest.load(manifest_path(folder))
    manifest.finished = finished
    manifest.save(manifest_path(folder))


def test_latest_model_is_the_last_finished_run_with_a_model(tiny_workspace) -> None:
    ws, model = tiny_workspace
    assert latest_model(ws) == model
    _add_run(ws, model.parent, "later", "2999-01-01T00:00:00+00:00")
    _add_run(ws, model.parent, "earlier", "2000-01-01T00:00:00+00:00")
    assert latest_model(ws) == ws.training_dir / "later" / "model-best"
    shutil.rmtree(ws.training_dir / "later" / "model-best")  # a run that kept no model
    assert latest_model(ws) == model
    manifest_path(ws.training_dir / "earlier").write_text("{not json")
    runs, unreadable = training_runs(ws)
    assert unreadable == [manifest_path(ws.training_dir / "earlier")]
    assert [r.folder.name for r in runs] == [model.parent.name, "later"]


# today's table, whatever DEFAULT_LOOP says later: these tests check the mechanism
MODEL_ONLY = LoopDefault(
    SelectStrategy.NOVEL, SelectStrategy.UNCERTAIN_DIVERSE, True, None, "a test"
)


def test_default_suggest_without_a_model_says_what_to_do(ws, cli, monkeypatch) -> None:
    monkeypatch.setattr(loop_default, "DEFAULT_LOOP", MODEL_ONLY)
    before = snapshot_tree(ws.root)
    result = cli("doccano", "suggest", "-w", ws.root)
    assert result.exit_code == 1
    assert f"no trained model in {ws.training_dir} to suggest from" in result.stderr
    assert "--propagate" in result.stderr
    assert snapshot_tree(ws.root) == before


@pytest.mark.doccano
def test_default_push_n_and_suggest_follow_the_table(
    doccano_ws, tiny_model, cli, monkeypatch
) -> None:
    monkeypatch.setattr(loop_default, "DEFAULT_LOOP", MODEL_ONLY)
    ws = doccano_ws
    _, model = tiny_model
    pushed = cli(
        "doccano",
        "push",
        *("--split", "train", "--n", "2", "--annotators", "df_a", "--overlap", "0"),
        *("-w", ws.root),
    )
    assert pushed.exit_code == 0, pushed.stderr
    (entry,) = PushLedger(ws.push_ledger_path).data.values()
    assert {s.strategy for s in entry.selection.values()} == {"novel"}
    assert len(entry.selection) == 2
    # no MODEL, --patterns or --propagate: the latest trained model (here, a copy of the tiny one)
    shutil.copytree(model.parent, ws.training_dir / "run-1")
    suggested = cli("doccano", "suggest", "-w", ws.root)
    assert suggested.exit_code == 0, suggested.stderr
    said = " ".join(suggested.stdout.split())
    latest = ws.training_dir / "run-1" / "model-best"
    assert f"Suggesting as the loop's default does: the latest model, {latest}" in said
    assert f"Suggestions from model:{latest}" in said
