"""Agreement on small hand-made annotations."""

import json

import pytest

from conftest import FP, FP_AG, LB, art
from nerwb.errors import LabelsError
from nerwb.labels.agreement import agreement
from nerwb.labels.annotations import (
    save_units,
)


def test_agreement_reconciles_by_hand() -> None:
    report = agreement(
        {"A": {"a1": art([LB, FP])}, "B": {"a1": art([LB, FP_AG])}},
        labels=["ARMED_GROUP", "CASUALTY_FIGURE"],
        lang="en",
    )
    # spans: 1 shared, 1 only A, 1 only B -> F1 = 2*1 / (2*1 + 1 + 1) = 0.5
    assert report.overall_f1 == pytest.approx(0.5)
    assert report.per_label["ARMED_GROUP"].f1 == pytest.approx(2 / 3)
    assert report.per_label["CASUALTY_FIGURE"].f1 == pytest.approx(0.0)
    # tokens  Gunmen of Lions Brigade killed four people .
    # A       O      O  AG    AG      O      CF   CF     O
    # B       O      O  AG    AG      O      AG   AG     O
    # po = 6/8; pe = (4*4 + 2*4 + 2*0) / 64 = 0.375; kappa = (0.75 - 0.375) / 0.625 = 0.6
    assert report.overall_kappa == pytest.approx(0.6)
    assert report.kinds == {"type": 1}
    assert (
        report.pairs[0]
        .disagreements[0]
        .context.startswith("Gunmen of Lions Brigade killed ⟦four people⟧")
    )


def test_agreement_boundary_and_missed_kinds() -> None:
    a = art([LB, FP])
    b = art([(16, 23, "ARMED_GROUP")])
    report = agreement({"A": {"a1": a}, "B": {"a1": b}}, labels=["ARMED_GROUP"], lang="en")
    assert report.kinds == {"boundary": 1, "missed_by_b": 1}


def test_agreement_needs_shared_articles() -> None:
    with pytest.raises(LabelsError, match="no two annotators share a segment confirmed by both"):
        agreement(
            {"A": {"a1": art([LB])}, "B": {"a2": art([LB], article_id="a2")}}, labels=[], lang="en"
        )


def test_agreement_cli_json_shape(ws, cli) -> None:
    save_units(ws.imports_dir / "A.jsonl", [art([LB, FP])])
    save_units(ws.imports_dir / "B.jsonl", [art([LB, FP_AG])])
    result = cli("labels", "agreement", "--json", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overall"]["f1"] == pytest.approx(0.5) and data["overall"][
        "kappa"
    ] == pytest.approx(0.6)
    assert set(data["per_label"]["ARMED_GROUP"]) >= {"f1", "kappa"}
    assert data["pairs"][0]["a"] == "A"


def test_agreement_cli_shows_na_for_a_label_nobody_used(ws, cli) -> None:
    save_units(ws.imports_dir / "A.jsonl", [art([LB])])
    save_units(ws.imports_dir / "B.jsonl", [art([LB])])
    result = cli("labels", "agreement", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "CASUALTY_FIGURE" in line)
    assert "n/a" in row and "1.000" not in row
    data = json.loads((ws.agreement_path).read_text())
    assert data["per_label"]["CASUALTY_FIGURE"]["f1"] is None
