"""Bootstrap intervals over documents, on random documents."""

from __future__ import annotations

import numpy as np

from conftest import RANDOM_LABELS, random_docs
from nerwb.evaluate.bootstrap import count_matrix, intervals, resample_weights, resampled_f
from nerwb.evaluate.scoring import doc_counts, score


def test_bootstrap_intervals_bracket_point_and_are_seeded() -> None:
    docs = random_docs(200, seed=5)
    counts = [doc_counts(g, p) for _, g, p in docs]
    matrix = count_matrix(counts, RANDOM_LABELS)
    per_label, micro = resampled_f(matrix, resample_weights(len(counts), 500, seed=1))
    lo, hi = intervals(micro)
    point = (
        score(counts, RANDOM_LABELS, [g for _, g, _ in docs], [p for _, _, p in docs])
        .micro["strict"]
        .f
    )
    assert lo < point < hi and hi - lo < 0.2
    again, _ = resampled_f(matrix, resample_weights(len(counts), 500, seed=1))
    assert np.array_equal(per_label, again)
    # every resample has as many documents as the data
    assert set(resample_weights(50, 10, 0).sum(axis=1)) == {50.0}
