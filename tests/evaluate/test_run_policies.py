"""evaluate's conversion of .jsonl/CoNLL gold: policies validated, changes recorded."""

from __future__ import annotations

import json

import pytest

from conftest import snapshot_tree, write_jsonl
from nerwb.errors import LabelsError
from nerwb.evaluate.data import load_gold_docs
from nerwb.labels.policies import MisalignedPolicy, OverlapPolicy, SpanPolicies

TEXT = "Fighters of the Lions Brigade carried rifles."


def test_run_unknown_misaligned_policy_is_refused(tiny_workspace, cli, tmp_path) -> None:
    ws, model = tiny_workspace
    data = write_jsonl(tmp_path / "g.jsonl", [{"text": TEXT, "label": [[17, 29, "ARMED_GROUP"]]}])
    before = snapshot_tree(ws.root)
    result = cli("evaluate", model, data, "--on-misaligned", "expnad", "-w", ws.root)
    assert result.exit_code != 0
    assert "expnad" in result.stderr and "expand" in result.stderr
    assert snapshot_tree(ws.root) == before
    with pytest.raises(LabelsError, match="on_misaligned must be one of error, expand"):
        SpanPolicies(on_misaligned="expnad")  # parsed once, where the policies are made
    assert SpanPolicies("expand").on_misaligned is MisalignedPolicy.EXPAND
    assert [p.value for p in MisalignedPolicy] == ["error", "expand", "contract", "skip"]
    assert [p.value for p in OverlapPolicy] == ["error", "longest", "skip"]


def test_run_out_of_range_span_is_outside_the_text(tmp_path) -> None:
    data = write_jsonl(tmp_path / "g.jsonl", [{"text": TEXT, "label": [[16, 99, "ARMED_GROUP"]]}])
    with pytest.raises(LabelsError, match=r"\[16, 99, ARMED_GROUP\] lies outside the text"):
        load_gold_docs(data, lang="en", policies=SpanPolicies("expand"))


def test_run_overlap_option_and_conversion_recorded(tiny_workspace, cli, tmp_path) -> None:
    ws, model = tiny_workspace
    data = write_jsonl(
        tmp_path / "g.jsonl",
        [
            {
                "text": TEXT,
                "label": [
                    [16, 29, "ARMED_GROUP"],
                    [22, 29, "ARMED_GROUP"],
                    [17, 24, "ARMED_GROUP"],
                ],
            }
        ],
    )
    refused = cli("evaluate", model, data, "--on-misaligned", "skip", "-w", ws.root)
    assert refused.exit_code == 1 and "Choose --on-overlap longest or skip" in refused.stderr
    out = tmp_path / "run"
    result = cli(
        "evaluate", model, data, "--on-misaligned", "skip", "--on-overlap", "longest",
        "-o", out, "-w", ws.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    conversion = json.loads((out / "metrics.json").read_text())["conversion"]
    assert conversion["on_misaligned"] == "skip" and conversion["on_overlap"] == "longest"
    assert conversion["skipped"] == 2 and conversion["changed"] == 0
    assert {e["kind"] for e in conversion["events"]} == {"misaligned", "overlap"}
    assert "dropped 2" in " ".join(result.stderr.split())
