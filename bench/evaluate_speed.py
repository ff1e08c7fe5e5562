"""Evaluation speed: scoring and a 1,000-resample bootstrap over 1,000 documents.

Run: .venv/bin/python bench/evaluate_speed.py. Target (issue 6): bootstrap under 10 s.
Reports the median of several repeats, since single timings on a shared machine are noisy.
"""

from __future__ import annotations

import random

from _util import median_of, save
from nerwb.evaluate.bootstrap import count_matrix, intervals, resample_weights, resampled_f
from nerwb.evaluate.scoring import doc_counts, score

LABELS = ["ARMED_GROUP", "DESIGNATION", "CASUALTY_FIGURE"]


def synthetic(n_docs: int, seed: int = 0):
    rng = random.Random(seed)
    gold, pred = [], []
    for _ in range(n_docs):
        g = sorted(
            {
                (s, s + rng.randint(3, 20), rng.choice(LABELS))
                for s in range(0, 2000, rng.randint(80, 300))
            }
        )
        p = [span for span in g if rng.random() < 0.8] + [
            (2100 + i * 10, 2105 + i * 10, rng.choice(LABELS)) for i in range(rng.randint(0, 2))
        ]
        gold.append(g)
        pred.append(p)
    return gold, pred


def main() -> None:
    gold, pred = synthetic(1000)

    def scoring():
        counts = [doc_counts(g, p) for g, p in zip(gold, pred, strict=True)]
        return score(counts, LABELS, gold, pred), counts

    score_s, _ = median_of(scoring, 5)
    _, counts = scoring()

    def bootstrap():
        per_label, micro = resampled_f(
            count_matrix(counts, LABELS), resample_weights(len(counts), 1000, seed=0)
        )
        return intervals(per_label), intervals(micro)

    boot_s, all_boot = median_of(bootstrap, 5)
    print(f"scoring 1,000 docs (strict + exact/partial/type, per label): median {score_s:.3f} s")
    print(
        f"bootstrap 1,000 resamples x 1,000 docs: median {boot_s:.3f} s (runs: {', '.join(f'{t:.3f}' for t in all_boot)})"
    )
    path = save(
        "evaluate_speed",
        {
            "docs": 1000,
            "resamples": 1000,
            "scoring_s": round(score_s, 4),
            "bootstrap_s": round(boot_s, 4),
            "target_bootstrap_s": 10,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
