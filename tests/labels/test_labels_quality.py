"""Audit, agreement, merge and conversion on small hand-made annotations."""

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import SHARED_DATA, needs_shared, snapshot_tree
from nerwb.corpus.splits import Splits
from nerwb.errors import LabelsError
from nerwb.labels.agreement import agreement
from nerwb.labels.annotations import (
    AnnotatedArticle,
    LabeledSpan,
    save_annotated,
    save_units,
    whole_article,
)
from nerwb.labels.audit import audit
from nerwb.labels.docbin import to_docbins
from nerwb.labels.merge import merge

TEXT = "Gunmen of Lions Brigade killed four people ."


def art(spans, text=TEXT, article_id="a1"):
    """One annotator's confirmed labels of a whole article (one unit)."""
    return whole_article(article_id, text, [LabeledSpan(*s) for s in spans])


def gold_art(spans, text=TEXT, article_id="a1"):
    return AnnotatedArticle(article_id, text, [LabeledSpan(*s) for s in spans])


LB = (10, 23, "ARMED_GROUP")
FP = (31, 42, "CASUALTY_FIGURE")
FP_AG = (31, 42, "ARMED_GROUP")


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


def test_merge_strategies_and_provenance() -> None:
    annotations = {
        "A": {"a1": art([LB, FP]), "solo": art([LB], article_id="solo")},
        "B": {"a1": art([LB, FP_AG])},
        "C": {"a1": art([LB, FP])},
    }
    majority = merge(annotations, "majority")
    gold = {a.article_id: a for a in majority.gold}
    assert gold["a1"].spans == [LabeledSpan(*LB), LabeledSpan(*FP)]
    assert gold["a1"].provenance["31,42,CASUALTY_FIGURE"] == ["A", "C"]
    assert gold["solo"].spans == [LabeledSpan(*LB)] and majority.single_annotator == 1
    assert len(majority.conflicts) == 1  # B's ARMED_GROUP reading of "four people"

    intersection = merge(annotations, "intersection")
    assert {a.article_id: a.spans for a in intersection.gold}["a1"] == [LabeledSpan(*LB)]
    preferred = merge(annotations, "prefer:B")
    assert {a.article_id: a.spans for a in preferred.gold}["a1"] == [
        LabeledSpan(*LB),
        LabeledSpan(*FP_AG),
    ]
    union = merge({"A": {"a1": art([FP])}, "B": {"a1": art([LB])}}, "union")
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


def _count_ents(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for doc in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab):
        for ent in doc.ents:
            out[ent.label_] = out.get(ent.label_, 0) + 1
    return out


def test_convert_policies_reconcile(tmp_path: Path) -> None:
    gold = [
        gold_art([(11, 23, "ARMED_GROUP"), FP], article_id="tr"),  # misaligned "ions Brigade"
        gold_art([LB, (16, 30, "ARMED_GROUP")], article_id="dv"),  # overlap
        gold_art([LB, FP], article_id="te"),
    ]
    splits = Splits({"tr": "train", "dv": "dev", "te": "test"})
    with pytest.raises(
        LabelsError,
        match=r"'tr': span \[11, 23, ARMED_GROUP\] 'ions Brigade' is not on token boundaries",
    ):
        to_docbins(gold[:1], splits, tmp_path, lang="en")
    assert not list(tmp_path.glob("*.spacy"))
    with pytest.raises(LabelsError, match="overlaps another span"):
        to_docbins(gold, splits, tmp_path, lang="en", on_misaligned="expand")
    report = to_docbins(
        gold, splits, tmp_path, lang="en", on_misaligned="expand", on_overlap="longest"
    )
    assert report.counts("train", "ARMED_GROUP").changed == 1
    assert report.counts("dev", "ARMED_GROUP").skipped == 1
    for split in ("train", "dev", "test"):
        written = {lab: c.written + c.changed for lab, c in report.per_split[split].items()}
        assert _count_ents(tmp_path / f"{split}.spacy") == {k: v for k, v in written.items() if v}
        for c in report.per_split[split].values():
            assert c.spans_in == c.written + c.changed + c.skipped
    docs = list(DocBin().from_disk(tmp_path / "test.spacy").get_docs(spacy.blank("en").vocab))
    assert [d.user_data["nerwb_article_id"] for d in docs] == ["te"]
    skip = to_docbins(gold, splits, tmp_path, lang="en", on_misaligned="skip", on_overlap="skip")
    assert (
        skip.counts("train", "ARMED_GROUP").skipped == 1
        and skip.counts("dev", "ARMED_GROUP").skipped == 2
    )


def test_convert_before_split_and_overlap_error_cli(ws, cli) -> None:
    save_annotated(ws.gold_path, [gold_art([LB, (16, 30, "ARMED_GROUP")])])
    result = cli("labels", "convert", "-w", ws.root)
    assert result.exit_code == 1 and "no splits yet" in result.stderr
    ws.splits_path.write_text(json.dumps({"assignments": {"a1": "train"}}))
    before = snapshot_tree(ws.root)
    result = cli("labels", "convert", "--on-overlap", "error", "-w", ws.root)
    assert result.exit_code == 1 and "overlaps another span" in result.stderr
    assert snapshot_tree(ws.root) == before


@needs_shared
def test_labels_conflict3_two_annotators_agreement_merge_convert(ws, cli) -> None:
    annotators = SHARED_DATA / "conflict3" / "annotators"
    for name in ("A", "B"):
        assert (
            cli(
                "labels", "import", annotators / f"{name}.jsonl", "--annotator", name, "-w", ws.root
            ).exit_code
            == 0
        )
    assert cli("corpus", "split", "-w", ws.root).exit_code == 0
    result = cli("labels", "agreement", "--json", "-w", ws.root)
    data = json.loads(result.stdout)
    assert 0.9 < data["overall"]["f1"] < 1.0
    for label in ("ARMED_GROUP", "DESIGNATION", "CASUALTY_FIGURE"):
        assert 0.8 < data["per_label"][label]["f1"] <= 1.0
    assert cli("labels", "merge", "--strategy", "intersection", "-w", ws.root).exit_code == 0
    result = cli(
        "labels", "convert", "--on-misaligned", "expand", "--on-overlap", "longest", "-w", ws.root
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(ws.conversion_report_path.read_text())
    gold_spans = sum(
        len(json.loads(line)["label"]) for line in ws.gold_path.read_text().splitlines()
    )
    assert sum(c["spans_in"] for c in report["totals"].values()) == gold_spans
    for split, by_label in report["per_split"].items():
        ents = _count_ents(ws.labels_dir / f"{split}.spacy")
        assert ents == {
            lab: c["written"] + c["changed"]
            for lab, c in by_label.items()
            if c["written"] + c["changed"]
        }
        for c in by_label.values():
            assert c["spans_in"] == c["written"] + c["changed"] + c["skipped"]
