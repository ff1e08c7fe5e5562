"""Where a team stands in the loop (``nerwb status``): one read of the files the stages wrote.

Read-only (no lock, nothing written) and light (no spaCy: what needs its tokenizer, the name
candidates of the unpushed pool, is read as ``nerwb select`` last counted it). From:

* the corpus and its splits, cut at ``segment_length``: segments and words per split;
* the push ledger: what is on the server, and what is not yet;
* the latest pull snapshot and the imports, with the assignment plan: per split and annotator,
  the segments (and words) confirmed, and those waiting (assigned or begun, not confirmed; a
  segment pushed since the last pull waits too);
* ``labels/agreement/agreement.json``: agreement so far;
* the training runs' manifests: each run's best dev F, and its trend over rounds (a round: a
  run that trained on more gold entities than the one before);
* the latest ``evaluate/<run>/metrics.json``: F and recall on seen and unseen names;
* ``.nerwb/name-candidates.json``: unseen name candidates left in the unpushed pool.

What to do next, the first that applies: split the corpus; push a first batch; wait for the
annotators (segments wait); merge (a pull or an import is newer than the gold); train (the
gold is newer than the last run); label another kind of article (the curve has flattened: each
of the last ``FLAT_ROUNDS`` rounds gained under ``FLAT_GAIN`` dev F); label everything left
(the pool is smaller than a batch); else label the next batch, ``BATCH_SHARE`` of the training
split's segments, chosen by the loop's default (``loop.default.DEFAULT_LOOP``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from nerwb.choices import SPLIT_NAMES
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.corpus.store import load_articles
from nerwb.errors import InputError
from nerwb.labels.annotations import AnnotatedSegment, labelled_names, load_units
from nerwb.labels.snapshots import latest_snapshot, load_snapshot
from nerwb.loop import default as loop_default
from nerwb.loop.runs import TrainingRun, training_runs
from nerwb.records.agreement import AgreementFile
from nerwb.records.candidates import NameCandidatesFile
from nerwb.records.doccano import AssignmentPlan, PushLedger
from nerwb.records.metrics import MetricsFile
from nerwb.records.pull import PullManifest, manifest_path
from nerwb.select.strategies import USES_MODEL, SelectStrategy
from nerwb.workspace import Workspace

BATCH_SHARE = 0.1  # the next batch: a tenth of the training split (the simulation's rounds)
FLAT_GAIN = 0.01  # dev F a round must add for the curve to count as still rising
FLAT_ROUNDS = 2  # the last rounds that must each gain under FLAT_GAIN to call it flat
POOL_SPLIT = "train"  # the split batches are chosen from (nerwb select's default)


def _words(text: str) -> int:
    return len(text.split())


@dataclass
class Count:
    segments: int = 0
    words: int = 0

    def add(self, words: int) -> None:
        self.segments += 1
        self.words += words


@dataclass
class SplitState:
    total: Count = field(default_factory=Count)
    pushed: Count = field(default_factory=Count)
    labelled: Count = field(default_factory=Count)  # confirmed by at least one annotator

    @property
    def unpushed(self) -> Count:
        return Count(
            self.total.segments - self.pushed.segments, self.total.words - self.pushed.words
        )


@dataclass
class AnnotatorState:
    confirmed: dict[str, Count] = field(default_factory=dict)  # split -> count
    waiting: dict[str, Count] = field(default_factory=dict)


@dataclass
class AgreementState:
    f1: float | None
    kappa: float | None
    pairs: int
    segments: int  # both given and confirmed, over every pair
    measured_at: str
    before_last_pull: bool  # measured on an older pull than the latest


@dataclass
class RunPoint:
    run: str
    finished: str | None
    train_spans: int | None
    dev_f: float | None


@dataclass
class TrainingState:
    runs: list[RunPoint] = field(default_factory=list)  # every run, oldest first
    rounds: list[RunPoint] = field(default_factory=list)  # the runs on growing gold
    flattened: bool = False
    unreadable: list[str] = field(default_factory=list)  # manifests that could not be read


@dataclass
class EvaluationState:
    folder: str
    model: str
    created: str
    f: float | None
    seen_recall: float | None
    unseen_recall: float | None
    seen_gold: int | None
    unseen_gold: int | None


@dataclass
class UnseenNames:
    left: int  # different candidates no gold name holds, in the counted unpushed segments
    counted_segments: int
    not_counted: int  # unpushed segments the last count did not cover (added or re-cut since)
    counted_at: str


class NextStep(StrEnum):
    ADD_ARTICLES = "add-articles"
    SPLIT = "split"
    PUSH_FIRST = "push-first"
    WAIT = "wait"  # segments wait for their annotators
    MERGE = "merge"  # a pull newer than the gold
    TRAIN = "train"  # gold newer than the last run
    NEW_KIND = "new-kind"  # the curve has flattened
    LABEL_REST = "label-rest"  # fewer unpushed segments than a batch
    LABEL_MORE = "label-more"
    DONE = "done"  # every segment of the pool is labelled and trained on


@dataclass
class Next:
    step: NextStep
    segments: int | None = None  # how many to push and label
    strategy: SelectStrategy | None = None  # chosen by
    model: Path | None = (
        None  # ranked with (the latest trained model), where the strategy needs one
    )
    waiting: int | None = None  # segment-annotator pairs waiting


@dataclass
class LoopStatus:
    workspace: Path
    articles: int = 0
    unsplit_articles: int = 0
    splits: dict[str, SplitState] = field(default_factory=dict)
    annotators: dict[str, AnnotatorState] = field(default_factory=dict)
    last_pull: str | None = None  # the snapshot folder, relative to the workspace
    pulled_at: str | None = None
    gold_merged_at: str | None = None
    agreement: AgreementState | None = None
    training: TrainingState = field(default_factory=TrainingState)
    evaluation: EvaluationState | None = None
    unseen_names: UnseenNames | None = None
    next: Next = field(default_factory=lambda: Next(NextStep.ADD_ARTICLES))
    # the training segments neither pushed nor labelled (an import labels without a push):
    # what the next batch is chosen from
    pool: Count = field(default_factory=Count)

    def to_json(self) -> dict[str, Any]:
        def count(c: Count, prefix: str) -> dict[str, int]:
            return {f"{prefix}segments": c.segments, f"{prefix}words": c.words}

        return {
            "workspace": str(self.workspace),
            "articles": self.articles,
            "unsplit_articles": self.unsplit_articles,
            "splits": {
                name: {
                    **count(s.total, ""),
                    **count(s.pushed, "pushed_"),
                    **count(s.unpushed, "unpushed_"),
                    **count(s.labelled, "labelled_"),
                }
                for name, s in self.splits.items()
            },
            "annotators": {
                name: {
                    split: {
                        **count(a.confirmed.get(split, Count()), "confirmed_"),
                        **count(a.waiting.get(split, Count()), "waiting_"),
                    }
                    for split in sorted({*a.confirmed, *a.waiting}, key=split_order)
                }
                for name, a in sorted(self.annotators.items())
            },
            "last_pull": self.last_pull,
            "pulled_at": self.pulled_at,
            "gold_merged_at": self.gold_merged_at,
            "agreement": None if self.agreement is None else asdict(self.agreement),
            "training": asdict(self.training),
            "evaluation": None if self.evaluation is None else asdict(self.evaluation),
            "unseen_names": None if self.unseen_names is None else asdict(self.unseen_names),
            "pool": count(self.pool, ""),
            "next": {
                "step": str(self.next.step),
                "segments": self.next.segments,
                "strategy": None if self.next.strategy is None else str(self.next.strategy),
                "model": None if self.next.model is None else str(self.next.model),
                "waiting": self.next.waiting,
            },
        }


def split_order(name: str) -> int:
    """train, dev, test, then anything else: the order splits are shown in."""
    return SPLIT_NAMES.index(name) if name in SPLIT_NAMES else len(SPLIT_NAMES)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _when(iso: str | None) -> float:
    """Seconds since the epoch of an ISO time (0 for none), to order events."""
    if not iso:
        return 0.0
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


@dataclass
class _Corpus:
    split_of: dict[str, str]  # segment id -> split
    words: dict[str, int]  # segment id -> words
    segments_of: dict[str, list[str]] = field(default_factory=dict)  # article id -> segment ids

    def units(self, unit: AnnotatedSegment) -> list[str]:
        """The corpus segments a unit of work covers: itself, or (an import, one unit per
        article) every segment of its article."""
        if unit.segment_id in self.split_of:
            return [unit.segment_id]
        if unit.segment_id == unit.article_id:
            return self.segments_of.get(unit.article_id, [])
        return []  # a segment of another cut, or of an article no longer in the corpus


def _corpus(ws: Workspace, status: LoopStatus) -> _Corpus | None:
    if not ws.articles_path.exists():
        return None
    assigned = load_splits(ws.splits_path)
    corpus = _Corpus({}, {})
    for article in load_articles(ws.articles_path):
        status.articles += 1
        split = assigned.assignments.get(article.id) if assigned else None
        if split is None:
            status.unsplit_articles += 1
            continue
        for segment in segment_article(article.id, article.text, ws.config.corpus.segment_length):
            corpus.split_of[segment.id] = split
            corpus.words[segment.id] = _words(segment.text)
            corpus.segments_of.setdefault(article.id, []).append(segment.id)
            status.splits.setdefault(split, SplitState()).total.add(corpus.words[segment.id])
    return corpus


def _annotations(ws: Workspace, status: LoopStatus) -> dict[str, dict[str, AnnotatedSegment]]:
    """The latest snapshot's units and every import, by annotator (as the labels stage sees)."""
    folder = latest_snapshot(ws.pulls_dir)
    units: dict[str, dict[str, AnnotatedSegment]] = {}
    if folder is not None:
        status.last_pull = str(folder.relative_to(ws.root))
        status.pulled_at = PullManifest.load(manifest_path(folder)).pulled_at
        units.update(load_snapshot(folder))
    if ws.imports_dir.is_dir():
        for path in sorted(ws.imports_dir.glob("*.jsonl")):
            units.setdefault(path.stem, {}).update(load_units(path))
    return units


