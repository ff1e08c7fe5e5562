"""Merge strategies on small hand-made annotations."""

from conftest import FP, FP_AG, LB, art, snapshot_tree
from nerwb.labels.annotations import (
    LabeledSpan,
    save_units,
)
from nerwb.labels.merge import MergeOptions, merge


def test_merge_strategies_and_provenance() -> None:
    annotations = {
        "A": {"a1": art([LB, FP]), "solo": art([LB], article_id="solo")},
        "B": {"a1": art([LB, FP_AG])},
        "C": {"a1": art([LB, FP])},
    }
    majority = merge(annotations, MergeOptions.parse("majority"))
    gold = {a.article_id: a for a in majority.gold}
    assert gold["a1"].spans == [LabeledSpan(*LB), LabeledSpan(*FP)]
    assert gold["a1"].provenance["31,42,CASUALTY_FIGURE"] == ["A", "C"]
    assert gold["solo"].spans == [LabeledSpan(*LB)] and majority.single_annotator == 1
    assert len(majority.conflicts) == 1  # B's ARMED_GROUP reading of "four people"

    intersection = merge(annotations, MergeOptions.parse("intersection"))
    assert {a.article_id: a.spans for a in intersection.gold}["a1"] == [LabeledSpan(*LB)]
    preferred = merge(annotations, MergeOptions.parse("prefer:B"))
    assert {a.article_id: a.spans for a in preferred.gold}["a1"] == [
        LabeledSpan(*LB),
        LabeledSpan(*FP_AG),
    ]
    union = merge({"A": {"a1": art([FP])}, "B": {"a1": art([LB])}}, MergeOptions.parse("union"))
    assert union.gold[0].spans == [LabeledSpan(*LB), LabeledSpan(*FP)]


def test_merge_with_no_gold_left_is_error(ws, cli) -> None:
    save_units(ws.imports_dir / "A.jsonl", [art([LB])])
    save_units(ws.imports_dir / "B.jsonl", [art([FP])])
    before = snapshot_tree(ws.root)
    result = cli("labels", "merge", "--strategy", "intersection", "-w", ws.root)
    assert result.exit_code == 1
    assert "the intersection merge leaves no gold span (2 conflict(s))" in result.stderr
    assert snapshot_tree(ws.root) == before
    assert cli("labels", "merge", "--strategy", "prefer:nobody", "-w", ws.root).exit_code == 1
