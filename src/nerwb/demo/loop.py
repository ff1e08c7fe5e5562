"""The main job: the whole loop on the shipped demo corpus, with the embedded defaults.

Round one: doccano up → corpus add/split → doccano push (dev, test, and a random share of the
train segments, two annotators) → simulated annotators label through Doccano's REST API →
doccano pull → labels audit/agreement/merge/convert → train → evaluate.
Round two (the model in the loop): the rest of the train segments, ranked by the loop's default
strategy with a model (``DEFAULT_LOOP.then``), pushed with that model's suggestions (and the
confirmed names propagated, where ``DEFAULT_LOOP`` says so) → the simulated
annotators correct them → pull → ``labels suggestions`` → round one's conflicts adjudicated in
the review project → pull → merge (decisions first) → convert → train → evaluate.
Each stage calls the same library functions as its CLI command; the stages report through a
callback so the CLI can show them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from nerwb.corpus.readers import read_articles
from nerwb.corpus.splits import split_workspace
from nerwb.corpus.store import add_articles
from nerwb.demo import DEMO_STEPS
from nerwb.demo.simulated_annotators import (
    CAREFUL,
    NOISY,
    CorrectionReport,
    LabellingReport,
    adjudicate,
    correct,
    simulate,
)
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.connection import connect, credentials_for, remote_url
from nerwb.doccano.models import Project
from nerwb.doccano.projects import find_project
from nerwb.doccano.pull import pull
from nerwb.doccano.push import PushOptions, push
from nerwb.doccano.review import send_to_review
from nerwb.doccano.suggest import SuggestOptions, suggest
from nerwb.errors import LabelsError
from nerwb.evaluate.metrics import EvalMetrics
from nerwb.evaluate.options import EvaluateContext, EvaluateOptions
from nerwb.evaluate.run import evaluate
from nerwb.io import read_jsonl
from nerwb.labels.agreement import measure_agreement
from nerwb.labels.annotations import LabeledSpan
from nerwb.labels.audit import audit_workspace
from nerwb.labels.docbin import convert_workspace
from nerwb.labels.merge import MergeOptions, merge_workspace
from nerwb.labels.options import AgreementOptions, AuditOptions
from nerwb.labels.patterns import propagation_patterns
from nerwb.labels.policies import ConvertOptions, MisalignedPolicy, OverlapPolicy
from nerwb.labels.schema import LabelSchema, load_schema
from nerwb.labels.snapshots import load_annotations
from nerwb.labels.suggestions import suggestions_in_workspace
from nerwb.loop import default as loop_default
from nerwb.predict.suggest import load_suggester
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.doccano import AnnotatorPasswords, PushLedger
from nerwb.records.suggestions import SuggestionLedger
from nerwb.select.pool import selected_segments
from nerwb.select.strategies import (
    USES_MODEL,
    Selection,
    SelectStrategy,
    load_selection_model,
)
from nerwb.server.direct import direct_access
from nerwb.server.local import local_server
from nerwb.training.options import TrainOptions
from nerwb.training.run import steps_only, train
from nerwb.workspace import Workspace

DEMO_ANNOTATORS = ("demo_alice", "demo_bob")  # alice careful, bob noisy
DEMO_OVERLAP = 0.5  # half the segments labelled by both, for agreement
DEMO_CONFIG = "ner-accuracy.cfg"
DEMO_ROUND_ONE = 0.6  # share of the train segments labelled in round one, chosen at random
DEMO_ADJUDICATOR = "demo_lead"
# the simulated annotators' spans may miss token boundaries or overlap: settled, not refused
DEMO_CONVERSION = ConvertOptions(MisalignedPolicy.EXPAND, OverlapPolicy.LONGEST)


def demo_corpus_path() -> Path:
    return Path(str(resources.files("nerwb.resources").joinpath("demo/articles.jsonl")))


@dataclass
class DemoResult:
    url: str = ""
    credentials: Path | None = None
    labelling: dict[str, LabellingReport] = field(default_factory=dict)
    snapshot: Path | None = None
    agreement: dict[str, Any] = field(default_factory=dict)
    problems: int = 0
    gold_spans: int = 0
    conflicts: int = 0
    unconfirmed_segments: int = 0
    corrections: dict[str, CorrectionReport] = field(default_factory=dict)  # round two
    suggestions: dict[str, dict[str, Any]] = field(default_factory=dict)
    review_decisions: int = 0
    round_one_f: float | None = None  # test strict F after round one (metrics: the last round)
    partly_gold_pieces: int = 0
    docbin_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    model: Path | None = None
    best_dev_f: float = 0.0
    report: Path | None = None
    metrics: EvalMetrics | None = None


class DemoStage(StrEnum):
    """The demo's stages, in the order a run reports them (each may report more than once)."""

    DOCCANO_UP = "doccano up"
    CORPUS_ADD = "corpus add"
    CORPUS_SPLIT = "corpus split"
    DOCCANO_PUSH = "doccano push"
    SIMULATED_ANNOTATORS = "simulated annotators"
    DOCCANO_PULL = "doccano pull"
    LABELS_AUDIT = "labels audit"
    LABELS_AGREEMENT = "labels agreement"
    LABELS_MERGE = "labels merge"
    LABELS_CONVERT = "labels convert"
    TRAIN = "train"
    EVALUATE = "evaluate"
    ROUND_TWO_PUSH = "round 2 push"
    ROUND_TWO_SUGGEST = "round 2 suggest"
    ROUND_TWO_ANNOTATORS = "round 2 annotators"
    LABELS_SUGGESTIONS = "labels suggestions"
    LABELS_REVIEW = "labels review"

    @property
    def trains_next(self) -> bool:
        """Training comes next: each round trains right after converting its gold."""
        return self is DemoStage.LABELS_CONVERT

    @property
    def trained(self) -> bool:
        """Reported once a round's training has finished."""
        return self is DemoStage.TRAIN


