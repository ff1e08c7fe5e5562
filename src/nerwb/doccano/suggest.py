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
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Example
from nerwb.doccano.projects import find_project
from nerwb.errors import ErrorKind
from nerwb.lock import writes_workspace
from nerwb.predict.suggest import Suggester
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.doccano import AnnotatorPasswords, AssignmentPlan, project_key
from nerwb.records.suggestions import Suggestion, SuggestionLedger, SuggestionState
from nerwb.workspace import Workspace

# The local server (2 gunicorn workers on 2 cores) tops out near 50 requests/s; a few requests
# in flight keep it busy without queueing behind each other.
CONCURRENCY = 4
TOKEN_VARIABLE = "NERWB_DOCCANO_TOKEN_{name}"  # a remote annotator's API token


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


@writes_workspace("doccano suggest")
def suggest(
    admin: DoccanoClient,
    ws: Workspace,
    suggester: Suggester,
    *,
    segment_ids: set[str] | None = None,
    concurrency: int = CONCURRENCY,
    on_progress: OnProgress | None = None,
) -> SuggestReport:
    """Create the suggester's spans as each assigned annotator's own, on their unedited segments.

    Args:
        segment_ids: Only these segments (``push --suggest``: the ones just pushed).
        on_progress: hears of each (segment, annotator) pair done.
    """
    project = find_project(admin, ws.project_name)
    plan = AssignmentPlan.load_or_new(ws.assignments_path).segments
    if not plan:
        raise DoccanoError(
            "no assignment plan: suggestions go to the annotators a segment is assigned to",
            kind=ErrorKind.NO_ASSIGNMENT_PLAN,
            path=ws.assignments_path,
        )
    examples: dict[str, Example] = {
        str(e.meta["segment_id"]): e
        for e in admin.examples(project.id)
        if e.meta.get("segment_id")
        and (segment_ids is None or str(e.meta["segment_id"]) in segment_ids)
    }
    ledger = SuggestionLedger(ws.suggestions_path)
    offered = ledger.project(project_key(admin.url, project.id))
    report = SuggestReport(source=suggester.source)
    todo: list[tuple[str, str]] = []
    for segment_id in sorted(examples):
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
    if not todo:
        return report
    names = sorted({n for _, n in todo})
    clients = annotator_clients(ws, admin.url, names)
    texts = {sid: examples[sid].text or "" for sid in {s for s, _ in todo}}
    order = sorted(texts)
    proposed = dict(zip(order, suggester.spans(texts[s] for s in order), strict=True))
    labels = {t.text: t.id for t in admin.span_types(project.id)}
    label_names = {v: k for k, v in labels.items()}
    done = [0]
    lock = ledger.lock

    def one(pair: tuple[str, str]) -> None:
        segment_id, name = pair
        client, example = clients[name], examples[segment_id]
        record = offered.get(segment_id, {}).get(name)
        mine = client.spans(project.id, example.id)
        have = {(s.start_offset, s.end_offset, s.label) for s in mine}
        if record is None:
            if client.is_confirmed(project.id, example.id):
                with lock:
                    report.skipped_confirmed += 1
                return
            if mine:
                with lock:
                    report.skipped_edited += 1
                return
            record = Suggestion(
                state=SuggestionState.PLANNED,
                source=suggester.source,
                source_hash=suggester.source_hash,
                example_id=example.id,
                segment_start=int(example.meta.get("segment_start") or 0),
                article_id=example.meta.get("article_id"),
                spans=[tuple(s) for s in proposed[segment_id]],
                at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            with lock:
                offered.setdefault(segment_id, {})[name] = record
                ledger.save()  # before the first span: a rerun knows what was meant
        elif record.state == SuggestionState.DONE:
            # Another source's suggestions are there, untouched: add what this one proposes
            # and that one did not, never a span twice or one overlapping them.
            offered_spans = {tuple(s) for s in record.spans}
            if client.is_confirmed(project.id, example.id) or offered_spans != {
                (s.start_offset, s.end_offset, label_names.get(s.label)) for s in mine
            }:
                with lock:
                    report.skipped_edited += 1
                return
            new = [
                tuple(s)
                for s in proposed[segment_id]
                if not any(s[0] < e and o < s[1] for o, e, _ in offered_spans)
            ]
            with lock:
                record.sources = [*sources_of(record), suggester.source]
                record.spans = [*record.spans, *new]
                record.state = SuggestionState.PLANNED
                ledger.save()
        else:
            with lock:
                report.resumed += 1
        created = 0
        for start, end, label in record.spans:
            if (start, end, labels[label]) not in have:
                client.create_span(project.id, example.id, labels[label], start, end)
                created += 1
        with lock:
            record.state = SuggestionState.DONE
            ledger.save()
            report.suggested += 1
            report.spans_created += created
            report.per_annotator[name] = report.per_annotator.get(name, 0) + created
            done[0] += 1
            emit(
                on_progress,
                ProgressEvent("Suggesting", done[0], len(todo), "segment-annotator pair"),
            )

    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        for future in [pool.submit(one, pair) for pair in todo]:
            future.result()
    finally:
        # On an error or Ctrl-C, what has not started never starts; the ledger says what did.
        pool.shutdown(wait=True, cancel_futures=True)
        for client in clients.values():
            client.close()
    return report
