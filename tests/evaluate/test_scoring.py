"""Our scores against the references: spaCy's Scorer (strict) and nervaluate (SemEval schemas)."""

from __future__ import annotations

import random

import pytest
import spacy
from spacy.scorer import Scorer
from spacy.training import Example

from nerwb.evaluate.scoring import doc_counts, score

LABELS = ["A", "B", "C"]


def _random_spans(doc, rng: random.Random) -> list[tuple[int, int, str]]:
    """Non-overlapping token-aligned spans, each kept with probability 0.6."""
    chosen, position = [], 0
    while position < len(doc) - 1:
        position += rng.randint(0, 4)
        length = rng.randint(1, 3)
        if position + length > len(doc):
            break
        chosen.append(doc[position : position + length])
        position += length
    return [(s.start_char, s.end_char, rng.choice(LABELS)) for s in chosen if rng.random() < 0.6]


def random_docs(n: int, seed: int):
    """Token-aligned random gold and predicted spans over blank English docs."""
    rng = random.Random(seed)
    nlp = spacy.blank("en")
    out = []
    for _ in range(n):
        doc = nlp.make_doc(
            " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "eps"]) for _ in range(30))
        )
        gold = _random_spans(doc, rng)
        # predictions: copies of gold with noise (dropped, retyped), plus random spans
        pred = []
        for s, e, label in gold:
            roll = rng.random()
            if roll < 0.5:
                pred.append((s, e, label))
            elif roll < 0.65:
                pred.append((s, e, rng.choice(LABELS)))
        extra = [
            sp
            for sp in _random_spans(doc, rng)
            if all(sp[1] <= p[0] or sp[0] >= p[1] for p in pred)
        ]
        pred += extra[: rng.randint(0, 2)]
        out.append((doc, sorted(set(gold)), sorted(set(pred))))
    return out


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
    ours = score(counts, LABELS, [g for _, g, _ in docs], [p for _, _, p in docs])
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
        [as_nerv(g) for _, g, _ in docs], [as_nerv(p) for _, _, p in docs], tags=LABELS
    ).evaluate()
    overall = result["overall"] if isinstance(result, dict) else result[0]
    per_entity = result["entities"] if isinstance(result, dict) else result[1]
    counts = [doc_counts(g, p) for _, g, p in docs]
    ours = score(counts, LABELS, [g for _, g, _ in docs], [p for _, _, p in docs])
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
        for label in LABELS:
            ref = per_entity[label][theirs_name]
            ref_f = ref.f1 if hasattr(ref, "f1") else ref["f1"]
            assert getattr(ours.per_label[label], ours_name).f == pytest.approx(ref_f, abs=1e-9), (
                label,
                ours_name,
            )
