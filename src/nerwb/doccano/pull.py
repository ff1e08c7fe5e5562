"""Pull every annotator's labels into an immutable snapshot, ``labels/pulls/<UTC time>/``.

Doccano's export (collaborative annotation off) is a zip with one ``<username>.jsonl`` per
member. Each record is one segment; its meta says which article it came from and where, so
spans map back to article offsets exactly. The snapshot keeps the segment as its unit: for
each annotator and segment, assigned or not, confirmed or not, the spans and the example id
(format in ``nerwb.labels.annotations``).

Where the records come from is a ``LabelSource``: Doccano's two exports over REST
(``ExportSource``, any server) or the local server's own database (``nerwb.server.direct``),
which gives each member's view in the same shape, so both give the same snapshot.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import shutil
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from nerwb.corpus.store import load_articles
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Project
from nerwb.doccano.projects import find_project
from nerwb.doccano.review import review_project_name
from nerwb.errors import InputError, bad_setting
from nerwb.io import new_staging_folder, parse_jsonl
from nerwb.labels.annotations import AnnotatedSegment, LabeledSpan, save_units
from nerwb.labels.schema import LabelSchema
from nerwb.labels.snapshots import (
    REVIEW_FOLDER,
    Annotations,
    by_article,
    latest_snapshot,
    load_snapshot,
    snapshot_file_name,
)
from nerwb.lock import writes_workspace
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.pull import PulledReview, PullManifest, manifest_path
from nerwb.workspace import Workspace

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient

# An export of 10k segments is ~10 MB; a zip that claims far more is damaged or hostile.
MAX_EXPORT_BYTES = 2 * 1024**3
EXPORT_ATTEMPTS = 3  # exports taken again while annotators' edits make the two disagree


@dataclass(frozen=True)
class PullOptions:
    """What ``doccano pull`` is asked: every example, or only those each annotator confirmed
    (``confirmed_only``). Checked once, when made, before the server is read or the lock taken.

    Raises:
        DoccanoError: ``confirmed_only`` is not a yes or no (kind ``BAD_SETTING``).
    """

    confirmed_only: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.confirmed_only, bool):  # "no" would be truthy: refuse, not guess
            raise bad_setting(
                DoccanoError,
                "confirmed_only",
                f"must be true or false, not {self.confirmed_only!r}",
            )


def safe_entries(archive: bytes) -> dict[str, bytes]:
    """The ``.jsonl`` files of an export zip, by annotator name.

    Raises:
        DoccanoError: an entry would escape its folder (absolute, ``..``, a sub-folder) or is not
            a ``.jsonl`` file; nothing is extracted then.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        raise DoccanoError("the export is not a zip file") from None
    files: dict[str, bytes] = {}
    size = sum(info.file_size for info in zf.infolist())
    if size > MAX_EXPORT_BYTES:
        raise DoccanoError(
            f"the export unpacks to {size:,} bytes, over the {MAX_EXPORT_BYTES:,} this pull accepts; "
            "refusing it (a damaged or hostile archive?)"
        )
    with zf:
        for info in zf.infolist():
            name = info.filename
            normal = posixpath.normpath(name.replace("\\", "/"))
            if (
                name.startswith(("/", "\\"))
                or normal == ".."
                or normal.startswith("../")
                or "/" in normal
                or ":" in name
            ):
                raise DoccanoError(
                    f"export zip entry {name!r} would escape its folder; refusing the export"
                )
            if info.is_dir():
                continue
            if not normal.endswith(".jsonl"):
                raise DoccanoError(
                    f"export zip entry {name!r} is not a .jsonl file; refusing the export"
                )
            files[normal.removesuffix(".jsonl")] = zf.read(info)
    return files


@dataclass
class AnnotatorSummary:
    """One annotator in a snapshot; ``segments`` are Doccano examples, ``articles`` corpus articles."""

    segments: int = 0  # segments recorded: assigned to them, labelled or confirmed by them
    assigned: int = 0
    confirmed: int = 0
    spans: int = 0
    articles: int = 0  # articles with at least one of those segments
    articles_confirmed: int = 0  # articles all of whose recorded segments they confirmed
    unknown_labels: dict[str, int] = field(default_factory=dict)


@dataclass
class SnapshotDiff:
    added: int = 0
    removed: int = 0
    changed: int = 0
    newly_confirmed: int = 0  # segments


