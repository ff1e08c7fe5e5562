"""The segment is the unit: agreement, merge and conversion on a hand-made three-segment article.

Expected numbers are worked out by hand in the comments.
"""

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import Splits
from nerwb.errors import LabelsError
from nerwb.labels.agreement import agreement
from nerwb.labels.annotations import AnnotatedSegment, LabeledSpan, load_annotated, save_annotated
from nerwb.labels.docbin import to_docbins
from nerwb.labels.merge import MergeOptions, Strategy, merge
from nerwb.records.conversion import LeftOut

S0 = "Gunmen of the Lions Brigade killed four people on Monday."
S1 = "The Desert Hawks denied it."
S2 = "Officials put the Lions Brigade on a terror list."
TEXT = f"{S0}\n\n{S1}\n\n{S2}"
LABELS = ["ARMED_GROUP", "CASUALTY_FIGURE", "DESIGNATION"]


def segments():
    cut = segment_article("a1", TEXT, 60)
    assert [s.text for s in cut] == [S0, S1, S2]  # the fixture is what it says
    return cut


def span(segment, phrase: str, label: str) -> LabeledSpan:
    start = segment.start + segment.text.index(phrase)
    return LabeledSpan(start, start + len(phrase), label)


def unit(segment, spans, *, confirmed=True, assigned=True) -> AnnotatedSegment:
    return AnnotatedSegment(
        "a1", segment.id, segment.start, segment.text, spans, confirmed, assigned
    )


@pytest.fixture
def annotations():
    s0, s1, s2 = segments()
    shared = [span(s0, "Lions Brigade", "ARMED_GROUP"), span(s0, "four people", "CASUALTY_FIGURE")]
    return {
        # s0 given to both, both confirmed, identical; s1 given to A only; s2 given to B only,
        # labelled but not confirmed
        "A": {s0.id: unit(s0, shared), s1.id: unit(s1, [span(s1, "Desert Hawks", "ARMED_GROUP")])},
        "B": {
            s0.id: unit(s0, list(shared)),
            s2.id: unit(
                s2,
                [span(s2, "Lions Brigade", "ARMED_GROUP"), span(s2, "terror list", "DESIGNATION")],
                confirmed=False,
            ),
        },
    }


def test_agreement_counts_only_segments_both_confirmed(annotations) -> None:
    report = agreement(annotations, labels=LABELS, lang="en")
    # only s0 is shared: 2 identical spans, nothing else -> F1 1.0, kappa 1.0
    assert report.overall_f1 == 1.0 and report.overall_kappa == 1.0
    assert report.pairs[0].segments == 1
    assert report.pairs[0].counts.both == 2 and report.kinds == {}
    assert report.to_json()["pairs"][0]["segments"] == 1


def test_agreement_include_unconfirmed_widens_to_segments_both_have(annotations) -> None:
    s2 = segments()[2]
    annotations["A"][s2.id] = unit(s2, [span(s2, "Lions Brigade", "ARMED_GROUP")], confirmed=False)
    # s2 now counts: A has 1 span, B 2 -> both 2 (s0) + 1 (s2), only_b 1 -> F1 2*3/(2*3+0+1)
    report = agreement(annotations, labels=LABELS, lang="en", include_unconfirmed=True)
    assert report.pairs[0].segments == 2
    assert report.overall_f1 == pytest.approx(6 / 7)
    assert agreement(annotations, labels=LABELS, lang="en").overall_f1 == 1.0


def test_agreement_one_annotator_per_segment_is_no_disagreement() -> None:
    s0, s1, _ = segments()
    annotations = {
        "A": {s0.id: unit(s0, [span(s0, "Lions Brigade", "ARMED_GROUP")])},
        "B": {s1.id: unit(s1, [span(s1, "Desert Hawks", "ARMED_GROUP")])},
    }
    with pytest.raises(LabelsError, match="no two annotators share a segment confirmed by both"):
        agreement(annotations, labels=LABELS, lang="en")


def test_merge_keeps_confirmed_segments_and_nothing_unconfirmed(annotations) -> None:
    s0, s1, s2 = segments()
    report = merge(annotations, MergeOptions(), texts={"a1": TEXT})
    (gold,) = report.gold
    # s0 (both) and s1 (A alone) are gold; s2 (unconfirmed) is not, nor its two spans
    assert [s.text(TEXT) for s in gold.spans] == ["Lions Brigade", "four people", "Desert Hawks"]
    assert gold.gold_ranges == [(s0.start, s0.end), (s1.start, s1.end)]
    assert gold.confirmed is False and gold.text == TEXT
    assert report.multi_annotator == 1 and report.single_annotator == 1
    assert report.unconfirmed == 1 and report.unconfirmed_spans == 2
    assert [u.to_json() for u in gold.left_out] == [
        {
            "segment_id": s2.id,
            "start": s2.start,
            "end": s2.end,
            "reason": "unconfirmed",
            "spans": 2,
            "annotators": ["B"],
        }
    ]
    assert gold.provenance[f"{s0.start + 14},{s0.start + 27},ARMED_GROUP"] == ["A", "B"]


def test_merge_of_segments_covering_the_article_is_whole_gold() -> None:
    cut = segments()
    annotations = {
        "A": {cut[0].id: unit(cut[0], []), cut[2].id: unit(cut[2], [])},
        "B": {cut[1].id: unit(cut[1], [span(cut[1], "Desert Hawks", "ARMED_GROUP")])},
    }
    (gold,) = merge(annotations, MergeOptions(Strategy.UNION), texts={"a1": TEXT}).gold
    assert gold.confirmed and gold.gold_ranges is None


