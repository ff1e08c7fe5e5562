"""Push corpus segments to a Doccano project: bulk import, resumable, never twice.

A local ledger (``.nerwb/push-ledger.json``) records which segments each project already holds.
When the ledger and the server disagree on the count (a push killed midway, a ledger lost, a
second machine), the server's own examples are listed and their ``segment_id`` meta wins.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nerwb.corpus.model import Segment
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.corpus.store import load_articles
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Project
from nerwb.errors import ErrorKind, NerwbError
from nerwb.io import atomic_write_jsonl
from nerwb.labels.schema import LabelSchema
from nerwb.names import check_name
from nerwb.records.doccano import (
    AnnotatorPasswords,
    AssignmentPlan,
    PushedProject,
    PushLedger,
    PushSelection,
)

if TYPE_CHECKING:  # spaCy loads only when a push selects: keep it out of the CLI's start-up
    from spacy.language import Language

    from nerwb.doccano.client import DoccanoClient  # httpx: imported by whoever connects
    from nerwb.predict.select import Ranked, SelectStrategy
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.workspace import SPLIT_NAMES, Workspace, utc_stamp

CHUNK_ROWS = 2000  # one bulk import each; 2,000 short documents import in ~2.6 s
CHUNK_BYTES = 8 * 1024 * 1024  # far under Doccano's MAX_UPLOAD_SIZE default (1 GiB)
ANNOTATOR_ROLE = "annotator"
PUSH_STAGE = "Pushing segments"


class PushInterrupted(NerwbError):
    """Ctrl-C during a push: what was uploaded stays, and a rerun resumes after it."""

    def __init__(self, report: PushReport, passwords: Path):
        created = ", ".join(report.annotators_created) or "none"
        super().__init__(
            f"push interrupted after uploading {report.uploaded} of {report.to_upload} segment(s) "
            f"to project {report.project.name!r}. Accounts created: {created}"
            + (
                f"; their passwords are in {passwords} (mode 0600)"
                if report.annotators_created
                else ""
            ),
            kind=ErrorKind.PUSH_INTERRUPTED,
        )
        self.report = report


@dataclass
class Selection:
    """``push --select``: push only the ``n`` unpushed segments ``strategy`` ranks first."""

    strategy: SelectStrategy
    n: int
    nlp: Language | None = None
    model: str = ""  # the model folder, for the ledger
    seed: int = 0


@dataclass
class PushReport:
    project: Project
    project_created: bool = False
    span_types_created: list[str] = field(default_factory=list)
    span_types_updated: list[str] = field(default_factory=list)
    selected: int = 0
    to_upload: int = 0
    uploaded: int = 0
    already_there: int = 0
    chunks: int = 0
    reconciled_with_server: bool = False
    annotators_created: dict[str, str] = field(default_factory=dict)  # name -> password, shown once
    ranked: list[Ranked] = field(default_factory=list)  # with --select: what was chosen, in order
    rows: list[dict[str, Any]] = field(default_factory=list)  # what this push uploaded
    asked_for: int = 0  # with --select: --n
    members_added: list[str] = field(default_factory=list)
    assignments: dict[str, int] = field(default_factory=dict)  # annotator -> segments assigned
    guideline: str | None = None  # "set", "updated" or "unchanged"; None without GUIDELINES.md
    # segments the server holds more than once (segment id -> example ids); see push --repair
    server_duplicates: dict[str, list[int]] = field(default_factory=dict)


def _check_type(project: Project) -> Project:
    if project.project_type != "SequenceLabeling":
        raise DoccanoError(
            f"Doccano project {project.name!r} exists but is a {project.project_type} project"
        )
    return project


def find_project(client: DoccanoClient, name: str) -> Project:
    """The project called ``name``; never creates one (a mistyped name must not make an empty one).

    Raises:
        DoccanoError: no such project on the server, or it is not a sequence-labelling project.
    """
    projects = client.projects()
    for project in projects:
        if project.name == name:
            return _check_type(project)
    names = ", ".join(sorted(p.name for p in projects)[:10]) or "none"
    names += ", ..." if len(projects) > 10 else ""
    raise DoccanoError(
        f"no Doccano project {name!r} on {client.url} (projects there: {names})",
        kind=ErrorKind.NO_PROJECT,
        setting="doccano.project",
    )


def ensure_project(client: DoccanoClient, name: str) -> tuple[Project, bool]:
    """The project called ``name``, created when missing (push only). Returns it and whether new."""
    for project in client.projects():
        if project.name == name:
            return _check_type(project), False
    return client.create_project(name), True


GUIDELINES = "GUIDELINES.md"  # beside labels.yml: the annotation guidelines, Markdown


def sync_guideline(client: DoccanoClient, project: Project, path: Path) -> str | None:
    """The project's guideline (Doccano shows it to annotators) made equal to ``path``.

    Returns "set" (the project had none), "updated", "unchanged", or None without the file.
    """
    if not path.is_file():
        return None
    # Doccano trims surrounding whitespace from what it stores: compare what it keeps.
    text = path.read_text(encoding="utf-8").strip()
    if project.guideline.strip() == text:
        return "unchanged"
    client.update_project(project, {"guideline": text})
    return "updated" if project.guideline else "set"


def sync_span_types(
    client: DoccanoClient, project_id: int, schema: LabelSchema
) -> tuple[list[str], list[str]]:
    """Make the project's span types match ``labels.yml`` (colours, keys); never deletes one."""
    existing = {t.text: t for t in client.span_types(project_id)}
    created, updated = [], []
    # Clear clashing keys first: Doccano refuses two types with one shortcut key.
    wanted_keys = {label.key for label in schema.labels if label.key}
    for span_type in existing.values():
        if span_type.suffix_key in wanted_keys and schema.get(span_type.text) is None:
            client.update_span_type(project_id, span_type.id, {"suffix_key": None})
    for label in schema.labels:
        fields = {
            "text": label.name,
            "background_color": label.color,
            "text_color": label.text_color,
            "suffix_key": label.key,
        }
        current = existing.get(label.name)
        if current is None:
            client.create_span_type(project_id, fields)
            created.append(label.name)
        elif (current.background_color.lower(), current.text_color.lower(), current.suffix_key) != (
            label.color,
            label.text_color,
            label.key,
        ):
            client.update_span_type(project_id, current.id, fields)
            updated.append(label.name)
    return created, updated


