"""Conversion to DocBins on small hand-made annotations, and the shared conflict3 data end to end."""

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import SHARED_DATA, needs_shared, snapshot_tree
from nerwb.corpus.splits import Splits
from nerwb.errors import LabelsError
from nerwb.labels.annotations import (
    AnnotatedArticle,
    LabeledSpan,
    save_annotated,
)
from nerwb.labels.docbin import to_docbins
from nerwb.labels.policies import SpanPolicies
from nerwb.records.conversion import ConversionRecord

TEXT = "Gunmen of Lions Brigade killed four people ."


def gold_art(spans, text=TEXT, article_id="a1"):
    return AnnotatedArticle(article_id, text, [LabeledSpan(*s) for s in spans])


LB = (10, 23, "ARMED_GROUP")


FP = (31, 42, "CASUALTY_FIGURE")


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
        to_docbins(gold, splits, tmp_path, lang="en", policies=SpanPolicies("expand"))
    report = to_docbins(
        gold, splits, tmp_path, lang="en", policies=SpanPolicies("expand", "longest")
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
    skip = to_docbins(gold, splits, tmp_path, lang="en", policies=SpanPolicies("skip", "skip"))
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


@pytest.mark.slow  # the whole conflict3 corpus
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
    report = ConversionRecord.load(ws.conversion_report_path).to_json()
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
