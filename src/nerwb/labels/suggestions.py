"""Suggestion provenance: what each annotator was offered, against what they confirmed.

The suggestion ledger (``.nerwb/suggestions.json``, written by ``nerwb doccano suggest``) says
which spans were offered to whom on which segment, by which model. Compared with a pull
snapshot, per annotator and label, each offered span was accepted unchanged, had its boundary
changed, had its label changed, or was deleted; and spans the annotator added beside them are
counted too. Only segments the annotator confirmed count; the others are pending. Offered
spans are also counted by what proposed them (a model, the names the team confirmed, the names
list, the user's patterns: ``SpanOrigin``), so each lever's offers can be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nerwb.errors import ErrorKind, LabelsError
from nerwb.labels.annotations import LabeledSpan
from nerwb.labels.snapshots import Annotations, latest_snapshot, load_snapshot
from nerwb.records.pull import PullManifest, is_snapshot, manifest_path
from nerwb.records.suggestions import Offered, SuggestionLedger
from nerwb.workspace import Workspace

# An annotator who confirmed this many suggested segments without one edit is worth a look.
RUBBER_STAMP_SEGMENTS = 10
OUTCOMES = ("accepted", "boundary_changed", "label_changed", "deleted", "added")


@dataclass
class Outcomes:
    accepted: int = 0
    boundary_changed: int = 0
    label_changed: int = 0
    deleted: int = 0
    added: int = 0

    @property
    def offered(self) -> int:
        return self.accepted + self.boundary_changed + self.label_changed + self.deleted

    @property
    def precision(self) -> float | None:
        """Share of offered spans accepted unchanged."""
        return self.accepted / self.offered if self.offered else None

    @property
    def recall(self) -> float | None:
        """Share of the confirmed spans that were offered unchanged."""
        confirmed = self.accepted + self.boundary_changed + self.label_changed + self.added
        return self.accepted / confirmed if confirmed else None

    def add(self, other: Outcomes) -> None:
        for name in OUTCOMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_json(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in OUTCOMES},
            "offered": self.offered,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class AnnotatorSuggestions:
    annotator: str
    segments: int = 0  # suggested and confirmed
    pending: int = 0  # suggested, not confirmed yet
    untouched: int = 0  # confirmed segments where every offer was accepted and nothing added
    per_label: dict[str, Outcomes] = field(default_factory=dict)
    # what became of the offers of each origin ("unknown": ledgers from before origins); the
    # spans an annotator added are nobody's offer, so ``added`` is 0 here
    per_origin: dict[str, Outcomes] = field(default_factory=dict)

    @property
    def total(self) -> Outcomes:
        out = Outcomes()
        for o in self.per_label.values():
            out.add(o)
        return out

    @property
    def rubber_stamping(self) -> bool:
        return self.segments >= RUBBER_STAMP_SEGMENTS and self.untouched == self.segments


def judge_offers(
    offered: list[LabeledSpan], confirmed: list[LabeledSpan]
) -> tuple[list[str], list[LabeledSpan]]:
    """What became of each offered span (in ``offered``'s order): ``accepted``,
    ``label_changed`` (same boundaries), ``boundary_changed`` (overlapping, same label) or
    ``deleted``; and the confirmed spans no offer accounts for (the annotator added them)."""
    verdicts = [""] * len(offered)
    matched: set[LabeledSpan] = set()
    for i in sorted(range(len(offered)), key=lambda i: offered[i]):
        span = offered[i]
        if span in confirmed:
            verdicts[i] = "accepted"
            matched.add(span)
            continue
        same_bounds = next(
            (
                c
                for c in confirmed
                if (c.start, c.end) == (span.start, span.end) and c not in matched
            ),
            None,
        )
        if same_bounds is not None:
            verdicts[i] = "label_changed"
            matched.add(same_bounds)
            continue
        overlap = next(
            (
                c
                for c in confirmed
                if c.label == span.label
                and c.start < span.end
                and span.start < c.end
                and c not in matched
            ),
            None,
        )
        if overlap is not None:
            verdicts[i] = "boundary_changed"
            matched.add(overlap)
        else:
            verdicts[i] = "deleted"
    return verdicts, [span for span in confirmed if span not in matched]


def compare_segment(
    offered: list[LabeledSpan], confirmed: list[LabeledSpan]
) -> dict[str, Outcomes]:
    """Per label, what became of each offered span, and what the annotator added."""
    verdicts, added = judge_offers(offered, confirmed)
    out: dict[str, Outcomes] = {}
    for span, verdict in sorted(zip(offered, verdicts, strict=True)):
        o = out.setdefault(span.label, Outcomes())
        setattr(o, verdict, getattr(o, verdict) + 1)
    for span in added:
        out.setdefault(span.label, Outcomes()).added += 1
    return out


def suggestion_report(offered: Offered, annotations: Annotations) -> list[AnnotatorSuggestions]:
    """Each annotator's outcomes over the segments they were offered suggestions on.

    Args:
        offered: One project's ledger entries: segment id -> annotator -> record.

    Raises:
        LabelsError: the ledger holds no suggestions.
    """
    if not offered:
        raise LabelsError("no suggestions in the ledger", kind=ErrorKind.NO_SUGGESTIONS)
    rows: dict[str, AnnotatorSuggestions] = {}
    for segment_id, by_annotator in sorted(offered.items()):
        for name, record in sorted(by_annotator.items()):
            row = rows.setdefault(name, AnnotatorSuggestions(name))
            unit = annotations.get(name, {}).get(segment_id)
            if unit is None or not unit.confirmed:
                row.pending += 1
                continue
            start = record.segment_start
            spans = [LabeledSpan(s + start, e + start, lab) for s, e, lab in record.spans]
            outcomes = compare_segment(spans, list(unit.spans))
            verdicts, _ = judge_offers(spans, list(unit.spans))
            for origin, verdict in zip(record.span_origins(), verdicts, strict=True):
                o = row.per_origin.setdefault(str(origin or "unknown"), Outcomes())
                setattr(o, verdict, getattr(o, verdict) + 1)
            row.segments += 1
            edits = sum(o.offered - o.accepted + o.added for o in outcomes.values())
            row.untouched += edits == 0
            for label, o in outcomes.items():
                row.per_label.setdefault(label, Outcomes()).add(o)
    return [rows[n] for n in sorted(rows)]


def suggestions_in_workspace(
    ws: Workspace, *, snapshot: Path | None = None
) -> tuple[list[AnnotatorSuggestions], Path]:
    """``labels suggestions``: the latest (or a named) pull against the suggestion ledger of the
    project it was pulled from. Returns the rows and the snapshot used.

    Raises:
        LabelsError: no pull yet, or no suggestions were made in that project.
    """
    folder = snapshot or latest_snapshot(ws.pulls_dir)
    if folder is None or not is_snapshot(folder):
        raise LabelsError("no pull snapshot yet", kind=ErrorKind.NO_PULL, path=ws.pulls_dir)
    key = PullManifest.load(manifest_path(folder)).project_key
    offered = SuggestionLedger(ws.suggestions_path).data.get(key, {})
    return suggestion_report(offered, load_snapshot(folder)), folder


def report_json(rows: list[AnnotatorSuggestions]) -> dict[str, Any]:
    return {
        "rubber_stamp_segments": RUBBER_STAMP_SEGMENTS,
        "annotators": {
            r.annotator: {
                "segments": r.segments,
                "pending": r.pending,
                "untouched": r.untouched,
                "rubber_stamping": r.rubber_stamping,
                "total": r.total.to_json(),
                "per_label": {k: v.to_json() for k, v in sorted(r.per_label.items())},
                "per_origin": {k: v.to_json() for k, v in sorted(r.per_origin.items())},
            }
            for r in rows
        },
    }