class Say:
    """Tells ``on_progress`` what a stage of the demo did: a ``ProgressEvent`` whose ``stage``
    is the ``DemoStage``, ``done`` its place among them and ``item`` what happened."""

    def __init__(self, on_progress: OnProgress | None):
        self.on_progress = on_progress

    def __call__(self, stage: DemoStage, what: str) -> None:
        place = list(DemoStage).index(stage) + 1
        emit(self.on_progress, ProgressEvent(stage, place, len(DemoStage), "stage", item=what))


def _gold(path: Path, limit: int | None) -> dict[str, list[LabeledSpan]]:
    """Gold spans of the demo articles (the first ``limit`` of them), by article id."""
    records = read_jsonl(path)
    records = records[:limit] if limit else records
    return {r["id"]: [LabeledSpan(s, e, lab) for s, e, lab in r["label"]] for r in records}


def run_demo(
    ws: Workspace,
    *,
    port: int | None = None,
    limit: int | None = None,
    steps: int = DEMO_STEPS,
    config: str = DEMO_CONFIG,
    training_overrides: dict[str, Any] | None = None,
    rounds: int = 2,
    on_progress: OnProgress | None = None,
) -> DemoResult:
    """Run the whole loop in ``ws``; the local Doccano server stays up afterwards.

    Args:
        limit: Use only the first ``limit`` demo articles (the end-to-end test uses a few).
        steps: Training steps (``training.max_steps``), for each round.
        rounds: 1 for the first round only; 2 adds the model in the loop.
        on_progress: Hears each stage's news (``Say``) and each training step
            (``training.run.StepEvent``).
    """
    say, on_train_step = Say(on_progress), on_progress
    result = DemoResult()
    schema = load_schema(ws.schema_path)
    _start_server(ws, result, port, say)
    gold = _add_corpus(ws, limit, say)
    project = _push_round_one(ws, schema, say)
    _simulate_annotators(ws, result, project.id, gold, say)
    snapshot = _pull(ws, result, schema, say)
    _labels(ws, result, snapshot, say)
    # 7-8. train, evaluate on the held-out test split
    _train_and_evaluate(
        ws,
        result,
        schema,
        snapshot.name,
        steps,
        config,
        training_overrides,
        say,
        on_train_step,
    )
    # Round two: the model in the loop
    if rounds >= 2:
        _round_two(ws, result, schema, gold, steps, config, training_overrides, say, on_train_step)
    return result


