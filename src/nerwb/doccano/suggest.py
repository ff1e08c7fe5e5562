"""Suggestions in Doccano: the model's spans created as each assigned annotator's own spans.

Doccano 1.8.4 shows a member only their own spans (collaborative annotation off), so spans
imported or created by the admin are invisible to annotators; a suggestion must be created by
the annotator's own account, which nerwb made and holds the password of. Doccano keeps no flag
telling a suggested span from a typed one, so the suggestion ledger
(``.nerwb/suggestions.json``) records what was offered, to whom, by which model: the provenance
``nerwb labels suggestions`` reads.

Never on a segment the annotator has already edited or confirmed; never twice from one source.
A second source (patterns after a model) adds to an untouched segment only the spans the first
did not propose and that overlap none of them; the record lists its ``sources``. The ledger marks
a (segment, annotator) ``planned`` before its first span is created and ``done`` after the
last, so an interrupted run resumes by creating only the planned spans still missing.

Two ways to the server, one decision per pair (``plan_pair``): over REST as each annotator
(any server; one request and a half per span), or through a ``SuggestionStore`` (the local
server's database, ``nerwb.server.direct``): one reading, every plan saved, then the spans in
bulk, each batch re-checking in its transaction that the annotator changed nothing meanwhile.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Example, Project
from nerwb.doccano.projects import find_project
from nerwb.errors import ErrorKind, bad_setting
from nerwb.lock import writes_workspace
from nerwb.predict.suggest import Offer, Suggester
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.doccano import AnnotatorPasswords, AssignmentPlan, project_key
from nerwb.records.suggestions import Offered, Suggestion, SuggestionLedger, SuggestionState
from nerwb.workspace import Workspace

# The local server (2 gunicorn workers on 2 cores) tops out near 50 requests/s; a few requests
# in flight keep it busy without queueing behind each other.
CONCURRENCY = 4
TOKEN_VARIABLE = "NERWB_DOCCANO_TOKEN_{name}"  # a remote annotator's API token


@dataclass(frozen=True)
class SuggestOptions:
    """What ``doccano suggest`` is asked, apart from what it suggests from (the ``Suggester``,
    a loaded model or patterns: a collaborator, not a choice): only the segments
    ``segment_ids`` (None: every pushed one; ``push --suggest`` names those just pushed), with
    ``concurrency`` requests in flight on the REST path. Checked once, when made, before any
    model loads, the server is read or the lock taken.

    Raises:
        DoccanoError: ``concurrency`` below 1 (kind ``BAD_SETTING``).
    """

    segment_ids: frozenset[str] | None = None
    concurrency: int = CONCURRENCY

    def __post_init__(self) -> None:
        if self.segment_ids is not None:  # any collection of ids; kept as one immutable value
            object.__setattr__(self, "segment_ids", frozenset(self.segment_ids))
        if isinstance(self.concurrency, bool) or not isinstance(self.concurrency, int):
            raise bad_setting(
                DoccanoError, "concurrency", f"must be a whole number, not {self.concurrency!r}"
            )
        if self.concurrency < 1:
            raise bad_setting(
                DoccanoError,
                "concurrency",
                f"must be at least 1 request in flight, not {self.concurrency}",
            )


@dataclass
class SuggestReport:
    source: str
    pairs: int = 0  # (segment, annotator) pairs considered
    suggested: int = 0  # pairs given suggestions this run
    spans_created: int = 0
    already_suggested: int = 0  # in the ledger from an earlier run
    skipped_edited: int = 0  # the annotator had already labelled it
    skipped_confirmed: int = 0
    resumed: int = 0  # pairs an interrupted run had started
    per_annotator: dict[str, int] = field(default_factory=dict)  # spans created


@dataclass
class ProjectState:
    """What suggestions need to know of one project, read at one moment."""

    project: Project
    allow_overlapping: bool
    users: dict[str, int]  # username -> user id (of the annotators asked about that exist)
    members: set[str]  # of those, the project's members
    span_types: dict[str, int]  # label name -> span type id
    examples: list[Example]
    # (example id, username) -> that annotator's spans there: (start, end, span type id)
    spans: dict[tuple[int, str], set[tuple[int, int, int]]] = field(default_factory=dict)
    confirmed: set[tuple[int, str]] = field(default_factory=set)  # (example id, username)


@dataclass
class SpanJob:
    """Spans to create as one annotator's own on one example, and what must still hold first."""

    example: int
    user: int
    spans: list[tuple[int, int, int]]  # (start, end, span type id); those there already are not
    expect: set[tuple[int, int, int]] | None  # the annotator's spans as read; None: any
    unconfirmed: bool  # and not confirmed by them since


