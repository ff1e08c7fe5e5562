"""Audit on small hand-made annotations."""

import json

from conftest import art
from nerwb.labels.annotations import (
    save_units,
)
from nerwb.labels.audit import audit


def test_audit_lists_every_planted_problem() -> None:
    text = "The Lions Brigade  killed four people, officials said."
    planted = [
        (4, 17, "ARMED_GROUP"),  # fine: "Lions Brigade"
        (4, 19, "ARMED_GROUP"),  # trailing whitespace + overlap with the first
        (5, 17, "ARMED_GROUP"),  # misaligned: "ions Brigade"
        (26, 38, "CASUALTY_FIGURE"),  # trailing comma: "four people,"
        (30, 30, "CASUALTY_FIGURE"),  # empty
        (50, 99, "CASUALTY_FIGURE"),  # out of range
        (44, 53, "WEAPON"),  # unknown label
    ]
    problems = audit(
        {"A": {"a1": art(planted, text=text)}},
        labels=["ARMED_GROUP", "CASUALTY_FIGURE"],
        lang="en",
        articles=[],
        splits=None,
        near_duplicate_threshold=0.7,
        min_examples=10,
    )
    kinds = sorted((p.kind, p.start, p.end) for p in problems)
    assert ("whitespace", 4, 19) in kinds
    assert ("misaligned", 5, 17) in kinds
    assert ("punctuation", 26, 38) in kinds
    assert ("empty", 30, 30) in kinds
    assert ("out_of_range", 50, 99) in kinds
    assert ("unknown_label", 44, 53) in kinds
    assert any(k[0] == "overlap" for k in kinds)
    misaligned = next(p for p in problems if p.kind == "misaligned")
    assert misaligned.alternatives["expand"][2] == "Lions Brigade"
    assert misaligned.alternatives["contract"][2] == "Brigade"
    assert {p.label for p in problems if p.kind == "few_examples"} == {
        "ARMED_GROUP",
        "CASUALTY_FIGURE",
    }


def test_audit_cli_strict_and_jsonl(ws, cli) -> None:
    save_units(ws.imports_dir / "A.jsonl", [art([(11, 23, "ARMED_GROUP")])])
    result = cli("labels", "audit", "--strict", "-w", ws.root)
    assert result.exit_code == 1
    lines = ws.problems_path.read_text().splitlines()
    assert any(json.loads(line)["kind"] == "misaligned" for line in lines)
    assert cli("labels", "audit", "-w", ws.root).exit_code == 0
