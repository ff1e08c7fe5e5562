"""Simulated annotators: a DEMO DEVICE that labels in Doccano through its REST API.

They stand in for people in `nerwb demo` and in tests, so that the loop can be seen end to end
without anyone clicking. They copy gold spans from the demo corpus, one of them with realistic
noise. Nothing in the real pull path imports this module.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from nerwb.doccano.client import DoccanoClient
from nerwb.labels.annotations import LabeledSpan


@dataclass(frozen=True)
class Noise:
    """Chances per gold span of each kind of mistake a tired annotator makes."""

    miss: float = 0.0  # leaves the span out
    shift: float = 0.0  # takes one word more or less at an edge
    wrong_type: float = 0.0  # picks another label
    unconfirmed: float = 0.0  # labels a segment but leaves it unconfirmed (not finished)


CAREFUL = Noise()
NOISY = Noise(miss=0.08, shift=0.08, wrong_type=0.05, unconfirmed=0.1)


@dataclass
class LabellingReport:
    examples: int = 0
    spans_created: int = 0
    missed: int = 0
    shifted: int = 0
    retyped: int = 0
    left_unconfirmed: int = 0
    created: list[tuple[str, LabeledSpan]] = field(
        default_factory=list
    )  # (article id, article offsets)


_WORD = re.compile(r"\S+")


def _shift(span: LabeledSpan, text: str, rng: random.Random) -> LabeledSpan:
    """One word more or less at one edge, staying on word boundaries and inside ``text``."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    inside = [w for w in words if w[0] >= span.start and w[1] <= span.end]
    before = [w for w in words if w[1] <= span.start]
    after = [w for w in words if w[0] >= span.end]
    options = []
    if before:
        options.append(LabeledSpan(before[-1][0], span.end, span.label))
    if after:
        options.append(LabeledSpan(span.start, after[0][1], span.label))
    if len(inside) > 1:
        options.append(LabeledSpan(inside[1][0], span.end, span.label))
        options.append(LabeledSpan(span.start, inside[-2][1], span.label))
    return rng.choice(options) if options else span


def _intended(
    text: str,
    offset: int,
    gold: list[LabeledSpan],
    labels: list[str],
    noise: Noise,
    rng: random.Random,
    report: LabellingReport,
) -> list[LabeledSpan]:
    """What this annotator means to mark in one segment (segment offsets), mistakes included."""
    taken: list[LabeledSpan] = []
    for span in gold:
        local = LabeledSpan(span.start - offset, span.end - offset, span.label)
        if local.start < 0 or local.end > len(text):
            continue
        if rng.random() < noise.miss:
            report.missed += 1
            continue
        if rng.random() < noise.shift:
            local = _shift(local, text, rng)
            report.shifted += 1
        if rng.random() < noise.wrong_type and len(labels) > 1:
            local = LabeledSpan(
                local.start, local.end, rng.choice([n for n in labels if n != local.label])
            )
            report.retyped += 1
        if any(t.start < local.end and local.start < t.end for t in taken):
            continue  # a shift ran into the next span: Doccano forbids overlaps here
        taken.append(local)
    return taken


def _mine(example, annotator: str, only_assigned: bool) -> bool:
    assigned = [n for n in str(example.meta.get("assigned_to") or "").split(",") if n]
    return not (only_assigned and assigned and annotator not in assigned)