def test_merge_with_nobody_confirming_is_error(annotations) -> None:
    for by_segment in annotations.values():
        for u in by_segment.values():
            u.confirmed = False
    with pytest.raises(LabelsError, match="no segment was confirmed by anyone"):
        merge(annotations, MergeOptions(), texts={"a1": TEXT})


def test_convert_writes_only_gold_text(annotations, tmp_path: Path) -> None:
    s0, s1, _ = segments()
    report = merge(annotations, MergeOptions(), texts={"a1": TEXT})
    save_annotated(tmp_path / "gold.jsonl", report.gold)
    gold = list(load_annotated(tmp_path / "gold.jsonl").values())  # the file says what is gold
    splits = Splits(seed=0, ratios={}, assignments={"a1": "test", "never-labelled": "train"})
    converted = to_docbins(gold, splits, tmp_path, lang="en")
    (doc,) = DocBin().from_disk(tmp_path / "test.spacy").get_docs(spacy.blank("en").vocab)
    # s0 and s1 are neighbours: one piece from s0's start to s1's end; s2 is not in it
    assert doc.text == TEXT[s0.start : s1.end]
    assert [e.text for e in doc.ents] == ["Lions Brigade", "four people", "Desert Hawks"]
    assert doc.user_data["nerwb_article_id"] == "a1" and doc.user_data["nerwb_offset"] == 0
    assert converted.pieces == {"test": 1} and converted.whole_articles == {}
    assert converted.left_out["test"]["unconfirmed"] == LeftOut(
        articles=0, segments=1, spans=2, chars=len(S2)
    )
    assert converted.left_out["train"]["no annotator"].articles == 1
    assert len(DocBin().from_disk(tmp_path / "train.spacy")) == 0


def test_agreement_leaves_out_a_segment_confirmed_by_someone_not_assigned_it(annotations) -> None:
    # issue 24.4: B confirmed s1, which was A's alone: the pair was not given the same text
    s1 = segments()[1]
    annotations["B"][s1.id] = unit(s1, [], assigned=False)
    report = agreement(annotations, labels=LABELS, lang="en")
    assert report.pairs[0].segments == 1  # s0 only
    assert report.kinds == {}  # A's "Desert Hawks" is not a missed_by_b
    # the same segment given to both (assigned True, or no plan at all) does count
    for assigned in (True, None):
        annotations["B"][s1.id] = unit(s1, [], assigned=assigned)
        report = agreement(annotations, labels=LABELS, lang="en")
        assert report.pairs[0].segments == 2 and report.kinds == {"missed_by_b": 1}


def test_agreement_label_nobody_used_is_not_applicable(annotations) -> None:
    report = agreement(annotations, labels=LABELS, lang="en")
    unused = report.per_label["DESIGNATION"]  # only in s2, which nobody else confirmed
    assert unused.f1 is None and unused.kappa is None and unused.agreed == 0
    assert report.per_label["ARMED_GROUP"].f1 == 1.0
    data = report.to_json()
    assert data["per_label"]["DESIGNATION"]["f1"] is None
    assert data["pairs"][0]["per_label"]["DESIGNATION"] == {"f1": None, "kappa": None}


def test_convert_counts_an_article_nobody_confirmed_as_left_out(tmp_path: Path) -> None:
    # issue 24.5: "0 article(s), N segment(s)" although whole articles were left out
    cut = segments()
    annotations = {
        "A": {cut[0].id: unit(cut[0], [span(cut[0], "Lions Brigade", "ARMED_GROUP")])},
        "B": {
            cut[1].id: unit(cut[1], [], confirmed=False),
            cut[2].id: unit(cut[2], [], confirmed=False),
        },
    }
    other_text = "Nobody confirmed anything of this article.\n\nNor of this part."
    other = segment_article("a2", other_text, 60)
    annotations["B"].update({s.id: unit(s, [], confirmed=False) for s in other})
    for s in other:
        annotations["B"][s.id].article_id = "a2"
    report = merge(annotations, MergeOptions(), texts={"a1": TEXT, "a2": other_text})
    splits = Splits(seed=0, ratios={}, assignments={"a1": "train", "a2": "train"})
    converted = to_docbins(report.gold, splits, tmp_path, lang="en")
    left = converted.left_out["train"]["unconfirmed"]
    assert left.articles == 1 and left.segments == 2 + len(other)


def test_gold_left_out_units_are_typed_and_keep_their_file_layout(tmp_path: Path) -> None:
    from nerwb.labels.annotations import (
        AnnotatedArticle,
        load_annotated,
        save_annotated,
    )
    from nerwb.records.annotations import LeftOutLine

    unit = LeftOutLine(
        segment_id="a1#1", start=5, end=9, reason="unconfirmed", spans=2, annotators=["A", "B"]
    )
    path = tmp_path / "gold.jsonl"
    save_annotated(path, [AnnotatedArticle("a1", TEXT, left_out=[unit], gold_ranges=[(0, 5)])])
    line = json.loads(path.read_text())
    assert line["left_out"] == [
        {"segment_id": "a1#1", "start": 5, "end": 9, "reason": "unconfirmed", "spans": 2,
         "annotators": ["A", "B"]}
    ]  # fmt: skip
    assert load_annotated(path)["a1"].left_out == [unit]