@dataclass
class PullReport:
    snapshot: Path
    annotators: dict[str, AnnotatorSummary]
    foreign_examples: int
    diff: dict[str, SnapshotDiff] | None  # None for the first snapshot
    export_attempts: int = 1
    # confirmed segments whose spans differed between the two exports, over all attempts
    edited_during_pull: int = 0
    review_decisions: int = 0  # confirmed segments in the review project
    # segments on the server more than once: segment id -> example ids (the copy taken per
    # annotator is the confirmed one; `doccano push --repair` removes the untouched copies)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    read_from: str = "export"  # or "database": the local server's own, read directly


@dataclass
class ParsedExport:
    units: Annotations  # annotator -> segment id -> unit
    foreign: int = 0  # examples nerwb did not push (no segment meta), counted once
    # confirmed examples whose spans differ between the full and the confirmed export:
    # someone labelled while the pull ran
    mismatched: int = 0
    # segments held by more than one example on the server (pushes that raced): segment id ->
    # the example ids, and per annotator which copy was taken
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    taken: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # annotator -> segment -> example


def _take_copy(annotator: str, kept: AnnotatedSegment, other: AnnotatedSegment) -> AnnotatedSegment:
    """Of two examples holding one segment, the copy whose work counts: the confirmed one, else
    the labelled one, else the first pushed.

    Raises:
        DoccanoError: both copies are confirmed with different spans; nerwb cannot choose.
    """
    if kept.confirmed and other.confirmed:
        if kept.spans != other.spans:
            raise DoccanoError(
                f"segment {kept.segment_id!r} is on the server twice (examples {kept.example_id} "
                f"and {other.example_id}) and {annotator} confirmed both with different spans; "
                "delete the wrong copy's spans in Doccano (or un-confirm it), then pull again"
            )
        return min(kept, other, key=lambda u: u.example_id or 0)

    def rank(u: AnnotatedSegment) -> tuple[bool, bool, int]:
        return (not u.confirmed, not u.spans, u.example_id or 0)

    return min(kept, other, key=rank)


def _spans(record: dict[str, Any], where: str, line: int) -> list[tuple[int, int, str]]:
    text = record.get("text") or ""
    out = []
    for item in record.get("label") or []:
        s, e, label = item
        if not (0 <= s < e <= len(text)):
            raise InputError(
                f"span [{s}, {e}, {label!r}] of Doccano example {record.get('id')} lies outside "
                f"its text (length {len(text)})",
                path=where,
                line=line,
            )
        out.append((int(s), int(e), str(label)))
    return sorted(out)


def _assignees(record: dict[str, Any]) -> list[str] | None:
    names = [n for n in str(record.get("assigned_to") or "").split(",") if n]
    return names or None


@dataclass
class MemberView:
    """Every example of a project as one member left it, in the shape of Doccano's export:
    each record holds ``id``, ``text``, the example's meta keys at top level and ``label``
    (that member's spans as ``[start, end, label]``). ``confirmed`` holds the examples the
    member confirmed, with the spans they had when the confirmation was read."""

    records: dict[int, tuple[int, dict[str, Any]]]  # example id -> (line, record)
    confirmed: dict[int, tuple[int, dict[str, Any]]]
    where: str  # named in messages: the export file, or the database
    confirmed_where: str


def keyed_records(
    numbered: Iterable[tuple[int, dict[str, Any]]],
) -> dict[int, tuple[int, dict[str, Any]]]:
    """Records by example id, as an export reader keys them (a record without one by its line)."""
    return {int(record.get("id") or -number): (number, record) for number, record in numbered}


def _records(where: str, content: bytes) -> dict[int, tuple[int, dict[str, Any]]]:
    return keyed_records(parse_jsonl(content.decode("utf-8"), where))


def export_views(
    files: dict[str, bytes], confirmed_files: dict[str, bytes]
) -> dict[str, MemberView]:
    """The members' views from the two exports (everything, and the confirmed examples only).

    Raises:
        InputError: a record's JSON is malformed (file and line named).
    """
    return {
        annotator: MemberView(
            _records(f"{annotator}.jsonl (export)", content),
            _records(
                f"{annotator}.jsonl (export of confirmed examples)",
                confirmed_files.get(annotator, b""),
            ),
            f"{annotator}.jsonl (export)",
            f"{annotator}.jsonl (confirmed)",
        )
        for annotator, content in files.items()
    }


