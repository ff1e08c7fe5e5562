"""``nerwb doccano push``: corpus segments to a Doccano project, bulk, resumable, never twice.

The push use case, who labels what (the assignment plan) and the check that segments are cut as
those already pushed; the project and its span types are in ``projects``, the accounts in
``accounts``, the rows and the chunked import in ``upload``, the choice of ``--select`` in
``nerwb.select.strategies``.

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

from nerwb.corpus.model import Segment
from nerwb.doccano.accounts import ensure_annotators
from nerwb.doccano.models import Project
from nerwb.doccano.projects import GUIDELINES, ensure_project, sync_guideline, sync_span_types
from nerwb.doccano.upload import (
    CHUNK_ROWS,
    Row,
    import_row,
    segment_hash,
    server_segments,
    upload_rows,
)
from nerwb.errors import ErrorKind, NerwbError
from nerwb.labels.schema import LabelSchema
from nerwb.names import check_name
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.doccano import AssignmentPlan, PushedProject, PushLedger, PushSelection
from nerwb.select.pool import selected_segments
from nerwb.select.strategies import Ranked, Selection, rank_segments
from nerwb.workspace import Workspace

if TYPE_CHECKING:
    from nerwb.doccano.client import DoccanoClient  # httpx: imported by whoever connects

PUSH_STAGE = "Pushing segments"


class PushInterrupted(NerwbError):
    """Ctrl-C during a push: what was uploaded stays, and a rerun resumes after it."""

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
        NerwbError: the recorded length differs, or an article on the server has other segments.
    """
    how = (
        f"set [corpus] segment_length = {recorded_length} in nerwb.toml again"
        if recorded_length
        else "restore the segment_length of the last push in nerwb.toml"
    )
    advice = f'{how}, or push to a new project ([doccano] project = "..." in nerwb.toml)'
    if known and recorded_length is not None and recorded_length != segment_length:
        raise NerwbError(
            f"segment_length is {segment_length} in nerwb.toml, but the {len(known)} segment(s) "
            f"already in Doccano project {project!r} were cut at {recorded_length}; pushing now "
            f"would upload overlapping examples beside the old ones. To go on, {advice}"
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
                f"{segment_length} gives now; pushing would upload overlapping examples. "
                f"To go on, {advice}"
            )


def check_overlap(overlap: float) -> None:
    """Raises NerwbError: ``overlap`` is not a share between 0 and 1."""
    if not 0 <= overlap <= 1:
        raise NerwbError(
            f"the overlap is a share of segments between 0 and 1, not {overlap}",
            setting="overlap",
        )


def plan_assignments(
    segment_ids: list[str], annotators: list[str], overlap: float, seed: int
) -> dict[str, list[str]]:
    """Who labels what: a share ``overlap`` of segments goes to two annotators, the rest to one.

    Round-robin keeps the load even; the seed makes the plan reproducible.
    """
    if not annotators:
        return {}
    check_overlap(overlap)
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


def push(
    client: DoccanoClient,
    ws: Workspace,
    schema: LabelSchema,
    *,
    splits: list[str],
    annotators: list[str] | None = None,
    overlap: float = 0.0,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: OnProgress | None = None,
    selection: Selection | None = None,
) -> PushReport:
    """Push the segments of ``splits`` to the workspace's Doccano project.

    Every option and the segments are checked before the server is changed; annotator accounts
    are created only once the project's segments are known to fit (same cut).

    Args:
        on_progress: hears of the segments uploaded after each chunk.
    """
    annotators = annotators or []
    for name in annotators:
        check_name(name, what="annotator")
    if annotators:
        check_overlap(overlap)
    segments = selected_segments(ws, splits)  # an unknown split, an unsplit corpus
    project, created = ensure_project(client, ws.project_name)
    report = PushReport(project=project, project_created=created)
    report.span_types_created, report.span_types_updated = sync_span_types(
        client, project.id, schema
    )
    report.guideline = sync_guideline(client, project, ws.schema_path.parent / GUIDELINES)
    passwords_path = ws.annotator_passwords_path
    report.selected = len(segments)
    ledger = PushLedger(ws.push_ledger_path)
    entry = ledger.entry(client.url, project.id)
    known = entry.segments
    # Under the workspace lock: the ledger is this workspace's truth unless the server's count
    # disagrees; then the server decides, so a segment it holds is never uploaded again.
    if client.count_examples(project.id) != len(known):
        on_server, report.server_duplicates = server_segments(client, project.id)
        known.clear()
        known.update(on_server)
        report.reconciled_with_server = True
    segment_length = ws.config.corpus.segment_length
    check_same_cut(
        segments,
        known,
        recorded_length=entry.segment_length,
        segment_length=segment_length,
        project=project.name,
    )
    entry.segment_length = segment_length if known or segments else entry.segment_length
    ledger.save()
    if annotators:
        report.annotators_created, report.members_added = ensure_annotators(
            client, project.id, annotators, passwords_path
        )

    todo = [(s, split, title) for s, split, title in segments if s.id not in known]
    report.already_there = len(segments) - len(todo)
    if selection is not None:
        todo = _select(todo, selection, ws, report)

    plan_path = ws.assignments_path
    plan = AssignmentPlan.load_or_new(plan_path).segments
    if annotators:
        plan.update(
            plan_assignments([s.id for s, _, _ in todo], annotators, overlap, ws.config.corpus.seed)
        )
        AssignmentPlan(segments=plan).save(plan_path)
        for names in (plan[s.id] for s, _, _ in todo):
            for name in names:
                report.assignments[name] = report.assignments.get(name, 0) + 1

    rows = [import_row(s, split, title, plan.get(s.id)) for s, split, title in todo]
    report.to_upload = len(rows)
    report.rows = rows

    def uploaded(chunk: list[Row]) -> None:
        for row in chunk:
            known[row["segment_id"]] = row["content_hash"]
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
            client, project.id, rows, record_chunk=uploaded, record_sent=sent, chunk_rows=chunk_rows
        )
    except KeyboardInterrupt:
        raise PushInterrupted(report, passwords_path) from None
    if selection is not None and report.ranked:
        _record_scores(client, project.id, report.ranked, selection, entry)
        ledger.save()
    return report


def _select(
    todo: list[tuple[Segment, str, str | None]],
    selection: Selection,
    ws: Workspace,
    report: PushReport,
) -> list[tuple[Segment, str, str | None]]:
    """The unpushed segments the strategy ranks first, in rank order."""
    from nerwb.select.candidates import labelled_names  # spaCy: only when a push selects

    report.asked_for = selection.n
    report.ranked = rank_segments(
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
    return [by_id[r.segment_id] for r in report.ranked]


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
