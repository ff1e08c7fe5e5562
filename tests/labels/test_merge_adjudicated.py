"""`labels merge` says how many segments an adjudicator's decision settled."""

from __future__ import annotations

import json

from conftest import FP, FP_AG, LB, art
from nerwb.labels.annotations import save_units
from nerwb.labels.snapshots import REVIEW_FOLDER, snapshot_file_name


def test_merge_counts_segments_settled_by_an_adjudicator(ws, cli) -> None:
    snapshot = ws.pulls_dir / "20260101T000000Z"
    save_units(snapshot / snapshot_file_name("amira"), [art([LB, FP])])
    save_units(snapshot / snapshot_file_name("ben"), [art([LB, FP_AG])])
    save_units(snapshot / REVIEW_FOLDER / snapshot_file_name("lead"), [art([LB, FP_AG])])
    (snapshot / "manifest.json").write_text("{}", encoding="utf-8")
    result = cli("labels", "merge", "--strategy", "intersection", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "1 segment(s) settled by an adjudicator's decision" in out
    gold = [json.loads(x) for x in ws.gold_path.read_text(encoding="utf-8").splitlines()]
    assert any("adjudicated:lead" in json.dumps(g) for g in gold)  # the decision is the gold


def test_merge_without_a_review_says_nothing_about_adjudication(ws, cli) -> None:
    save_units(ws.imports_dir / "A.jsonl", [art([LB])])
    result = cli("labels", "merge", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "adjudicator" not in result.stdout