def simulate(
    client: DoccanoClient,
    project_id: int,
    annotator: str,
    gold: dict[str, list[LabeledSpan]],
    *,
    noise: Noise = CAREFUL,
    seed: int = 0,
    only_assigned: bool = True,
) -> LabellingReport:
    """Label as ``annotator`` (``client`` must be logged in as them) and confirm each example.

    Args:
        gold: Gold spans per article id, in article offsets.
        only_assigned: Label only examples whose ``assigned_to`` meta names this annotator.
    """
    rng = random.Random(f"{seed}:{annotator}")
    labels = {t.text: t.id for t in client.span_types(project_id)}
    report = LabellingReport()
    for example in client.examples(project_id):
        if not _mine(example, annotator, only_assigned):
            continue
        article_id, offset = (
            example.meta.get("article_id"),
            int(example.meta.get("segment_start", 0)),
        )
        text = example.text or ""
        if article_id not in gold or example.is_confirmed:
            continue  # not ours, or labelled on an earlier run: never label twice
        if client.spans(project_id, example.id):
            continue  # labelled and left unconfirmed on an earlier run, or suggested
        report.examples += 1
        for local in _intended(text, offset, gold[article_id], list(labels), noise, rng, report):
            client.create_span(project_id, example.id, labels[local.label], local.start, local.end)
            report.spans_created += 1
            report.created.append((article_id, local.shifted(offset)))
        if rng.random() < noise.unconfirmed:
            report.left_unconfirmed += 1
            continue  # labelled, not confirmed: its spans must not become gold
        client.confirm(project_id, example.id)
    return report


@dataclass
class CorrectionReport:
    examples: int = 0
    edits: int = 0  # spans deleted plus spans created
    from_scratch: int = 0  # spans the same annotator would have created with no suggestions
    labelling: LabellingReport = field(default_factory=LabellingReport)


def correct(
    client: DoccanoClient,
    project_id: int,
    annotator: str,
    gold: dict[str, list[LabeledSpan]],
    segment_ids: set[str],
    *,
    noise: Noise = CAREFUL,
    seed: int = 0,
) -> CorrectionReport:
    """Fix the suggestions on ``segment_ids`` (``ner.correct``): delete the spans this annotator
    does not mean, add the ones missing, confirm. Counts the edits against labelling from scratch.
    """
    rng = random.Random(f"{seed}:{annotator}:correct")
    labels = {t.text: t.id for t in client.span_types(project_id)}
    report = CorrectionReport()
    for example in client.examples(project_id):
        segment_id = str(example.meta.get("segment_id"))
        article_id = example.meta.get("article_id")
        if segment_id not in segment_ids or article_id not in gold or example.is_confirmed:
            continue
        if not _mine(example, annotator, True):
            continue
        offset = int(example.meta.get("segment_start", 0))
        wanted = set(
            _intended(
                example.text or "",
                offset,
                gold[article_id],
                list(labels),
                noise,
                rng,
                report.labelling,
            )
        )
        report.edits += _make_spans(client, project_id, example.id, wanted, labels)
        report.from_scratch += len(wanted)
        report.examples += 1
        client.confirm(project_id, example.id)
    return report


def _make_spans(
    client: DoccanoClient,
    project_id: int,
    example_id: int,
    wanted: set[LabeledSpan],
    labels: dict[str, int],
) -> int:
    """Make the caller's spans on an example exactly ``wanted``; returns the edits it took
    (Doccano cannot resize a span: a changed one is deleted and made again)."""
    names = {v: k for k, v in labels.items()}
    have = {
        LabeledSpan(s.start_offset, s.end_offset, names[s.label]): s
        for s in client.spans(project_id, example_id)
    }
    edits = 0
    for span, stored in have.items():
        if span not in wanted:
            client.delete_span(project_id, example_id, stored.id)
            edits += 1
    for span in sorted(wanted - set(have)):
        client.create_span(project_id, example_id, labels[span.label], span.start, span.end)
        edits += 1
    return edits


def adjudicate(client: DoccanoClient, project_id: int, gold: dict[str, list[LabeledSpan]]) -> int:
    """A simulated adjudicator in the review project: keep the gold reading, confirm. Returns the
    segments decided."""
    labels = {t.text: t.id for t in client.span_types(project_id)}
    decided = 0
    for example in client.examples(project_id):
        article_id = example.meta.get("article_id")
        if article_id not in gold or example.is_confirmed:
            continue
        offset, text = int(example.meta.get("segment_start", 0)), example.text or ""
        wanted = {
            LabeledSpan(s.start - offset, s.end - offset, s.label)
            for s in gold[article_id]
            if s.start >= offset and s.end - offset <= len(text)
        }
        _make_spans(client, project_id, example.id, wanted, labels)
        client.confirm(project_id, example.id)
        decided += 1
    return decided
