"""Adjudication inside Doccano: the segments a merge could not settle go to a review project.

``<project>-review`` holds each conflicting segment once; its adjudicator sees, as their own
spans, the union of what the annotators proposed (the project allows overlapping spans, so
rival readings sit side by side), and each example's ``proposals`` metadata says who proposed
what. The adjudicator deletes the wrong spans, adds missing ones and confirms; ``doccano pull``
then brings the decisions into the snapshot (``review/``) and ``labels merge`` gives a
confirmed decision precedence over any strategy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nerwb.doccano.accounts import ensure_annotators
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Project
from nerwb.doccano.projects import GUIDELINES, sync_guideline, sync_span_types
from nerwb.doccano.upload import Row, upload_rows
from nerwb.errors import SETTING, ErrorKind, LabelsError
from nerwb.labels.schema import LabelSchema
from nerwb.labels.snapshots import Annotations
from nerwb.names import check_name
from nerwb.records.annotations import ConflictLine
from nerwb.records.doccano import AnnotatorPasswords, PushLedger
from nerwb.workspace import Workspace

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient

REVIEW_SUFFIX = "-review"


def review_project_name(ws: Workspace) -> str:
    return ws.project_name + REVIEW_SUFFIX


def find_review_project(client: DoccanoClient, ws: Workspace) -> Project | None:
    name = review_project_name(ws)
    return next((p for p in client.projects() if p.name == name), None)


@dataclass
class ReviewReport:
    project: Project
    project_created: bool
    adjudicator: str
    password: str | None  # shown once when the account was created
    conflicts: int = 0  # conflicting segments in the merge
    sent: int = 0  # segments uploaded now
    already_there: int = 0
    spans_created: int = 0
    proposals: dict[str, int] = field(default_factory=dict)  # annotator -> spans proposed
    guideline: str | None = None  # "set", "updated" or "unchanged"; None without GUIDELINES.md


def send_to_review(
    admin: DoccanoClient,
    ws: Workspace,
    schema: LabelSchema,
    annotations: Annotations,
    *,
    adjudicator: str,
) -> ReviewReport:
    """Upload the latest merge's conflicting segments to the review project, with the union of
    the annotators' spans as the adjudicator's own. Resumable: nothing is uploaded twice, and an
    adjudicator's segment that already has spans or a confirmation is left as it is.

    Raises:
        LabelsError: no merge yet, or it left no conflicts.
        DoccanoError: the adjudicator is also one of the annotators.
    """
    check_name(adjudicator, what="adjudicator", setting="adjudicator")
    if adjudicator in annotations:
        raise DoccanoError(
            f"{SETTING} {adjudicator}: that account is one of the annotators "
            f"({', '.join(sorted(annotations))}); an adjudicator must not judge their own labels",
            kind=ErrorKind.BAD_SETTING,
            setting="adjudicator",
        )
    if not ws.conflicts_path.exists():
        raise LabelsError(
            f"{ws.conflicts_path}: no merge yet", kind=ErrorKind.NOT_MERGED, path=ws.conflicts_path
        )
    conflicted = sorted(
        {c.segment_id for _, c in ConflictLine.read(ws.conflicts_path) if c.segment_id}
    )
    if not conflicted:
        raise LabelsError(
            "the last merge left no conflicts: nothing to adjudicate", kind=ErrorKind.NOTHING_TO_DO
        )
    created = False
    project = find_review_project(admin, ws)
    if project is None:
        project = admin.create_project(
            review_project_name(ws),
            description=f"Adjudication of {ws.project_name}",
            allow_overlapping=True,
        )
        created = True
    sync_span_types(admin, project.id, schema)
    # the adjudicator judges by the same guidelines the annotators labelled by
    guideline = sync_guideline(admin, project, ws.schema_path.parent / GUIDELINES)
    passwords, _ = ensure_annotators(admin, project.id, [adjudicator], ws.annotator_passwords_path)
    report = ReviewReport(
        project, created, adjudicator, passwords.get(adjudicator), len(conflicted)
    )
    report.guideline = guideline

    ledger = PushLedger(ws.push_ledger_path)
    known = ledger.segments(admin.url, project.id)
    rows: list[Row] = []
    for segment_id in conflicted:
        units = {n: by[segment_id] for n, by in annotations.items() if segment_id in by}
        if not units:
            continue
        if segment_id in known:
            report.already_there += 1
            continue
        unit = next(iter(units.values()))
        proposals = {
            n: [[s.start, s.end, s.label] for s in u.local_spans()] for n, u in units.items()
        }
        rows.append(
            {
                "text": unit.text,
                "article_id": unit.article_id,
                "segment_id": segment_id,
                "segment_start": unit.start,
                "proposals": json.dumps(proposals, ensure_ascii=False),
                "assigned_to": adjudicator,
                "label": [],
            }
        )

    def sent(chunk: list[Row]) -> None:
        for row in chunk:
            known[row["segment_id"]] = ""
        ledger.save()
        report.sent += len(chunk)

    upload_rows(
        admin,
        project.id,
        rows,
        record_chunk=sent,
        file_prefix="nerwb-review",
        what="review import {number}",
    )

    # The union of proposals, created as the adjudicator's own spans (they see only their own).
    path = ws.annotator_passwords_path
    secret = AnnotatorPasswords.load_or_new(path).get(adjudicator)
    if secret is None:
        raise DoccanoError(f"no password for {adjudicator} in {path}; nerwb did not create it")
    types = {t.text: t.id for t in admin.span_types(project.id)}
    from nerwb.doccano.client import DoccanoClient

    with DoccanoClient(admin.url) as judge:
        judge.login(adjudicator, secret)
        for example in judge.examples(project.id):
            if example.is_confirmed or judge.spans(project.id, example.id):
                continue
            proposed = json.loads(str(example.meta.get("proposals") or "{}"))
            union = sorted({tuple(s) for spans in proposed.values() for s in spans})
            for name, spans in proposed.items():
                report.proposals[name] = report.proposals.get(name, 0) + len(spans)
            for start, end, label in union:
                if label in types:
                    judge.create_span(project.id, example.id, types[label], int(start), int(end))
                    report.spans_created += 1
    return report