def _labelling(ws: Workspace, status: LoopStatus, corpus: _Corpus) -> list[str]:
    """Per split: pushed and labelled; per annotator and split: confirmed and waiting. Returns
    the pool: the training segments neither pushed nor labelled."""
    pushed = PushLedger(ws.push_ledger_path).pushed()
    for sid in pushed:
        if sid in corpus.split_of:
            status.splits[corpus.split_of[sid]].pushed.add(corpus.words[sid])
    units = _annotations(ws, status)
    labelled: set[str] = set()  # segment ids someone confirmed
    for name, by_id in units.items():
        state = status.annotators.setdefault(name, AnnotatorState())
        for unit in by_id.values():
            if not (unit.confirmed or unit.assigned or unit.spans):
                continue
            counts = state.confirmed if unit.confirmed else state.waiting
            for sid in corpus.units(unit):
                counts.setdefault(corpus.split_of[sid], Count()).add(corpus.words[sid])
                if unit.confirmed:
                    labelled.add(sid)
    # pushed since the last pull: assigned, not in the annotator's snapshot yet
    plan = AssignmentPlan.load_or_new(ws.assignments_path).segments
    for sid, names in plan.items():
        if sid not in corpus.split_of:
            continue
        for name in names:
            if sid not in units.get(name, {}):
                state = status.annotators.setdefault(name, AnnotatorState())
                state.waiting.setdefault(corpus.split_of[sid], Count()).add(corpus.words[sid])
    for sid in labelled:
        status.splits[corpus.split_of[sid]].labelled.add(corpus.words[sid])
    pool = [
        sid
        for sid, split in corpus.split_of.items()
        if split == POOL_SPLIT and sid not in pushed and sid not in labelled
    ]
    for sid in pool:
        status.pool.add(corpus.words[sid])
    return pool