@runtime_checkable
class SuggestionStore(Protocol):
    """Reads a project and creates spans in bulk: the local server's own database
    (``nerwb.server.direct``), where REST would take one request and a half per span."""

    url: str  # the server, as the suggestion ledger names it

    def project_state(self, name: str, annotators: list[str]) -> ProjectState: ...

    def create_spans(
        self, project: Project, jobs: list[SpanJob], *, allow_overlapping: bool
    ) -> Iterator[tuple[int, list[int]]]:
        """Create the jobs' spans in batches, each in one transaction; yields after each
        (index of its first job, per job the spans created or -1 where the annotator changed
        the example since it was read, or a span would overlap one of theirs: nothing is
        created there)."""
        ...


def annotator_clients(ws: Workspace, url: str, names: list[str]) -> dict[str, DoccanoClient]:
    """A logged-in client per annotator: nerwb's saved password, or a token from the environment.

    Raises:
        DoccanoError: an annotator nerwb holds no password for and no token is set; names them
            all and the variables to set, before anything is created.
    """
    passwords = AnnotatorPasswords.load_or_new(ws.annotator_passwords_path)
    missing = [
        n for n in names if passwords.get(n) is None and not os.environ.get(_token_variable(n))
    ]
    if missing:
        variables = ", ".join(_token_variable(n) for n in missing)
        raise DoccanoError(
            f"suggestions are created as each annotator's own spans, and nerwb holds no password "
            f"for {', '.join(missing)} (accounts it did not create); set their API tokens in "
            f"{variables}",
            kind=ErrorKind.NO_ANNOTATOR_ACCOUNTS,
            path=ws.annotator_passwords_path,
        )
    clients = {}
    for name in names:
        client = DoccanoClient(url)
        token = os.environ.get(_token_variable(name))
        if token:
            client.use_token(token)
        else:
            passwords.login(client, name)
        clients[name] = client
    return clients


def _token_variable(name: str) -> str:
    return TOKEN_VARIABLE.format(name="".join(c if c.isalnum() else "_" for c in name).upper())


def sources_of(record: Suggestion) -> list[str]:
    """The sources whose suggestions a ledger record holds (one, in records before ``sources``)."""
    return list(record.sources or [record.source])


class Step(StrEnum):
    """What ``plan_pair`` decides for one (segment, annotator) pair."""

    CONFIRMED = "confirmed"  # skipped: the annotator confirmed it
    EDITED = "edited"  # skipped: the annotator labelled it (or changed the suggestions)
    NEW = "new"  # a first suggestion
    EXTEND = "extend"  # another source's suggestions are there, untouched: add to them
    RESUME = "resume"  # an interrupted run planned it: create what is missing