def _start_server(ws: Workspace, result: DemoResult, port: int | None, say: Say) -> None:
    """1. doccano up (the embedded default), unless the workspace names a remote server."""
    if remote_url(ws):
        say(DemoStage.DOCCANO_UP, "using the remote server named by DOCCANO_URL / nerwb.toml")
    else:
        server = local_server(ws)
        status, started = server.up(
            port=port, on_progress=lambda e: say(DemoStage.DOCCANO_UP, e.item or "")
        )
        say(DemoStage.DOCCANO_UP, f"{'started' if started else 'already running'} at {status.url}")
        result.credentials = server.credentials_path
    result.url = credentials_for(ws).url


def _add_corpus(ws: Workspace, limit: int | None, say: Say) -> dict[str, list[LabeledSpan]]:
    """2. corpus add + split; returns the demo corpus's gold (the simulated annotators' key)."""
    source = demo_corpus_path()
    gold = _gold(source, limit)
    raw = [r for r in read_articles([source]) if r.id in gold]
    report, _ = add_articles(ws.articles_path, raw)
    say(
        DemoStage.CORPUS_ADD,
        f"{len(report.added)} added, {len(report.already_present)} already present",
    )
    split = split_workspace(ws)
    say(DemoStage.CORPUS_SPLIT, ", ".join(f"{k} {v}" for k, v in split.splits.counts().items()))
    return gold


def _push_round_one(ws: Workspace, schema: LabelSchema, say: Say) -> Project:
    """3. push with two annotators: dev and test whole, train in two rounds."""
    settings = ws.config.corpus
    with connect(ws) as admin:
        pushed = push(
            admin,
            ws,
            PushOptions(splits=("dev", "test"), annotators=DEMO_ANNOTATORS, overlap=DEMO_OVERLAP),
        )
        first = _unpushed_train(ws, admin.url, share=DEMO_ROUND_ONE)
        if first:
            round_one = push(
                admin,
                ws,
                PushOptions(
                    splits=("train",),
                    annotators=DEMO_ANNOTATORS,
                    overlap=DEMO_OVERLAP,
                    selection=Selection(SelectStrategy.RANDOM, first, seed=settings.seed),
                ),
            )
            pushed.uploaded += round_one.uploaded
        project = find_project(admin, ws.project_name)
    say(
        DemoStage.DOCCANO_PUSH,
        f"project {project.name!r}: {pushed.uploaded} segments uploaded, {pushed.already_there} "
        f"already there (articles cut at {settings.segment_length} characters; "
        f"{DEMO_ROUND_ONE:.0%} of train now, at random, the rest in round two)",
    )
    return project


def _simulate_annotators(
    ws: Workspace,
    result: DemoResult,
    project_id: int,
    gold: dict[str, list[LabeledSpan]],
    say: Say,
) -> None:
    """4. simulated annotators label through the REST API (a demo device)."""
    passwords = AnnotatorPasswords.load(ws.annotator_passwords_path)
    for name, noise in zip(DEMO_ANNOTATORS, (CAREFUL, NOISY), strict=True):
        if passwords.get(name) is None:
            say(
                DemoStage.SIMULATED_ANNOTATORS,
                f"{name} exists on the server but its password is not in annotators.json; skipped",
            )
            continue
        with DoccanoClient(result.url) as client:
            passwords.login(client, name)
            labelled = simulate(
                client, project_id, name, gold, noise=noise, seed=ws.config.corpus.seed
            )
        result.labelling[name] = labelled
        say(
            DemoStage.SIMULATED_ANNOTATORS,
            f"{name}: {labelled.examples} examples, {labelled.spans_created} spans "
            f"({labelled.missed} missed, {labelled.shifted} shifted, {labelled.retyped} retyped on purpose)",
        )


def _pull(ws: Workspace, result: DemoResult, schema: LabelSchema, say: Say) -> Path:
    """5. pull; returns the snapshot folder."""
    with connect(ws) as admin:
        pulled = pull(direct_access(ws) or admin, ws, schema)
    result.snapshot = pulled.snapshot
    say(
        DemoStage.DOCCANO_PULL,
        f"{pulled.snapshot.relative_to(ws.root)}: "
        + ", ".join(
            f"{n} {s.spans} spans in {s.segments} segments ({s.confirmed} confirmed) of "
            f"{s.articles} articles"
            for n, s in pulled.annotators.items()
        ),
    )
    return pulled.snapshot


