"""Evaluation speed: scoring and a 1,000-resample bootstrap over 1,000 documents.

Run: .venv/bin/python bench/evaluate_speed.py. Target (issue 6): bootstrap under 10 s.
Reports the median of several repeats, since single timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from _util import add_results_option, median_of, save
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


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5, help="timings per figure (median)")
    add_results_option(parser)
    args = parser.parse_args(argv)
    gold, pred = synthetic(args.docs)

    def scoring():
        counts = [doc_counts(g, p) for g, p in zip(gold, pred, strict=True)]
        return score(counts, LABELS, gold, pred), counts

    score_s, _ = median_of(scoring, args.repeats)
    _, counts = scoring()

    def bootstrap():
        per_label, micro = resampled_f(
            count_matrix(counts, LABELS), resample_weights(len(counts), args.resamples, seed=0)
        )
        return intervals(per_label), intervals(micro)

    boot_s, all_boot = median_of(bootstrap, args.repeats)
    print(
        f"scoring {args.docs:,} docs (strict + exact/partial/type, per label): median {score_s:.3f} s"
    )
    print(
        f"bootstrap {args.resamples:,} resamples x {args.docs:,} docs: median {boot_s:.3f} s (runs: {', '.join(f'{t:.3f}' for t in all_boot)})"
    )
    path = save(
        "evaluate_speed",
        {
            "docs": args.docs,
            "resamples": args.resamples,
            "scoring_s": round(score_s, 4),
            "bootstrap_s": round(boot_s, 4),
            "target_bootstrap_s": 10,
        },
        args.results,
    )
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
