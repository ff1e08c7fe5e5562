"""Bootstrap intervals over documents, on random documents."""

from __future__ import annotations

import random

import numpy as np
import spacy

from nerwb.evaluate.bootstrap import count_matrix, intervals, resample_weights, resampled_f
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


def test_bootstrap_intervals_bracket_point_and_are_seeded() -> None:
    docs = random_docs(200, seed=5)
    counts = [doc_counts(g, p) for _, g, p in docs]
    matrix = count_matrix(counts, LABELS)
    per_label, micro = resampled_f(matrix, resample_weights(len(counts), 500, seed=1))
    lo, hi = intervals(micro)
    point = (
        score(counts, LABELS, [g for _, g, _ in docs], [p for _, _, p in docs]).micro["strict"].f
    )
    assert lo < point < hi and hi - lo < 0.2
    again, _ = resampled_f(matrix, resample_weights(len(counts), 500, seed=1))
    assert np.array_equal(per_label, again)
    # every resample has as many documents as the data
    assert set(resample_weights(50, 10, 0).sum(axis=1)) == {50.0}