def _labels(ws: Workspace, result: DemoResult, snapshot: Path, say: Say) -> None:
    """6. labels: audit, agreement, merge, convert (the same use cases as the CLI's)."""
    demo_only = {"snapshot": snapshot, "annotators": list(DEMO_ANNOTATORS)}
    audited = audit_workspace(ws, AuditOptions(**demo_only))
    result.problems = len(audited.problems)
    say(
        DemoStage.LABELS_AUDIT,
        f"{len(audited.problems)} problem(s) listed in {audited.path.relative_to(ws.root)}",
    )
    try:
        agreed = measure_agreement(ws, AgreementOptions(**demo_only))
        result.agreement = agreed.to_json()
        say(
            DemoStage.LABELS_AGREEMENT,
            f"span F1 {agreed.overall_f1:.3f}, token kappa {agreed.overall_kappa:.3f} over "
            f"{sum(p.segments for p in agreed.pairs)} segment(s) both were given and confirmed",
        )
    except LabelsError as err:  # no double-labelled segment in a tiny run: report, go on
        say(DemoStage.LABELS_AGREEMENT, f"skipped: {err}")
    merged = merge_workspace(ws, MergeOptions.parse(f"prefer:{DEMO_ANNOTATORS[0]}", **demo_only))
    result.gold_spans, result.conflicts = merged.spans, len(merged.conflicts)
    result.unconfirmed_segments = merged.unconfirmed
    say(
        DemoStage.LABELS_MERGE,
        f"prefer:{DEMO_ANNOTATORS[0]}: {merged.spans} gold spans in {merged.gold_segments} "
        f"confirmed segments of {len(merged.gold)} articles; {merged.unconfirmed} unconfirmed "
        f"segment(s) left out ({merged.unconfirmed_spans} spans)",
    )
    converted = convert_workspace(ws, DEMO_CONVERSION)
    result.docbin_counts = {
        s: {lab: c.written + c.changed for lab, c in by.items()}
        for s, by in converted.per_split.items()
    }
    result.partly_gold_pieces = sum(converted.pieces.values())
    say(
        DemoStage.LABELS_CONVERT,
        ", ".join(
            f"{s} {converted.docs.get(s, 0)} docs ({converted.pieces.get(s, 0)} gold pieces of "
            "partly confirmed articles)"
            for s in ("train", "dev", "test")
        ),
    )


def _unpushed_train(ws: Workspace, url: str, *, share: float) -> int:
    """How many train segments to push so that ``share`` of them is on the server."""
    train = [s.id for s, _, _ in selected_segments(ws, ["train"])]
    known = PushLedger(ws.push_ledger_path).pushed()
    on_server = sum(sid in known for sid in train)
    return max(0, math.ceil(share * len(train)) - on_server)


