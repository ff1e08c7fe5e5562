"""Active learning, simulated: does choosing uncertain segments buy more F per labelled word?

conflict3's train articles, cut into segments, are the pool of unlabelled text; their gold is
the annotator. Every strategy starts from the same random seed set (about 10 % of the pool's
words) and grows it in rounds of equal word budgets: ``random`` draws segments at random,
``uncertain`` takes those the previous round's model is least sure of (nerwb's beam score,
``nerwb.select.strategies``). Each round retrains from scratch with the same config and step cap
and is scored on conflict3 dev (never a test split). Several seeds; the training set of each
round is written with nerwb's own partial-gold conversion (only the chosen segments are text).

Run: .venv/bin/python bench/active_learning.py [--seeds 3] [--steps 500] [--config ner-fast.cfg]
Results: bench/results/active-learning.json and active-learning.png. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import spacy

from _util import REPO, SHARED_DATA, add_results_option, save, timed
from accuracy import build, spacy_argv
from nerwb.corpus.model import Segment
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import Splits, load_splits
from nerwb.evaluate.dev import dev_scores
from nerwb.labels.annotations import AnnotatedArticle, load_annotated
from nerwb.labels.docbin import to_docbins
from nerwb.labels.policies import MisalignedPolicy, OverlapPolicy, SpanPolicies
from nerwb.select.strategies import SelectStrategy, rank_segments

BUDGETS = (0.1, 0.2, 0.3, 0.45, 0.6)  # shares of the pool's words after each round
STRATEGIES = (SelectStrategy.RANDOM, SelectStrategy.UNCERTAIN, SelectStrategy.UNCERTAIN_DIVERSE)
# Does what one model chose help another? The last round's sets also train this config.
SECOND_CONFIG = "ner-accuracy.cfg"
EXPAND_LONGEST = SpanPolicies(MisalignedPolicy.EXPAND, OverlapPolicy.LONGEST)


def words(segment: Segment) -> int:
    return len(segment.text.split())


def training_docbin(
    gold: dict[str, AnnotatedArticle], chosen: list[Segment], folder: Path, splits: Splits
) -> Path:
    """The chosen segments as a DocBin: each article's gold pieces, nothing else of its text."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for s in chosen:
        ranges.setdefault(s.article_id, []).append((s.start, s.end))
    partial = []
    for article_id, rs in ranges.items():
        g = gold[article_id]
        inside = [sp for sp in g.spans if any(a <= sp.start and sp.end <= b for a, b in rs)]
        partial.append(AnnotatedArticle(article_id, g.text, inside, False, None, rs))
    to_docbins(partial, splits, folder, lang="en", policies=EXPAND_LONGEST)
    return folder / "train.spacy"


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--config", default="ner-fast.cfg")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--strategies",
        default=",".join(STRATEGIES),
        help="comma-separated; fewer than all writes active-learning-<names>.json beside the full run",
    )
    parser.add_argument(
        "--budgets",
        default=",".join(map(str, BUDGETS)),
        help="shares of the pool's words after each round",
    )
    add_results_option(parser)
    args = parser.parse_args(argv)
    budgets = [float(b) for b in args.budgets.split(",") if b]
    strategies = [SelectStrategy(x) for x in args.strategies.split(",") if x]
    if not SHARED_DATA.is_dir():
        sys.exit(f"{SHARED_DATA} is absent: this benchmark reads the shared corpora")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    config = REPO / "configs" / args.config
    with tempfile.TemporaryDirectory(prefix="nerwb-al-") as tmp:
        root = Path(tmp)
        ws = build(root, "conflict3")
        gold = load_annotated(ws.gold_path)
        splits = load_splits(ws.splits_path)
        pool = [
            s
            for a in gold.values()
            if splits.assignments.get(a.article_id) == "train"
            for s in segment_article(a.article_id, a.text, ws.config.corpus.segment_length)
        ]
        total_words = sum(words(s) for s in pool)
        dev = ws.docbin_path("dev")
        run_id = itertools.count()  # thread-safe under the GIL, unlike a generator

        def train_and_score(
            chosen: list[Segment], seed: int, cfg: Path = config
        ) -> tuple[float, dict, Path]:
            folder = root / f"run-{next(run_id)}" / "data"
            folder.mkdir(parents=True)
            train = training_docbin(gold, chosen, folder, splits)
            out = folder.parent / "model"
            overrides = ["--training.max_steps", str(args.steps), "--training.seed", str(seed)]
            overrides += [
                "--system.seed",
                str(seed),
                "--training.eval_frequency",
                str(args.steps // 4),
            ]
            subprocess.run(
                spacy_argv(cfg, train, dev, out, overrides),
                check=True,
                capture_output=True,
                env=env,
            )
            overall, per_label, _ = dev_scores(out / "model-best", dev, "en")
            return overall, per_label, out / "model-best"

        final_sets: dict[tuple[str, int], list[Segment]] = {}

        def curve(strategy: SelectStrategy, seed: int) -> list[dict]:
            rng = random.Random(seed)
            order = sorted(pool, key=lambda s: s.id)
            rng.shuffle(order)
            chosen, remaining, labelled = [], list(order), 0
            points, model = [], None
            for budget in budgets:
                target = budget * total_words
                if strategy is SelectStrategy.RANDOM or model is None:  # the seed set is random
                    ranked_ids = [s.id for s in remaining]
                else:
                    nlp = spacy.load(model)
                    ranked = rank_segments(remaining, strategy, n=len(remaining), nlp=nlp)
                    ranked_ids = [r.segment_id for r in ranked]
                by_id = {s.id: s for s in remaining}
                for sid in ranked_ids:
                    if labelled >= target:
                        break
                    chosen.append(by_id[sid])
                    labelled += words(by_id[sid])
                taken = {s.id for s in chosen}
                remaining = [s for s in remaining if s.id not in taken]
                seconds, (f, per_label, model) = timed(lambda: train_and_score(chosen, seed))
                points.append(
                    {
                        "words": labelled,
                        "share": round(labelled / total_words, 4),
                        "f": round(f, 4),
                        "per_label": {k: round(v, 4) for k, v in per_label.items()},
                        "seconds": round(seconds, 1),
                    }
                )
                print(
                    f"{strategy:10} seed {seed} {labelled / total_words:.2f} of words: F {f:.3f}",
                    flush=True,
                )
            final_sets[(str(strategy), seed)] = list(chosen)
            return points

        jobs = [(st, seed) for seed in range(args.seeds) for st in strategies]
        with ThreadPoolExecutor(max_workers=args.jobs) as workers:
            curves = dict(zip(jobs, workers.map(lambda j: curve(*j), jobs), strict=True))
            full = list(
                workers.map(lambda seed: train_and_score(pool, seed)[:2], range(args.seeds))
            )
            second = REPO / "configs" / SECOND_CONFIG
            carry_jobs = [
                (st, seed) for seed in range(args.seeds) for st in ("random", "uncertain")
            ]
            carried = dict(
                zip(
                    carry_jobs,
                    workers.map(
                        lambda j: train_and_score(final_sets[j], j[1], second)[0], carry_jobs
                    ),
                    strict=True,
                )
            )

    full_f = [f for f, _ in full]
    result: dict = {
        "pool": {"segments": len(pool), "words": total_words, "segment_length": 2000},
        "config": args.config,
        "steps": args.steps,
        "seeds": args.seeds,
        "budgets": budgets,
        "full_pool": {
            "f": [round(f, 4) for f in full_f],
            "mean": round(statistics.mean(full_f), 4),
            "per_label": [{k: round(v, 4) for k, v in p.items()} for _, p in full],
        },
        "strategies": {},
    }
    for strategy in strategies:
        rows = [curves[(strategy, seed)] for seed in range(args.seeds)]
        per_round = []
        for i, budget in enumerate(budgets):
            fs = [r[i]["f"] for r in rows]
            labels = sorted({k for r in rows for k in r[i]["per_label"]})
            per_round.append(
                {
                    "budget": budget,
                    "words_mean": round(statistics.mean(r[i]["words"] for r in rows)),
                    "f_mean": round(statistics.mean(fs), 4),
                    "f_min": min(fs),
                    "f_max": max(fs),
                    "per_label_mean": {
                        k: round(statistics.mean(r[i]["per_label"].get(k, 0.0) for r in rows), 4)
                        for k in labels
                    },
                }
            )
        reached = next(
            (p["budget"] for p in per_round if p["f_mean"] >= result["full_pool"]["mean"]), None
        )
        result["strategies"][str(strategy)] = {
            "rounds": per_round,
            "per_seed": rows,
            "reaches_full_pool_f_at": reached,
        }
    result["second_config"] = {
        "config": SECOND_CONFIG,
        "trained_on": f"the sets random and uncertain chose by {budgets[-1]:.0%} of the words",
        **{
            st: {
                "f": [round(carried[(st, seed)], 4) for seed in range(args.seeds)],
                "mean": round(
                    statistics.mean(carried[(st, seed)] for seed in range(args.seeds)), 4
                ),
            }
            for st in ("random", "uncertain")
        },
    }
    name = (
        "active-learning"
        if len(strategies) == len(STRATEGIES)
        else "active-learning-" + "-".join(strategies)
    )
    path = save(name, result, args.results)
    plot(result, args.results / f"{name}.png")
    print(
        json.dumps({k: v["rounds"] for k, v in result["strategies"].items()}, indent=1),
        f"\nwrote {path}",
    )
    return path


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, data in result["strategies"].items():
        xs = [p["words_mean"] for p in data["rounds"]]
        ax.plot(xs, [p["f_mean"] for p in data["rounds"]], marker="o", label=name)
        ax.fill_between(
            xs,
            [p["f_min"] for p in data["rounds"]],
            [p["f_max"] for p in data["rounds"]],
            alpha=0.2,
        )
    ax.axhline(result["full_pool"]["mean"], color="grey", linestyle="--", label="whole pool")
    ax.set_xlabel("labelled words")
    ax.set_ylabel("dev F (conflict3)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