def _agreement(ws: Workspace, status: LoopStatus) -> None:
    if not ws.agreement_path.exists():
        return
    report = AgreementFile.load(ws.agreement_path)
    measured = ws.agreement_path.stat().st_mtime
    status.agreement = AgreementState(
        report.overall.f1,
        report.overall.kappa,
        len(report.pairs),
        report.segments,
        _iso(measured),
        measured < _when(status.pulled_at),
    )


def _training(ws: Workspace, status: LoopStatus) -> list[TrainingRun]:
    runs, unreadable = training_runs(ws)
    state = status.training
    state.unreadable = [str(p.relative_to(ws.root)) for p in unreadable]
    for run in runs:
        point = RunPoint(run.folder.name, run.finished, run.train_spans, run.dev_f)
        state.runs.append(point)
        if run.dev_f is None or run.train_spans is None:
            continue
        last = state.rounds[-1] if state.rounds else None
        if last is None or run.train_spans > (last.train_spans or 0):
            state.rounds.append(point)
        elif run.train_spans == last.train_spans:
            state.rounds[-1] = point  # the same gold trained again: its latest run counts
    gains = [
        (b.dev_f or 0.0) - (a.dev_f or 0.0)
        for a, b in zip(state.rounds, state.rounds[1:], strict=False)
    ]
    state.flattened = len(gains) >= FLAT_ROUNDS and all(g < FLAT_GAIN for g in gains[-FLAT_ROUNDS:])
    return runs