def segment_hash(segment: Segment) -> str:
    return hashlib.sha256(segment.text.encode("utf-8")).hexdigest()[:16]


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


def plan_assignments(
    segment_ids: list[str], annotators: list[str], overlap: float, seed: int
) -> dict[str, list[str]]:
    """Who labels what: a share ``overlap`` of segments goes to two annotators, the rest to one.

    Round-robin keeps the load even; the seed makes the plan reproducible.
    """
    if not annotators:
        return {}
    if not 0 <= overlap <= 1:
        raise NerwbError(f"--overlap must be between 0 and 1, not {overlap}")
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


def ensure_annotators(
    client: DoccanoClient, project_id: int, names: list[str], passwords_path: Path
) -> tuple[dict[str, str], list[str]]:
    """Create missing accounts (random passwords, saved 0600) and make everyone a member."""
    created: dict[str, str] = {}
    saved = AnnotatorPasswords.load_or_new(passwords_path)
    users = {u.username: u for u in client.users()}
    for name in names:
        if name not in users:
            password = secrets.token_urlsafe(12)
            users[name] = client.create_user(name, password)
            created[name] = password
            saved.passwords[name] = password
            saved.save(passwords_path)  # at once: never lose a password
    roles = {r.name: r.id for r in client.roles()}
    if ANNOTATOR_ROLE not in roles:
        raise DoccanoError(f"the server has no {ANNOTATOR_ROLE!r} role (roles: {', '.join(roles)})")
    members = {m.user for m in client.members(project_id)}
    added = []
    for name in names:
        if users[name].id not in members:
            client.add_member(project_id, users[name].id, roles[ANNOTATOR_ROLE])
            added.append(name)
    return created, added