def parse_export(
    files: dict[str, bytes],
    confirmed_files: dict[str, bytes],
    articles: dict[str, str],
) -> ParsedExport:
    """Every annotator's segments, from the full export and the export of confirmed examples
    (see ``parse_views``)."""
    return parse_views(export_views(files, confirmed_files), articles)


def parse_views(views: dict[str, MemberView], articles: dict[str, str]) -> ParsedExport:
    """Every annotator's segments, from each member's view of the project.

    A confirmed segment takes its spans from the confirmed view, the same reading its
    confirmation comes from, so a snapshot never pairs a confirmation with spans of another
    moment. A segment is recorded for an annotator when it was assigned to them, or they labelled
    or confirmed it; members with none (the admin account) get no file.

    Raises:
        InputError: its text no longer matches the corpus, or a span lies outside its text; the
            message names annotator file, line and span.
    """
    parsed = ParsedExport(units={})
    copies: dict[str, set[int]] = {}  # segment id -> the examples holding it
    first = sorted(views)[0] if views else None
    for annotator, view in sorted(views.items()):
        where, confirmed = view.where, view.confirmed
        units: dict[str, AnnotatedSegment] = {}
        for example_id, (number, record) in view.records.items():
            article_id, start = record.get("article_id"), record.get("segment_start")
            if not article_id or start is None:
                parsed.foreign += annotator == first  # count each example once
                continue
            # An export writes a number column as floats once any example lacks it (a foreign
            # one): 12.0 for 12.
            start = int(start)
            text = record.get("text", "")
            article_text = articles.get(article_id)
            if article_text is None:
                raise InputError(
                    f"article {article_id!r} is not in this workspace's corpus",
                    path=where,
                    line=number,
                )
            if article_text[start : start + len(text)] != text:
                raise InputError(
                    f"segment {record.get('segment_id')!r} no longer matches article {article_id!r} "
                    "at its offset (was the text edited in Doccano?)",
                    path=where,
                    line=number,
                )
            spans = _spans(record, where, number)
            is_confirmed = example_id in confirmed
            if is_confirmed:
                c_number, c_record = confirmed[example_id]
                c_spans = _spans(c_record, view.confirmed_where, c_number)
                parsed.mismatched += c_spans != spans
                spans = c_spans
            assignees = _assignees(record)
            assigned = None if assignees is None else annotator in assignees
            segment_id = str(record.get("segment_id") or f"{article_id}@{start}")
            copies.setdefault(segment_id, set()).add(example_id)
            if not (spans or is_confirmed or assigned):
                continue
            unit = AnnotatedSegment(
                article_id,
                segment_id,
                start,
                text,
                sorted({LabeledSpan(s + start, e + start, lab) for s, e, lab in spans}),
                is_confirmed,
                assigned,
                example_id,
            )
            if segment_id in units:  # never let the later copy silently replace the first
                unit = _take_copy(annotator, units[segment_id], unit)
                parsed.taken.setdefault(annotator, {})[segment_id] = unit.example_id or 0
            units[segment_id] = unit
        if units:
            parsed.units[annotator] = units
    parsed.duplicates = {s: sorted(ids) for s, ids in sorted(copies.items()) if len(ids) > 1}
    return parsed


def summarise(units: dict[str, AnnotatedSegment], schema: LabelSchema) -> AnnotatorSummary:
    summary = AnnotatorSummary(
        segments=len(units),
        assigned=sum(bool(u.assigned) for u in units.values()),
        confirmed=sum(u.confirmed for u in units.values()),
    )
    per_article = by_article(units)
    summary.articles = len(per_article)
    summary.articles_confirmed = sum(all(u.confirmed for u in us) for us in per_article.values())
    for unit in units.values():
        summary.spans += len(unit.spans)
        for span in unit.spans:
            if schema.get(span.label) is None:
                summary.unknown_labels[span.label] = summary.unknown_labels.get(span.label, 0) + 1
    return summary


