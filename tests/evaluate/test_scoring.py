"""Our scores against the references: spaCy's Scorer (strict) and nervaluate (SemEval schemas)."""

from __future__ import annotations

import pytest
from spacy.scorer import Scorer
from spacy.training import Example

from conftest import RANDOM_LABELS, random_docs
from nerwb.evaluate.scoring import doc_counts, score


def test_strict_equals_spacy_scorer() -> None:
    docs = random_docs(60, seed=3)
    examples = []
    for doc, gold, pred in docs:
        reference = doc.copy()
        reference.ents = [reference.char_span(s, e, label=lab) for s, e, lab in gold]
        predicted = doc.copy()
        predicted.ents = [predicted.char_span(s, e, label=lab) for s, e, lab in pred]
        examples.append(Example(predicted, reference))
    expected = Scorer.score_spans(examples, "ents")
    counts = [doc_counts(g, p) for _, g, p in docs]
    ours = score(counts, RANDOM_LABELS, [g for _, g, _ in docs], [p for _, _, p in docs])
    assert ours.micro["strict"].p == pytest.approx(expected["ents_p"], abs=1e-9)
    assert ours.micro["strict"].r == pytest.approx(expected["ents_r"], abs=1e-9)
    assert ours.micro["strict"].f == pytest.approx(expected["ents_f"], abs=1e-9)
    for label, s in expected["ents_per_type"].items():
        assert ours.per_label[label].f == pytest.approx(s["f"], abs=1e-9)
        assert ours.per_label[label].p == pytest.approx(s["p"], abs=1e-9)


def test_semeval_schemas_equal_nervaluate() -> None:
    nervaluate = pytest.importorskip("nervaluate", reason="nervaluate is in the test extra")
    docs = random_docs(80, seed=11)

    def as_nerv(spans):  # nervaluate's end offset is inclusive
        return [{"label": lab, "start": s, "end": e - 1} for s, e, lab in spans]

    result = nervaluate.Evaluator(
        [as_nerv(g) for _, g, _ in docs], [as_nerv(p) for _, _, p in docs], tags=RANDOM_LABELS
    ).evaluate()
    overall = result["overall"] if isinstance(result, dict) else result[0]
    per_entity = result["entities"] if isinstance(result, dict) else result[1]
    counts = [doc_counts(g, p) for _, g, p in docs]
    ours = score(counts, RANDOM_LABELS, [g for _, g, _ in docs], [p for _, _, p in docs])
    for ours_name, theirs_name in (
        ("exact", "exact"),
        ("partial", "partial"),
        ("type", "ent_type"),
    ):
        ref = overall[theirs_name]
        ref_p, ref_r = (
            (ref.precision, ref.recall)
            if hasattr(ref, "precision")
            else (ref["precision"], ref["recall"])
        )
        assert ours.micro[ours_name].p == pytest.approx(ref_p, abs=1e-9), ours_name
        assert ours.micro[ours_name].r == pytest.approx(ref_r, abs=1e-9), ours_name
        for label in RANDOM_LABELS:
            ref = per_entity[label][theirs_name]
            ref_f = ref.f1 if hasattr(ref, "f1") else ref["f1"]
            assert getattr(ours.per_label[label], ours_name).f == pytest.approx(ref_f, abs=1e-9), (
                label,
                ours_name,
            )