def _train_and_evaluate(
    ws: Workspace,
    result: DemoResult,
    schema: LabelSchema,
    name: str,
    steps: int,
    config: str,
    training_overrides: dict[str, Any] | None,
    say: Say,
    on_train_step: OnProgress | None,
) -> None:
    # 7. train
    overrides = {
        "training.max_steps": steps,
        "training.eval_frequency": max(10, steps // 6),
        **(training_overrides or {}),
    }
    run_dir = ws.run_folder(ws.training_dir, "demo", Path(config).stem, name, stamped=False)
    options = TrainOptions(
        config=ws.configs_dir / config,
        output=run_dir,
        train_data=ws.docbin_path("train"),
        dev_data=ws.docbin_path("dev"),
        overrides=overrides,
        force=True,
    )
    trained = train(ws, options, on_progress=steps_only(on_train_step))
    result.model, result.best_dev_f = trained.output / "model-best", trained.best_score
    say(
        DemoStage.TRAIN,
        f"{trained.steps} steps in {trained.seconds:.0f} s, best dev F {trained.best_score:.3f}",
    )

    # 8. evaluate on the held-out test split
    context = EvaluateContext(ws.language, ws.evaluate_dir, schema.colours())
    evaluated = evaluate(EvaluateOptions(result.model, ws.docbin_path("test")), context)
    result.report, result.metrics = evaluated.folder / "report.html", evaluated.metrics
    strict = evaluated.metrics.micro["strict"]
    say(DemoStage.EVALUATE, f"test strict P {strict.p:.3f} R {strict.r:.3f} F {strict.f:.3f}")


def _round_two(
    ws: Workspace,
    result: DemoResult,
    schema: LabelSchema,
    gold: dict[str, list[LabeledSpan]],
    steps: int,
    config: str,
    training_overrides: dict[str, Any] | None,
    say: Say,
    on_train_step: OnProgress | None,
) -> None:
    """The rest of train, ranked with round one's model and pre-annotated by it."""
    project_id = _push_and_suggest(ws, result, schema, say)
    _correct_suggestions(ws, result, gold, project_id, say)
    pulled = _pull_suggestions(ws, result, schema, say)
    _review(ws, schema, gold, pulled, result, say)
    final = _merge_reviewed(ws, result, schema, say)
    # round one's _train_and_evaluate set result.metrics
    result.round_one_f = result.metrics.micro["strict"].f if result.metrics else None
    _train_and_evaluate(
        ws,
        result,
        schema,
        final.name,
        steps,
        config,
        training_overrides,
        say,
        on_train_step,
    )


def _push_and_suggest(ws: Workspace, result: DemoResult, schema: LabelSchema, say: Say) -> int:
    """9. push the rest of the train segments, ranked by the loop's default with round one's
    model, with its suggestions (the demo's annotators correct suggestions, so it suggests
    from the model whatever ``DEFAULT_LOOP`` says); returns the project's id."""
    assert result.model is not None
    model = result.model
    table = loop_default.DEFAULT_LOOP
    strategy = table.then
    with connect(ws) as admin:
        rest = _unpushed_train(ws, admin.url, share=1.0)
        chosen: set[str] = set()
        if rest:
            nlp = load_selection_model(model, schema)
            second = push(
                admin,
                ws,
                PushOptions(
                    splits=("train",),
                    annotators=DEMO_ANNOTATORS,
                    overlap=DEMO_OVERLAP,
                    selection=Selection(strategy, rest, nlp, str(model)),
                ),
            )
            chosen = {r.segment_id for r in second.ranked}
            top = second.ranked[0] if second.ranked else None
            say(
                DemoStage.ROUND_TWO_PUSH,
                f"{len(chosen)} segments "
                + (
                    f"ranked by {strategy} with round one's model"
                    if strategy in USES_MODEL
                    else f"chosen by {strategy} (the loop's default order)"
                )
                + (f" (first: {top.segment_id}, {top.why})" if top else ""),
            )
        else:
            say(DemoStage.ROUND_TWO_PUSH, "every train segment is already on the server")
        # the segments round two chose (a rerun finds them in the push ledger)
        round_two = {
            sid
            for entry in PushLedger(ws.push_ledger_path).data.values()
            for sid, how in entry.selection.items()
            if how.strategy == strategy
        }
        propagation = propagation_patterns(ws, table.propagate) if table.propagate else None
        suggested = suggest(
            direct_access(ws) or admin,
            ws,
            load_suggester(schema, lang=ws.language, model=model, propagation=propagation),
            SuggestOptions(segment_ids=round_two | chosen),
        )
        project = find_project(admin, ws.project_name)
    say(
        DemoStage.ROUND_TWO_SUGGEST,
        f"{suggested.spans_created} suggested spans created as each assigned annotator's own "
        f"({suggested.already_suggested} pairs suggested before)",
    )
    return project.id


def _correct_suggestions(
    ws: Workspace,
    result: DemoResult,
    gold: dict[str, list[LabeledSpan]],
    project_id: int,
    say: Say,
) -> None:
    """10. the simulated annotators correct the suggestions they were offered."""
    ledger = SuggestionLedger(ws.suggestions_path).data
    offered_ids = {sid for entry in ledger.values() for sid in entry}
    passwords = AnnotatorPasswords.load(ws.annotator_passwords_path)
    for name, noise in zip(DEMO_ANNOTATORS, (CAREFUL, NOISY), strict=True):
        if passwords.get(name) is None:
            continue
        with DoccanoClient(result.url) as client:
            passwords.login(client, name)
            fixed = correct(
                client, project_id, name, gold, offered_ids, noise=noise, seed=ws.config.corpus.seed
            )
        result.corrections[name] = fixed
        say(
            DemoStage.ROUND_TWO_ANNOTATORS,
            f"{name} corrected {fixed.examples} suggested segments with {fixed.edits} edits "
            f"({fixed.from_scratch} spans from scratch)",
        )


def _pull_suggestions(ws: Workspace, result: DemoResult, schema: LabelSchema, say: Say) -> Path:
    """11. pull, and what became of the suggestions; returns the snapshot folder."""
    with connect(ws) as admin:
        pulled = pull(direct_access(ws) or admin, ws, schema)
    rows, _ = suggestions_in_workspace(ws, snapshot=pulled.snapshot)
    result.suggestions = {r.annotator: r.total.to_json() for r in rows}
    say(
        DemoStage.LABELS_SUGGESTIONS,
        "; ".join(
            f"{r.annotator}: {r.total.accepted} of {r.total.offered} accepted, "
            f"{r.total.deleted} deleted, {r.total.added} added"
            for r in rows
        ),
    )
    return pulled.snapshot


def _review(
    ws: Workspace,
    schema: LabelSchema,
    gold: dict[str, list[LabeledSpan]],
    snapshot: Path,
    result: DemoResult,
    say: Say,
) -> None:
    """12. where the two disagree (a majority of two is both) goes to a (simulated)
    adjudicator in the review project."""
    demo_only = {"snapshot": snapshot, "annotators": list(DEMO_ANNOTATORS)}
    voted = merge_workspace(ws, MergeOptions.parse("majority", **demo_only))
    annotations, _ = load_annotations(ws, **demo_only)
    try:
        with connect(ws) as admin:
            sent = send_to_review(admin, ws, schema, annotations, adjudicator=DEMO_ADJUDICATOR)
        passwords = AnnotatorPasswords.load(ws.annotator_passwords_path)
        with DoccanoClient(result.url) as judge:
            passwords.login(judge, DEMO_ADJUDICATOR)
            decided = adjudicate(judge, sent.project.id, gold)
        say(
            DemoStage.LABELS_REVIEW,
            f"{len(voted.conflicts)} conflicts in {sent.conflicts} segment(s): {sent.sent} sent "
            f"to {sent.project.name!r}; {DEMO_ADJUDICATOR} decided {decided}",
        )
    except LabelsError as err:  # a tiny run may have no conflicts
        say(DemoStage.LABELS_REVIEW, f"skipped: {err}")


def _merge_reviewed(ws: Workspace, result: DemoResult, schema: LabelSchema, say: Say) -> Path:
    """13. pull the adjudicator's decisions, merge and convert; returns the snapshot folder."""
    with connect(ws) as admin:
        final = pull(direct_access(ws) or admin, ws, schema)
    result.review_decisions = final.review_decisions
    merged = merge_workspace(
        ws,
        MergeOptions.parse(
            f"prefer:{DEMO_ANNOTATORS[0]}", snapshot=final.snapshot, annotators=DEMO_ANNOTATORS
        ),
    )
    say(
        DemoStage.LABELS_MERGE,
        f"{merged.spans} gold spans in {merged.gold_segments} segments, {merged.adjudicated} "
        "settled by the adjudicator",
    )
    converted = convert_workspace(ws, DEMO_CONVERSION)
    say(
        DemoStage.LABELS_CONVERT,
        ", ".join(f"{s} {converted.docs.get(s, 0)} docs" for s in ("train", "dev", "test")),
    )
    result.gold_spans, result.conflicts = merged.spans, len(merged.conflicts)
    result.docbin_counts = {
        s: {lab: c.written + c.changed for lab, c in by.items()}
        for s, by in converted.per_split.items()
    }
    return final.snapshot