def diff_snapshots(old: Annotations, new: Annotations) -> dict[str, SnapshotDiff]:
    """Per annotator: spans added, removed and changed, and segments newly confirmed."""
    out = {}
    for annotator in sorted(set(old) | set(new)):
        before, after = old.get(annotator, {}), new.get(annotator, {})
        diff = SnapshotDiff()
        for segment_id in set(before) | set(after):
            a = set(before[segment_id].spans) if segment_id in before else set()
            b = set(after[segment_id].spans) if segment_id in after else set()
            gone, came = a - b, b - a
            changed = {(x, y) for x in gone for y in came if x.start < y.end and y.start < x.end}
            diff.changed += len({x for x, _ in changed})
            diff.removed += len(gone - {x for x, _ in changed})
            diff.added += len(came - {y for _, y in changed})
            was = before.get(segment_id)
            if (
                after.get(segment_id)
                and after[segment_id].confirmed
                and not (was and was.confirmed)
            ):
                diff.newly_confirmed += 1
        out[annotator] = diff
    return out


BetweenExports = Callable[[], None]


EXPORT_STAGE = "Exporting from Doccano"


@dataclass
class ProjectLabels:
    """One project and every member's view of it, as one reading of the server gave them."""

    project: Project
    views: dict[str, MemberView]


@runtime_checkable
class LabelSource(Protocol):
    """Where a pull reads every member's labels: Doccano's export tasks over REST (any server,
    ``ExportSource``), or the workspace's own local server's database (``nerwb.server.direct``).

    Both give the same views, so both give the same snapshot.
    """

    url: str  # the server, as the ledgers and the pull manifest name it
    read_from: str  # "export" or "database": what the pull report says

    def read(
        self, name: str, *, also: str | None = None, between: BetweenExports | None = None
    ) -> tuple[ProjectLabels, ProjectLabels | None]:
        """The project called ``name``, and the one called ``also`` when it exists.

        Raises:
            DoccanoError: no project called ``name`` (as ``find_project``).
        """
        ...


class ExportSource:
    """Doccano's own export tasks over REST: works with any server, local or remote.

    ``on_progress`` hears of each export waited for (the stage ``EXPORT_STAGE``); a reading
    after the first says it is taken again because someone labelled meanwhile.
    """

    read_from = "export"

    def __init__(self, client: DoccanoClient, on_progress: OnProgress | None = None):
        self.client = client
        self.url = client.url
        self.on_progress = on_progress
        self.readings = 0

    def read(
        self, name: str, *, also: str | None = None, between: BetweenExports | None = None
    ) -> tuple[ProjectLabels, ProjectLabels | None]:
        self.readings += 1
        project = find_project(self.client, name)
        exports = self._exports(project.id, between=between, attempt=self.readings)
        main = ProjectLabels(project, export_views(*exports))
        other = next((p for p in self.client.projects() if p.name == also), None) if also else None
        if other is None:
            return main, None
        return main, ProjectLabels(other, export_views(*self._exports(other.id, quiet=True)))

    def _exports(
        self,
        project_id: int,
        *,
        between: BetweenExports | None = None,
        attempt: int = 1,
        quiet: bool = False,
    ) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """Everything, and the confirmed examples only (per annotator).

        Both tasks start at once, so the worker runs them side by side. ``between`` (tests) runs
        after the first export finished and before the second starts, to edit at a known moment.
        """
        client = self.client
        again = f" (attempt {attempt}: someone labelled during the last one)" if attempt > 1 else ""

        def waiting(done: int, total: int, what: str) -> None:
            if not quiet:
                event = ProgressEvent(EXPORT_STAGE, done, total, "export", item=what + again)
                emit(self.on_progress, event)

        every = client.start_export(project_id, confirmed_only=False)
        if between is not None:
            client.wait_task(every, what="export")
            between()
        # Nobody has confirmed anything yet (early pulls): the second export would be empty.
        anyone_confirmed = any(int(m.get("done", 0)) for m in client.member_progress(project_id))
        confirmed = (
            client.start_export(project_id, confirmed_only=True) if anyone_confirmed else None
        )
        total = 2 if confirmed is not None else 1
        waiting(0, total, "Waiting for Doccano's export of every example")
        client.wait_task(every, what="export")
        if confirmed is None:
            waiting(1, total, "Downloading the export")
            return safe_entries(client.download_export(project_id, every)), {}
        waiting(1, total, "Waiting for Doccano's export of the confirmed examples")
        client.wait_task(confirmed, what="export of confirmed examples")
        waiting(2, total, "Downloading the exports")
        return (
            safe_entries(client.download_export(project_id, every)),
            safe_entries(client.download_export(project_id, confirmed)),
        )