def selected_segments(ws: Workspace, splits: list[str]) -> list[tuple[Segment, str, str | None]]:
    """``(segment, split, title)`` for every segment of the articles in ``splits``."""
    bad = [s for s in splits if s not in SPLIT_NAMES]
    if bad:
        raise NerwbError(f"unknown split {bad[0]!r}; choose from {', '.join(SPLIT_NAMES)}")
    assignment = load_splits(ws.splits_path)
    if assignment is None:
        raise NerwbError(
            f"{ws.splits_path}: the corpus is not split yet",
            kind=ErrorKind.NO_SPLITS,
            path=ws.splits_path,
        )
    out = []
    for article in load_articles(ws.articles_path):
        split = assignment.assignments.get(article.id)
        if split in splits:
            for segment in segment_article(
                article.id, article.text, ws.config.corpus.segment_length
            ):
                out.append((segment, split, article.title))
    return out


def server_segment_ids(client: DoccanoClient, project_id: int) -> dict[str, str]:
    return server_segments(client, project_id)[0]


def server_segments(
    client: DoccanoClient, project_id: int
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """The segments on the server (id -> content hash), and those held by more than one
    example (id -> example ids): the mark of pushes that ran at once."""
    hashes: dict[str, str] = {}
    examples: dict[str, list[int]] = {}
    for e in client.examples(project_id):
        if e.meta.get("segment_id"):
            segment_id = str(e.meta["segment_id"])
            hashes[segment_id] = str(e.meta.get("content_hash", ""))
            examples.setdefault(segment_id, []).append(e.id)
    return hashes, {s: sorted(ids) for s, ids in examples.items() if len(ids) > 1}


def import_row(
    segment: Segment, split: str, title: str | None, assigned: list[str] | None
) -> dict[str, Any]:
    """The JSONL row Doccano imports for one segment: its text, and in ``meta`` what a pull
    needs to map it back (article, segment, offset, content hash, who it is for)."""
    # Every row carries every key (Doccano fails a whole file otherwise) and never `id`
    # (it would overwrite Doccano's own id in exports).
    return {
        "text": segment.text,
        "article_id": segment.article_id,
        "segment_id": segment.id,
        "segment_start": segment.start,
        "split": split,
        "content_hash": segment_hash(segment),
        "title": title or "",
        "assigned_to": ",".join(assigned) if assigned else "",
        "label": [],
    }


def row_chunks(rows: list[dict[str, Any]], max_rows: int) -> list[list[dict[str, Any]]]:
    """Rows in upload files of at most ``max_rows`` rows and ``CHUNK_BYTES`` bytes."""
    chunks, current, size = [], [], 0
    for row in rows:
        line = len(json.dumps(row, ensure_ascii=False).encode("utf-8")) + 1
        if current and (len(current) >= max_rows or size + line > CHUNK_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(row)
        size += line
    if current:
        chunks.append(current)
    return chunks


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

    Args:
        on_progress: hears of the segments uploaded after each chunk.
    """
    for name in annotators or []:
        check_name(name, what="annotator")
    project, created = ensure_project(client, ws.project_name)
    report = PushReport(project=project, project_created=created)
    report.span_types_created, report.span_types_updated = sync_span_types(
        client, project.id, schema
    )
    report.guideline = sync_guideline(client, project, ws.schema_path.parent / GUIDELINES)

    annotators = annotators or []
    passwords_path = ws.annotator_passwords_path
    if annotators:
        report.annotators_created, report.members_added = ensure_annotators(
            client, project.id, annotators, passwords_path
        )

    segments = selected_segments(ws, splits)
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
    try:
        _upload(client, project.id, rows, chunk_rows, ledger, known, report, on_progress)
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
    from nerwb.predict.candidates import labelled_names
    from nerwb.predict.select import rank_segments

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


def _upload(
    client: DoccanoClient,
    project_id: int,
    rows: list[dict[str, Any]],
    chunk_rows: int,
    ledger: PushLedger,
    known: dict[str, str],
    report: PushReport,
    on_progress: OnProgress | None,
) -> None:
    done = 0
    emit(on_progress, ProgressEvent(PUSH_STAGE, 0, len(rows), "segment"))
    for number, chunk in enumerate(row_chunks(rows, chunk_rows), start=1):
        content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode("utf-8")
        upload_id = client.upload_file(f"nerwb-push-{number}.jsonl", content)
        client.wait_task(
            client.start_import(project_id, [upload_id]), what=f"import of chunk {number}"
        )
        for row in chunk:
            known[row["segment_id"]] = row["content_hash"]
        ledger.save()  # after each chunk: an interrupted push resumes after the last one
        done += len(chunk)
        report.chunks += 1
        report.uploaded += len(chunk)
        emit(on_progress, ProgressEvent(PUSH_STAGE, done, len(rows), "segment"))


@dataclass
class SelectReport:
    ranked: list[Ranked]
    pool: int  # unpushed segments the strategy chose from
    asked_for: int
    path: Path  # the ranked list, JSONL
    # different name candidates the labelled data has not named, in the whole unpushed pool and
    # in the rest once the ranked batch is labelled (without a model's entities, so the count
    # is the same with or without --model)
    unseen_in_pool: int = 0
    unseen_left: int = 0


def unpushed_segments(ws: Workspace, splits: list[str]) -> list[Segment]:
    """The segments of ``splits`` that no push has uploaded yet (by this workspace's ledger)."""
    pushed = PushLedger(ws.push_ledger_path).pushed()
    return [s for s, _, _ in selected_segments(ws, splits) if s.id not in pushed]


def unseen_in_unpushed(ws: Workspace, splits: list[str]) -> tuple[int, int]:
    """``(unseen name candidates, segments)`` of the unpushed pool: what a ``novel`` batch can
    still find (``train-curve`` prints it)."""
    from nerwb.predict.candidates import labelled_names, unseen_candidates

    pool = unpushed_segments(ws, splits)
    texts = [s.text for s in pool]
    count, _ = unseen_candidates(
        texts, labelled_names(ws.gold_path), [False] * len(texts), lang=ws.language
    )
    return count, len(pool)


def select_unpushed(
    ws: Workspace, selection: Selection, *, splits: list[str], output: Path | None = None
) -> SelectReport:
    """``nerwb select``: rank the segments of ``splits`` that no push has uploaded yet (by this
    workspace's push ledger; no server needed) and write the ranked list."""
    from nerwb.predict.candidates import labelled_names, unseen_candidates
    from nerwb.predict.select import rank_segments

    pool = unpushed_segments(ws, splits)
    known = labelled_names(ws.gold_path)
    ranked = rank_segments(
        pool,
        selection.strategy,
        n=selection.n,
        nlp=selection.nlp,
        seed=selection.seed,
        near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
        known_names=known,
        lang=ws.language,
    )
    chosen = {r.segment_id for r in ranked}
    unseen = unseen_candidates(
        [s.text for s in pool], known, [s.id in chosen for s in pool], lang=ws.language
    )
    stamp = utc_stamp()
    path = output or ws.selections_dir / f"{selection.strategy}-{stamp}.jsonl"
    atomic_write_jsonl(
        path,
        (
            {**r.to_json(), "strategy": str(selection.strategy), "model": selection.model}
            for r in ranked
        ),
    )
    return SelectReport(ranked, len(pool), selection.n, path, *unseen)