def _evaluation(ws: Workspace, status: LoopStatus) -> None:
    if not ws.evaluate_dir.is_dir():
        return
    found: list[tuple[str, Path, MetricsFile]] = []
    for path in ws.evaluate_dir.glob("*/metrics.json"):
        try:
            view = MetricsFile.load(path)
        except InputError:
            continue  # not an evaluation this nerwb reads: the next newest one is shown
        found.append((view.created, path.parent, view))
    if not found:
        return
    _, folder, view = max(found, key=lambda f: (f[0], f[1].name))
    strict = view.micro.get("strict")
    split = view.seen_unseen
    status.evaluation = EvaluationState(
        str(folder.relative_to(ws.root)),
        view.model,
        view.created,
        None if strict is None else strict.f,
        None if split is None else split.seen.pooled.recall,
        None if split is None else split.unseen.pooled.recall,
        None if split is None else split.seen.pooled.gold,
        None if split is None else split.unseen.pooled.gold,
    )


def _unseen_names(ws: Workspace, status: LoopStatus, pool: list[str]) -> None:
    if not ws.name_candidates_path.exists():
        return
    counted = NameCandidatesFile.load(ws.name_candidates_path)
    if counted.segment_length != ws.config.corpus.segment_length or counted.lang != ws.language:
        return  # counted on another cut: says nothing of today's segments
    covered = [s for s in pool if s in counted.segments]
    names = set().union(*(counted.segments[s] for s in covered)) - labelled_names(ws.gold_path)
    status.unseen_names = UnseenNames(
        len(names), len(covered), len(pool) - len(covered), counted.counted_at
    )


def _next(ws: Workspace, status: LoopStatus, runs: list[TrainingRun]) -> Next:
    if status.articles == 0:
        return Next(NextStep.ADD_ARTICLES)
    if not status.splits:
        return Next(NextStep.SPLIT)
    train = status.splits.get(POOL_SPLIT, SplitState())
    table = loop_default.DEFAULT_LOOP
    batch = max(1, math.ceil(BATCH_SHARE * train.total.segments))
    model = next((r.model for r in reversed(runs) if r.has_model), None)
    if not any(s.pushed.segments for s in status.splits.values()) and not status.annotators:
        return Next(NextStep.PUSH_FIRST, min(batch, train.total.segments), table.first)
    waiting = sum(c.segments for a in status.annotators.values() for c in a.waiting.values())
    if waiting:
        return Next(NextStep.WAIT, waiting=waiting)
    gold = ws.gold_path.stat().st_mtime if ws.gold_path.exists() else 0.0
    confirmed = any(s.labelled.segments for s in status.splits.values())
    imported = [p.stat().st_mtime for p in ws.imports_dir.glob("*.jsonl")]
    newest_labels = max([_when(status.pulled_at), *imported])
    if confirmed and newest_labels > gold:  # a pull or an import the gold does not hold yet
        return Next(NextStep.MERGE)
    last_run = max((_when(r.finished) for r in runs), default=0.0)
    if gold and gold > last_run:
        return Next(NextStep.TRAIN)
    if status.training.flattened:
        return Next(NextStep.NEW_KIND)
    left = status.pool.segments
    strategy = table.strategy(has_model=model is not None)
    model = model if strategy in USES_MODEL else None
    if left == 0:
        return Next(NextStep.DONE)
    if left <= batch:
        return Next(NextStep.LABEL_REST, left, strategy, model)
    return Next(NextStep.LABEL_MORE, batch, strategy, model)


def loop_status(ws: Workspace) -> LoopStatus:
    """Where the workspace stands in the loop, and what to do next (see the module's docstring).

    Raises:
        InputError: a stage file that is corrupt or of a newer nerwb (the corpus, splits, push
            ledger, assignment plan, a snapshot, agreement.json, name-candidates.json), naming
            it. An unreadable training manifest or evaluation is listed or skipped instead.
    """
    status = LoopStatus(ws.root)
    corpus = _corpus(ws, status)
    status.splits = dict(sorted(status.splits.items(), key=lambda kv: split_order(kv[0])))
    if corpus is not None:
        _unseen_names(ws, status, _labelling(ws, status, corpus))
    if ws.gold_path.exists():
        status.gold_merged_at = _iso(ws.gold_path.stat().st_mtime)
    _agreement(ws, status)
    runs = _training(ws, status)
    _evaluation(ws, status)
    status.next = _next(ws, status, runs)
    return status