def plan_pair(
    record: Suggestion | None,
    mine: set[tuple[int, int, str | None]],
    is_confirmed: Callable[[], bool],
    proposed: list[Offer],
    suggester: Suggester,
    example: Example,
) -> tuple[Step, Suggestion | None]:
    """One pair's step and the ledger record to create spans from (None when skipped).

    ``mine``: the annotator's spans on the example (label names); ``is_confirmed`` is asked
    only where it matters (one request on the REST path).
    """
    if record is None:
        if is_confirmed():
            return Step.CONFIRMED, None
        if mine:
            return Step.EDITED, None
        return Step.NEW, Suggestion(
            state=SuggestionState.PLANNED,
            source=suggester.source,
            source_hash=suggester.source_hash,
            example_id=example.id,
            segment_start=int(example.meta.get("segment_start") or 0),
            article_id=example.meta.get("article_id"),
            spans=[o[:3] for o in proposed],
            origins=[o.origin for o in proposed],
            at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    if record.state == SuggestionState.DONE:
        # Another source's suggestions are there, untouched: add what this one proposes and
        # that one did not, never a span twice or one overlapping them.
        offered_spans = {tuple(s) for s in record.spans}
        if is_confirmed() or offered_spans != mine:
            return Step.EDITED, None
        new = [
            s for s in proposed if not any(s.start < e and o < s.end for o, e, _ in offered_spans)
        ]
        update: dict[str, object] = {
            "sources": [*sources_of(record), suggester.source],
            "spans": [*record.spans, *(s[:3] for s in new)],
            "state": SuggestionState.PLANNED,
        }
        if len(record.origins) == len(record.spans):  # else made before origins
            update["origins"] = [*record.origins, *(s.origin for s in new)]
        return Step.EXTEND, record.model_copy(update=update)
    return Step.RESUME, record


@dataclass
class _Work:
    """What both paths share: the project, the pairs to do, the ledger."""

    project: Project
    examples: dict[str, Example]  # segment id -> example
    todo: list[tuple[str, str]]  # (segment id, annotator)
    ledger: SuggestionLedger
    offered: Offered
    report: SuggestReport


def _work(
    url: str,
    project: Project,
    examples: Iterable[Example],
    ws: Workspace,
    suggester: Suggester,
    plan: dict[str, list[str]],
    segment_ids: set[str] | None,
) -> _Work:
    by_segment: dict[str, Example] = {
        str(e.meta["segment_id"]): e
        for e in examples
        if e.meta.get("segment_id")
        and (segment_ids is None or str(e.meta["segment_id"]) in segment_ids)
    }
    ledger = SuggestionLedger(ws.suggestions_path)
    offered = ledger.project(project_key(url, project.id))
    report = SuggestReport(source=suggester.source)
    todo: list[tuple[str, str]] = []
    for segment_id in sorted(by_segment):
        for name in plan.get(segment_id, []):
            report.pairs += 1
            record = offered.get(segment_id, {}).get(name)
            if (
                record
                and record.state == SuggestionState.DONE
                and suggester.source in sources_of(record)
            ):
                report.already_suggested += 1
            else:
                todo.append((segment_id, name))
    return _Work(project, by_segment, todo, ledger, offered, report)


def _plan(ws: Workspace) -> dict[str, list[str]]:
    plan = AssignmentPlan.load_or_new(ws.assignments_path).segments
    if not plan:
        raise DoccanoError(
            "no assignment plan: suggestions go to the annotators a segment is assigned to",
            kind=ErrorKind.NO_ASSIGNMENT_PLAN,
            path=ws.assignments_path,
        )
    return plan


def _proposals(work: _Work, suggester: Suggester) -> dict[str, list[Offer]]:
    texts = {sid: work.examples[sid].text or "" for sid in {s for s, _ in work.todo}}
    order = sorted(texts)
    return dict(zip(order, suggester.offers(texts[s] for s in order), strict=True))


def _done(work: _Work, name: str, created: int, on_progress: OnProgress | None) -> None:
    report = work.report
    report.suggested += 1
    report.spans_created += created
    report.per_annotator[name] = report.per_annotator.get(name, 0) + created
    emit(
        on_progress,
        ProgressEvent("Suggesting", report.suggested, len(work.todo), "segment-annotator pair"),
    )


@writes_workspace("doccano suggest")
def suggest(
    target: DoccanoClient | SuggestionStore,
    ws: Workspace,
    suggester: Suggester,
    options: SuggestOptions = SuggestOptions(),
    *,
    on_progress: OnProgress | None = None,
) -> SuggestReport:
    """Create the suggester's spans as each assigned annotator's own, on their unedited segments.

    Args:
        target: The admin's client (REST: one request and a half per span, any server), or a
            ``SuggestionStore`` (the local server's database: in bulk).
        options: which segments, how many requests in flight (``SuggestOptions``).
        on_progress: hears of each (segment, annotator) pair done.
    """
    plan = _plan(ws)
    segment_ids = None if options.segment_ids is None else set(options.segment_ids)
    if isinstance(target, SuggestionStore):
        return _suggest_in_bulk(target, ws, suggester, plan, segment_ids, on_progress)
    return _suggest_over_rest(
        target, ws, suggester, plan, segment_ids, options.concurrency, on_progress
    )


def _suggest_over_rest(
    admin: DoccanoClient,
    ws: Workspace,
    suggester: Suggester,
    plan: dict[str, list[str]],
    segment_ids: set[str] | None,
    concurrency: int,
    on_progress: OnProgress | None,
) -> SuggestReport:
    project = find_project(admin, ws.project_name)
    work = _work(admin.url, project, admin.examples(project.id), ws, suggester, plan, segment_ids)
    report, offered, ledger = work.report, work.offered, work.ledger
    if not work.todo:
        return report
    names = sorted({n for _, n in work.todo})
    clients = annotator_clients(ws, admin.url, names)
    proposed = _proposals(work, suggester)
    labels = {t.text: t.id for t in admin.span_types(project.id)}
    label_names = {v: k for k, v in labels.items()}
    lock = ledger.lock

    def one(pair: tuple[str, str]) -> None:
        segment_id, name = pair
        client, example = clients[name], work.examples[segment_id]
        mine = {
            (s.start_offset, s.end_offset, label_names.get(s.label))
            for s in client.spans(project.id, example.id)
        }
        step, record = plan_pair(
            offered.get(segment_id, {}).get(name),
            mine,
            lambda: client.is_confirmed(project.id, example.id),
            proposed[segment_id],
            suggester,
            example,
        )
        with lock:
            if step is Step.CONFIRMED:
                report.skipped_confirmed += 1
            elif step is Step.EDITED:
                report.skipped_edited += 1
            elif step is Step.RESUME:
                report.resumed += 1
            else:
                offered.setdefault(segment_id, {})[name] = record
                ledger.save()  # before the first span: a rerun knows what was meant
        if record is None:
            return
        created = 0
        for start, end, label in record.spans:
            if (start, end, label) not in mine:
                client.create_span(project.id, example.id, labels[label], start, end)
                created += 1
        with lock:
            record.state = SuggestionState.DONE
            ledger.save()
            _done(work, name, created, on_progress)

    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        for future in [pool.submit(one, pair) for pair in work.todo]:
            future.result()
    finally:
        # On an error or Ctrl-C, what has not started never starts; the ledger says what did.
        pool.shutdown(wait=True, cancel_futures=True)
        for client in clients.values():
            client.close()
    return report


def _suggest_in_bulk(
    store: SuggestionStore,
    ws: Workspace,
    suggester: Suggester,
    plan: dict[str, list[str]],
    segment_ids: set[str] | None,
    on_progress: OnProgress | None,
) -> SuggestReport:
    """The same steps, pair by pair, as the REST path, on one reading of the project; then
    every planned record saved, then the spans created in batches (each re-checks that the
    annotator has not changed the example since the reading), the ledger saved after each."""
    annotators = sorted({n for names in plan.values() for n in names})
    state = store.project_state(ws.project_name, annotators)
    work = _work(store.url, state.project, state.examples, ws, suggester, plan, segment_ids)
    report, offered, ledger = work.report, work.offered, work.ledger
    if not work.todo:
        return report
    names = sorted({n for _, n in work.todo})
    _check_accounts(names, state, store.url)
    proposed = _proposals(work, suggester)
    labels = state.span_types
    label_names = {v: k for k, v in labels.items()}
    jobs: list[SpanJob] = []
    pending: list[tuple[str, str, Suggestion | None]] = []  # and the record before this run
    for segment_id, name in work.todo:
        example = work.examples[segment_id]
        theirs = state.spans.get((example.id, name), set())
        mine = {(start, end, label_names.get(label)) for start, end, label in theirs}
        before = offered.get(segment_id, {}).get(name)
        step, record = plan_pair(
            before,
            mine,
            lambda key=(example.id, name): key in state.confirmed,
            proposed[segment_id],
            suggester,
            example,
        )
        if step is Step.CONFIRMED:
            report.skipped_confirmed += 1
            continue
        if step is Step.EDITED or record is None:
            report.skipped_edited += 1
            continue
        if step is Step.RESUME:
            report.resumed += 1
        else:
            offered.setdefault(segment_id, {})[name] = record
        resumed = step is Step.RESUME
        jobs.append(
            SpanJob(
                example.id,
                state.users[name],
                [(start, end, labels[label]) for start, end, label in record.spans],
                expect=None if resumed else theirs,
                unconfirmed=not resumed,
            )
        )
        pending.append((segment_id, name, before))
    ledger.save()  # every plan before the first span: a rerun knows what was meant
    for first, outcome in store.create_spans(
        state.project, jobs, allow_overlapping=state.allow_overlapping
    ):
        for index, created in enumerate(outcome, first):
            segment_id, name, before = pending[index]
            if created < 0:  # changed since the reading: theirs, untouched
                report.skipped_edited += 1
                if before is None:
                    del offered[segment_id][name]
                else:
                    offered[segment_id][name] = before
                continue
            offered[segment_id][name].state = SuggestionState.DONE
            _done(work, name, created, on_progress)
        ledger.save()
    return report


def _check_accounts(names: list[str], state: ProjectState, url: str) -> None:
    """Every annotator has an account and is a member of the project (REST would refuse
    their requests otherwise).

    Raises:
        DoccanoError: names those without, before anything is created.
    """
    missing = [n for n in names if n not in state.users]
    outside = [n for n in names if n in state.users and n not in state.members]
    if missing or outside:
        parts = []
        if missing:
            parts.append(
                f"{', '.join(missing)} ha{'s' if len(missing) == 1 else 've'} no account on {url}"
            )
        if outside:
            parts.append(
                f"{', '.join(outside)} {'is not a member' if len(outside) == 1 else 'are not members'} "
                f"of project {state.project.name!r}"
            )
        raise DoccanoError(
            "suggestions are created as each annotator's own spans, but "
            + " and ".join(parts)
            + "; add them in Doccano",
            kind=ErrorKind.NO_ANNOTATOR_ACCOUNTS,
        )