@writes_workspace("doccano pull")
def pull(
    source: LabelSource | DoccanoClient,
    ws: Workspace,
    schema: LabelSchema,
    options: PullOptions = PullOptions(),
    *,
    between_exports: BetweenExports | None = None,
    on_progress: OnProgress | None = None,
) -> PullReport:
    """Read the project, map spans to articles, write a new snapshot; earlier ones are kept.
    ``options``: what to pull (``PullOptions``); ``between_exports``: a test's hook.

    ``source``: a client (Doccano's exports over REST; ``on_progress`` hears of each export
    waited for) or any ``LabelSource``. When someone labels while the exports run, the two exports disagree on a confirmed segment; they are
    then taken again, up to ``EXPORT_ATTEMPTS`` times. Whatever the outcome, each confirmed
    segment's spans come from the reading that says it is confirmed.

    Raises:
        DoccanoError: no project of the workspace's name on the server (nothing is created).
    """
    if not isinstance(source, LabelSource):
        source = ExportSource(source, on_progress)
    previous = latest_snapshot(ws.pulls_dir)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The corpus and the last snapshot load while the server is read (another process,
        # or the network): a second of a 10k-segment pull.
        corpus = pool.submit(lambda: {a.id: a.text for a in load_articles(ws.articles_path)})
        last = pool.submit(load_snapshot, previous) if previous else None
        attempts, edited = 0, 0
        review: ProjectLabels | None = None
        while True:
            attempts += 1
            first = attempts == 1
            main, other = source.read(
                ws.project_name,
                also=review_project_name(ws) if first else None,
                between=between_exports if first else None,
            )
            review = other if first else review
            project = main.project
            articles = corpus.result()
            parsed = parse_views(main.views, articles)
            edited += parsed.mismatched
            if not parsed.mismatched or attempts >= EXPORT_ATTEMPTS:
                break
    by_annotator = parsed.units
    confirmed_only = options.confirmed_only
    if confirmed_only:
        by_annotator = {
            name: kept
            for name, units in by_annotator.items()
            if (kept := {k: v for k, v in units.items() if v.confirmed})
        }
    diff = diff_snapshots(last.result(), by_annotator) if last else None
    summaries = {name: summarise(units, schema) for name, units in by_annotator.items()}
    reviews = parse_views(review.views, articles).units if review else {}
    review_project = review.project if review else None

    ws.pulls_dir.mkdir(parents=True, exist_ok=True)
    target = first = ws.run_folder(ws.pulls_dir)
    suffix = 1
    while target.exists():
        target = first.with_name(f"{first.name}-{suffix}")
        suffix += 1
    staging = new_staging_folder(ws.pulls_dir, prefix=".pull-")
    try:
        hashes = {}
        for name, units in by_annotator.items():
            path = staging / snapshot_file_name(name)
            save_units(path, list(units.values()))
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        for name, units in reviews.items():
            path = staging / REVIEW_FOLDER / snapshot_file_name(name)
            path.parent.mkdir(exist_ok=True)
            save_units(path, list(units.values()))
            hashes[f"{REVIEW_FOLDER}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        manifest = PullManifest(
            project=project.name,
            project_id=project.id,
            server=source.url,
            pulled_at=datetime.now(UTC).isoformat(timespec="seconds"),
            confirmed_only=confirmed_only,
            unit="segment",
            segment_length=ws.config.corpus.segment_length,
            export_attempts=attempts,
            edited_during_pull=edited,
            annotators={n: s.__dict__ for n, s in summaries.items()},
            foreign_examples=parsed.foreign,
            duplicate_segments=parsed.duplicates,
            files=hashes,
            previous=previous.name if previous else None,
            review=(
                PulledReview(
                    project=review_project.name,
                    project_id=review_project.id,
                    adjudicators={n: summarise(u, schema).__dict__ for n, u in reviews.items()},
                )
                if review_project
                else None
            ),
        )
        manifest.save(manifest_path(staging))
        for path in staging.rglob("*"):
            if path.is_file():
                os.chmod(path, 0o444)  # a snapshot is a record: read-only
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PullReport(
        target,
        summaries,
        parsed.foreign,
        diff,
        attempts,
        edited,
        sum(sum(u.confirmed for u in units.values()) for units in reviews.values()),
        parsed.duplicates,
        source.read_from,
    )
