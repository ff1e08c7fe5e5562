"""``nerwb doccano push``: corpus segments to a Doccano project, bulk, resumable, never twice.

A push is a plan, then its application (as Terraform's and Django migrations' are):

- ``plan_push`` reads the workspace and the server and computes everything a push does: the
  project to create or reuse, its span types and guideline, the accounts and members, which
  segments the server already holds (the ledger, checked against the server's own examples),
  the cut check, the ``--select`` ranking, who labels what, and the rows to upload. It changes
  nothing, so every refusal comes before any change and a dry run is the plan shown.
- ``apply_push`` makes the plan's changes in order and records them (ledger, passwords,
  assignment plan) as it goes, so an interrupted push resumes after its last chunk.
- ``push`` is the use case: the workspace lock, the plan, the application.

The project and its span types are in ``projects``, the accounts in ``accounts``, the rows and
the chunked import in ``upload``, the choice of ``--select`` in ``nerwb.select.strategies``.

The push ledger (``.nerwb/push-ledger.json``, ``nerwb.records.doccano.PushLedger``) records which
segments each project already holds. When the ledger and the server disagree on the count (a
push killed midway, a ledger lost, a second machine), the server's own examples are listed and
their ``segment_id`` meta wins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.choices import SPLIT_NAMES
from nerwb.corpus.model import Segment
from nerwb.doccano.accounts import AccountChanges, account_changes, apply_accounts
from nerwb.doccano.models import Project
from nerwb.doccano.projects import (
    GUIDELINES,
    SpanTypeChanges,
    apply_span_types,
    existing_project,
    guideline_change,
    span_type_changes,
    sync_guideline,
)
from nerwb.doccano.upload import (
    CHUNK_ROWS,
    Row,
    import_row,
    row_chunks,
    segment_hash,
    server_segments,
    upload_rows,
)
from nerwb.errors import ErrorKind, NerwbError, bad_setting
from nerwb.labels.schema import LabelSchema, load_schema
from nerwb.lock import workspace_lock
from nerwb.names import check_name
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.doccano import AssignmentPlan, PushedProject, PushLedger, PushSelection
from nerwb.select.pool import selected_segments
from nerwb.select.strategies import Ranked, Selection, rank_segments
from nerwb.workspace import Workspace

if TYPE_CHECKING:
    from nerwb.doccano.client import DoccanoClient  # httpx: imported by whoever connects

PUSH_STAGE = "Pushing segments"
PUSH_COMMAND = "doccano push"  # what a second writer is told holds the workspace lock


@dataclass(frozen=True)
class PushOptions:
    """What to push and to whom, checked once, when made (before a model loads, a server
    starts or anything is read).

    ``splits``: the splits whose segments to push; ``annotators``: accounts to create, make
    members and assign; ``overlap``: the share of new segments given to two of them;
    ``selection``: push only the segments a strategy ranks first; ``chunk_rows``: rows per bulk
    import; ``lock_wait``: seconds to wait for the workspace lock (None: the default, 0: not).

    Raises:
        NerwbError: an unknown split, an annotator name that cannot be a file name, an overlap
            outside [0, 1], fewer than one row per chunk (kind ``BAD_SETTING``, or
            ``BAD_NAME``).
    """

    splits: tuple[str, ...] = SPLIT_NAMES
    annotators: tuple[str, ...] = ()
    overlap: float = 0.0
    selection: Selection | None = None
    chunk_rows: int = CHUNK_ROWS
    lock_wait: float | None = None

    def __post_init__(self) -> None:
        # lists are welcome; kept as tuples so the options stay one immutable value
        object.__setattr__(self, "splits", tuple(self.splits))
        object.__setattr__(self, "annotators", tuple(self.annotators))
        unknown = [s for s in self.splits if s not in SPLIT_NAMES]
        if unknown or not self.splits:
            raise NerwbError(
                f"unknown split {unknown[0]!r}; choose from {', '.join(SPLIT_NAMES)}"
                if unknown
                else f"no split given; choose from {', '.join(SPLIT_NAMES)}",
                kind=ErrorKind.BAD_SETTING,
                setting="splits",
            )
        for name in self.annotators:
            check_name(name, what="annotator")
        if self.annotators:
            check_overlap(self.overlap)
        if self.chunk_rows < 1:
            raise bad_setting(
                NerwbError, "chunk_rows", f"must be at least 1, not {self.chunk_rows}"
            )


def check_overlap(overlap: float) -> None:
    """Raises NerwbError: ``overlap`` is not a share between 0 and 1."""
    if not 0 <= overlap <= 1:
        raise bad_setting(
            NerwbError, "overlap", f"{overlap}: give a share of segments between 0 and 1 (e.g. 0.2)"
        )


class PushInterrupted(NerwbError):
    """Ctrl-C during a push: what was uploaded stays, and a rerun resumes after it."""

    default_kind = ErrorKind.PUSH_INTERRUPTED

    def __init__(self, report: PushReport, passwords: Path):
        created = ", ".join(report.annotators_created) or "none"
        sent = (
            f", and a chunk of {report.in_flight} more was handed to the server, which may have "
            "imported it (the next push counts what the server holds, and uploads none twice)"
            if report.in_flight
            else ""
        )
        super().__init__(
            f"push interrupted after uploading {report.uploaded} of {report.to_upload} segment(s) "
            f"to project {report.project.name!r}{sent}. Accounts created: {created}"
            + (
                f"; their passwords are in {passwords} (mode 0600)"
                if report.annotators_created
                else ""
            ),
            kind=ErrorKind.PUSH_INTERRUPTED,
        )
        self.report = report


@dataclass
class PushPlan:
    """Everything a push will do, computed from the workspace and the server; nothing done yet.

    ``project`` is None when the project is still to be made (``project_name``). The segment
    counts add up: ``selected`` in the splits = ``already_there`` + the rest, of which
    ``rows`` are uploaded (all of them, or those ``ranked`` first by the selection).
    """

    options: PushOptions
    project_name: str
    project: Project | None
    span_types: SpanTypeChanges
    guideline: str | None  # "set", "updated", "unchanged"; None without GUIDELINES.md
    guideline_path: Path
    accounts: AccountChanges | None  # None without annotators
    known: dict[str, str]  # segment id -> content hash of what the server holds
    reconciled_with_server: bool  # the ledger disagreed with the server, which won
    server_duplicates: dict[str, list[int]]  # segment id -> the examples that hold it
    segment_length: int | None  # what the ledger records for the project after this push
    selected: int  # segments in the splits
    already_there: int
    ranked: list[Ranked] = field(default_factory=list)  # with a selection, in rank order
    assignments: dict[str, list[str]] = field(default_factory=dict)  # segment id -> annotators
    rows: list[Row] = field(default_factory=list)  # to upload, in order

    @property
    def project_created(self) -> bool:
        return self.project is None

    @property
    def not_yet(self) -> int:
        """Segments of the splits the server does not hold yet."""
        return self.selected - self.already_there

    @property
    def chunks(self) -> int:
        return len(row_chunks(self.rows, self.options.chunk_rows))

    def assigned_per_annotator(self) -> dict[str, int]:
        """How many of the segments to upload each annotator gets."""
        counts: dict[str, int] = {}
        for row in self.rows:
            for name in self.assignments.get(row["segment_id"], []):
                counts[name] = counts.get(name, 0) + 1
        return counts


@dataclass
class PushReport:
    project: Project
    project_created: bool = False
    span_types_created: list[str] = field(default_factory=list)
    span_types_updated: list[str] = field(default_factory=list)
    selected: int = 0
    to_upload: int = 0
    uploaded: int = 0
    in_flight: int = 0  # segments of a chunk the server was importing when the push stopped
    already_there: int = 0
    chunks: int = 0
    reconciled_with_server: bool = False
    annotators_created: dict[str, str] = field(default_factory=dict)  # name -> password, shown once
    ranked: list[Ranked] = field(default_factory=list)  # with --select: what was chosen, in order
    rows: list[Row] = field(default_factory=list)  # what this push uploaded
    asked_for: int = 0  # with --select: --n
    members_added: list[str] = field(default_factory=list)
    assignments: dict[str, int] = field(default_factory=dict)  # annotator -> segments assigned
    guideline: str | None = None  # "set", "updated" or "unchanged"; None without GUIDELINES.md
    # segments the server holds more than once (segment id -> example ids); see push --repair
    server_duplicates: dict[str, list[int]] = field(default_factory=dict)


def check_same_cut(
    segments: list[tuple[Segment, str, str | None]],
    known: dict[str, str],
    *,
    recorded_length: int | None,
    segment_length: int,
    project: str,
) -> None:
    """Refuse a push whose segments are cut differently from those the project already holds.

    Pushing them would put overlapping examples beside the old ones, and every later stage
    would count the same text twice.

    Raises:
        NerwbError: the recorded length differs, or an article on the server has other segments
            (kind ``DIFFERENT_CUT``; ``value``: the recorded length, where known).
    """
    if known and recorded_length is not None and recorded_length != segment_length:
        raise NerwbError(
            f"segment_length is {segment_length} in nerwb.toml, but the {len(known)} segment(s) "
            f"already in Doccano project {project!r} were cut at {recorded_length}; pushing now "
            "would upload overlapping examples beside the old ones",
            kind=ErrorKind.DIFFERENT_CUT,
            setting="[corpus] segment_length",
            value=recorded_length,
        )
    by_article: dict[str, dict[str, str]] = {}
    for segment, _, _ in segments:
        by_article.setdefault(segment.article_id, {})[segment.id] = segment_hash(segment)
    on_server: dict[str, dict[str, str]] = {}
    for segment_id, digest in known.items():
        on_server.setdefault(segment_id.rsplit("#", 1)[0], {})[segment_id] = digest
    for article_id, now in by_article.items():
        before = on_server.get(article_id)
        # A subset is an interrupted push resuming; any other difference is another cut.
        if before and not before.items() <= now.items():
            raise NerwbError(
                f"article {article_id!r} is in Doccano project {project!r} as {len(before)} "
                f"segment(s) cut differently from the {len(now)} that segment_length "
                f"{segment_length} gives now; pushing would upload overlapping examples",
                kind=ErrorKind.DIFFERENT_CUT,
                setting="[corpus] segment_length",
                value=recorded_length,
            )


def plan_assignments(
    segment_ids: list[str], annotators: list[str], overlap: float, seed: int
) -> dict[str, list[str]]:
    """Who labels what: a share ``overlap`` of segments goes to two annotators, the rest to one.

    Round-robin keeps the load even; the seed makes the plan reproducible. ``overlap`` is
    checked where the options are made (``PushOptions``).
    """
    if not annotators:
        return {}
    ids = sorted(segment_ids)
    random.Random(seed).shuffle(ids)
    n_double = round(len(ids) * overlap) if len(annotators) > 1 else 0
    plan: dict[str, list[str]] = {}
    for turn, segment_id in enumerate(ids):
        first = annotators[turn % len(annotators)]
        if turn < n_double:
            plan[segment_id] = [first, annotators[(turn + 1) % len(annotators)]]
        else:
            plan[segment_id] = [first]
    return plan


def plan_push(
    client: DoccanoClient, ws: Workspace, options: PushOptions, schema: LabelSchema | None = None
) -> PushPlan:
    """What pushing ``options`` to the workspace's project would do; reads the workspace and the
    server, changes neither.

    Raises:
        NerwbError: the corpus is not split, the segments are cut otherwise than those the
            project holds, or a selection has nothing left to choose from.
        DoccanoError: the project is not a sequence-labelling one, the server has no annotator
            role, or the server refuses a request.
    """
    schema = schema or load_schema(ws.schema_path)
    segments = selected_segments(ws, list(options.splits))  # an unsplit corpus
    project = existing_project(client, ws.project_name)
    name = project.name if project is not None else ws.project_name
    entry = (
        PushLedger(ws.push_ledger_path).data.get(PushLedger.key(client.url, project.id))
        if project is not None
        else None
    )
    known = dict(entry.segments) if entry is not None else {}
    recorded_length = entry.segment_length if entry is not None else None
    reconciled, duplicates = False, {}
    # The ledger is this workspace's truth unless the server's count disagrees; then the
    # server decides, so a segment it holds is never uploaded again.
    if project is not None and client.count_examples(project.id) != len(known):
        known, duplicates = server_segments(client, project.id)
        reconciled = True
    segment_length = ws.config.corpus.segment_length
    check_same_cut(
        segments,
        known,
        recorded_length=recorded_length,
        segment_length=segment_length,
        project=name,
    )
    guideline, _ = guideline_change(project, ws.schema_path.parent / GUIDELINES)
    plan = PushPlan(
        options=options,
        project_name=name,
        project=project,
        span_types=span_type_changes(client.span_types(project.id) if project else [], schema),
        guideline=guideline,
        guideline_path=ws.schema_path.parent / GUIDELINES,
        accounts=account_changes(client, project.id if project else None, list(options.annotators))
        if options.annotators
        else None,
        known=known,
        reconciled_with_server=reconciled,
        server_duplicates=duplicates,
        segment_length=segment_length if known or segments else recorded_length,
        selected=len(segments),
        already_there=0,
    )
    todo = [(s, split, title) for s, split, title in segments if s.id not in known]
    plan.already_there = len(segments) - len(todo)
    if options.selection is not None:
        todo = _select(todo, options.selection, ws, plan)
    if options.annotators:
        ids = [s.id for s, _, _ in todo]
        seed = ws.config.corpus.seed
        plan.assignments = plan_assignments(ids, list(options.annotators), options.overlap, seed)
    assigned = {**AssignmentPlan.load_or_new(ws.assignments_path).segments, **plan.assignments}
    plan.rows = [import_row(s, split, title, assigned.get(s.id)) for s, split, title in todo]
    return plan


def apply_push(
    client: DoccanoClient, ws: Workspace, plan: PushPlan, on_progress: OnProgress | None = None
) -> PushReport:
    """Make ``plan``'s changes and record them as they are made.

    Raises:
        PushInterrupted: Ctrl-C while uploading; what was uploaded is recorded.
        DoccanoError: the server refuses a request, or an import does not finish in time.
    """
    project = plan.project or client.create_project(plan.project_name)
    report = PushReport(project=project, project_created=plan.project_created)
    report.span_types_created, report.span_types_updated = apply_span_types(
        client, project.id, plan.span_types
    )
    report.guideline = sync_guideline(client, project, plan.guideline_path)
    report.selected, report.already_there = plan.selected, plan.already_there
    report.reconciled_with_server = plan.reconciled_with_server
    report.server_duplicates = plan.server_duplicates
    report.ranked, report.rows, report.to_upload = plan.ranked, plan.rows, len(plan.rows)
    if plan.options.selection is not None:
        report.asked_for = plan.options.selection.n
    ledger = PushLedger(ws.push_ledger_path)
    entry = ledger.entry(client.url, project.id)
    if plan.reconciled_with_server:
        entry.segments.clear()
        entry.segments.update(plan.known)
    entry.segment_length = plan.segment_length
    ledger.save()
    passwords_path = ws.annotator_passwords_path
    if plan.accounts is not None:
        report.annotators_created, report.members_added = apply_accounts(
            client, project.id, plan.accounts, passwords_path
        )
    if plan.options.annotators:
        saved = AssignmentPlan.load_or_new(ws.assignments_path)
        saved.segments.update(plan.assignments)
        AssignmentPlan(segments=saved.segments).save(ws.assignments_path)
        report.assignments = plan.assigned_per_annotator()
    _upload(client, project.id, plan, ledger, entry, report, passwords_path, on_progress)
    if plan.options.selection is not None and report.ranked:
        _record_scores(client, project.id, report.ranked, plan.options.selection, entry)
        ledger.save()
    return report


def _upload(
    client: DoccanoClient,
    project_id: int,
    plan: PushPlan,
    ledger: PushLedger,
    entry: PushedProject,
    report: PushReport,
    passwords_path: Path,
    on_progress: OnProgress | None,
) -> None:
    rows = plan.rows

    def uploaded(chunk: list[Row]) -> None:
        for row in chunk:
            entry.segments[row["segment_id"]] = row["content_hash"]
        ledger.save()  # after each chunk: an interrupted push resumes after the last one
        report.chunks += 1
        report.uploaded += len(chunk)
        report.in_flight = 0
        emit(on_progress, ProgressEvent(PUSH_STAGE, report.uploaded, len(rows), "segment"))

    def sent(chunk: list[Row]) -> None:
        report.in_flight = len(chunk)

    emit(on_progress, ProgressEvent(PUSH_STAGE, 0, len(rows), "segment"))
    try:
        upload_rows(
            client,
            project_id,
            rows,
            record_chunk=uploaded,
            record_sent=sent,
            chunk_rows=plan.options.chunk_rows,
        )
    except KeyboardInterrupt:
        raise PushInterrupted(report, passwords_path) from None


def push(
    client: DoccanoClient,
    ws: Workspace,
    options: PushOptions,
    *,
    on_progress: OnProgress | None = None,
) -> PushReport:
    """Push the segments ``options`` name to the workspace's Doccano project, under the
    workspace lock: plan (every check, nothing changed), then apply.

    Args:
        on_progress: hears of a wait for the workspace lock, and of the segments uploaded after
            each chunk.

    Raises:
        WorkspaceBusyError: another command held the lock past ``options.lock_wait``.
        PushInterrupted, NerwbError, DoccanoError: see ``plan_push`` and ``apply_push``.
    """
    with workspace_lock(ws, PUSH_COMMAND, wait=options.lock_wait, on_wait=on_progress):
        plan = plan_push(client, ws, options)
        return apply_push(client, ws, plan, on_progress)


def _select(
    todo: list[tuple[Segment, str, str | None]],
    selection: Selection,
    ws: Workspace,
    plan: PushPlan,
) -> list[tuple[Segment, str, str | None]]:
    """The unpushed segments the strategy ranks first, in rank order."""
    from nerwb.select.candidates import labelled_names  # spaCy: only when a push selects

    plan.ranked = rank_segments(
        [s for s, _, _ in todo],
        selection.strategy,
        n=selection.n,
        nlp=selection.nlp,
        seed=selection.seed,
        near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
        known_names=labelled_names(ws.gold_path),
        lang=ws.language,
    )
    by_id = {s.id: (s, split, title) for s, split, title in todo}
    return [by_id[r.segment_id] for r in plan.ranked]


def _record_scores(
    client: DoccanoClient,
    project_id: int,
    ranked: list[Ranked],
    selection: Selection,
    entry: PushedProject,
) -> None:
    """Each chosen segment's score on its Doccano example (annotators sort by it) and in the ledger."""
    wanted = {r.segment_id: r for r in ranked}
    for example in client.examples(project_id):
        chosen = wanted.get(str(example.meta.get("segment_id")))
        if chosen is not None:
            client.set_score(project_id, example.id, chosen.score)
    for r in ranked:
        entry.selection[r.segment_id] = PushSelection(
            strategy=str(selection.strategy), model=selection.model, rank=r.rank, score=r.score
        )
