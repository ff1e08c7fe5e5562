"""Inter-annotator agreement over the segments two annotators were both given and both confirmed.

The unit is the segment: a segment given to one annotator only is nobody's disagreement, and by
default a segment counts for a pair only when both confirmed it (``include_unconfirmed`` widens
that to every segment both have, confirmed or not).

Two measures, per label and overall, per annotator pair:
- exact span F1: one annotator's spans taken as reference for the other's; a span agrees when
  start, end and label match. F1 is symmetric, so the choice of reference does not matter.
- token-level Cohen's kappa (scikit-learn) over spaCy tokens, each token tagged with the label
  of the span covering it or "O"; per label, the same on a binary "this label or not" tagging.
Overall figures pool the counts and tokens of every pair.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sklearn.metrics import cohen_kappa_score

from nerwb.errors import ErrorKind, LabelsError
from nerwb.io import atomic_write_jsonl
from nerwb.labels.annotations import AnnotatedSegment, LabeledSpan, context
from nerwb.labels.options import AgreementOptions
from nerwb.labels.schema import load_schema
from nerwb.labels.snapshots import Annotations, load_annotations
from nerwb.records.agreement import AgreementFile
from nerwb.scores import prf
from nerwb.text import blank
from nerwb.workspace import Workspace

OUTSIDE = "O"


@dataclass
class Counts:
    both: int = 0  # identical spans
    only_a: int = 0
    only_b: int = 0

    @property
    def f1(self) -> float:
        # pairwise F1 is F with either annotator as "gold": one F for the whole house
        # (nerwb.scores.prf); nothing marked by either is perfect agreement
        if not (self.both or self.only_a or self.only_b):
            return 1.0
        return prf(self.both, self.both + self.only_b, self.both + self.only_a).f

    @property
    def any_spans(self) -> bool:
        return bool(self.both or self.only_a or self.only_b)

    def add(self, other: Counts) -> None:
        self.both += other.both
        self.only_a += other.only_a
        self.only_b += other.only_b


@dataclass
class Disagreement:
    kind: str  # boundary | type | boundary+type | missed_by_a | missed_by_b
    article_id: str
    a: str
    b: str
    span_a: LabeledSpan | None  # article offsets
    span_b: LabeledSpan | None
    context: str
    segment_id: str = ""

    def to_record(self) -> dict[str, Any]:
        def show(span: LabeledSpan | None) -> list | None:
            return [span.start, span.end, span.label] if span else None

        return {
            "kind": self.kind,
            "article_id": self.article_id,
            "segment_id": self.segment_id,
            "annotator_a": self.a,
            "annotator_b": self.b,
            "span_a": show(self.span_a),
            "span_b": show(self.span_b),
            "context": self.context,
        }


@dataclass
class PairAgreement:
    a: str
    b: str
    segments: int  # shared units counted (both given it; both confirmed unless widened)
    counts: Counts
    per_label: dict[str, Counts]
    kappa: float
    per_label_kappa: dict[str, float]
    disagreements: list[Disagreement] = field(default_factory=list)
    tags_a: list[str] = field(default_factory=list, repr=False)
    tags_b: list[str] = field(default_factory=list, repr=False)


@dataclass
class LabelAgreement:
    """One label's agreement, pooled over every pair: span F1, token kappa and the span counts.

    ``f1`` and ``kappa`` are None when neither annotator marked the label anywhere: two empty
    sets agree trivially, and a 1.000 there would read as evidence the guidelines work.
    """

    f1: float | None
    kappa: float | None
    agreed: int
    only_a: int
    only_b: int

    def to_json(self) -> dict[str, Any]:
        return {
            "f1": self.f1,
            "kappa": self.kappa,
            "agreed": self.agreed,
            "only_a": self.only_a,
            "only_b": self.only_b,
        }


@dataclass
class AgreementReport:
    pairs: list[PairAgreement]
    overall_f1: float
    overall_kappa: float
    per_label: dict[str, LabelAgreement]
    kinds: dict[str, int]

    include_unconfirmed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": "segment",
            "include_unconfirmed": self.include_unconfirmed,
            "overall": {"f1": self.overall_f1, "kappa": self.overall_kappa},
            "per_label": {k: v.to_json() for k, v in self.per_label.items()},
            "disagreement_kinds": self.kinds,
            "pairs": [
                {
                    "a": p.a,
                    "b": p.b,
                    "segments": p.segments,
                    "f1": p.counts.f1,
                    "kappa": p.kappa,
                    "spans_agreed": p.counts.both,
                    "only_a": p.counts.only_a,
                    "only_b": p.counts.only_b,
                    "per_label": {
                        k: (
                            {"f1": c.f1, "kappa": p.per_label_kappa.get(k, 1.0)}
                            if c.any_spans
                            else {"f1": None, "kappa": None}
                        )
                        for k, c in p.per_label.items()
                    },
                }
                for p in self.pairs
            ],
        }


def _kappa(a: list[str], b: list[str]) -> float:
    if a == b:
        return 1.0  # sklearn returns nan when both taggings use a single class
    value = float(cohen_kappa_score(a, b))
    return value if value == value else 0.0


def token_tags(unit: AnnotatedSegment, lang: str) -> list[str]:
    doc = blank(lang).make_doc(unit.text)
    tags = [OUTSIDE] * len(doc)
    for span in unit.local_spans():
        aligned = doc.char_span(span.start, span.end, alignment_mode="expand")
        if aligned is not None:
            for i in range(aligned.start, aligned.end):
                tags[i] = span.label
    return tags


def _classify(
    unit: AnnotatedSegment, a: str, b: str, spans_a: set, spans_b: set
) -> list[Disagreement]:
    article_id = unit.article_id

    def ctx(start: int, end: int) -> str:
        return context(unit.text, start - unit.start, end - unit.start)

    out = []
    only_a, only_b = sorted(spans_a - spans_b), sorted(spans_b - spans_a)
    matched_b: set[LabeledSpan] = set()
    for x in only_a:
        partner = next(
            (y for y in only_b if y not in matched_b and x.start < y.end and y.start < x.end), None
        )
        if partner is None:
            out.append(
                Disagreement(
                    "missed_by_b", article_id, a, b, x, None, ctx(x.start, x.end), unit.segment_id
                )
            )
            continue
        matched_b.add(partner)
        same_bounds = (x.start, x.end) == (partner.start, partner.end)
        kind = (
            "type" if same_bounds else ("boundary" if x.label == partner.label else "boundary+type")
        )
        lo, hi = min(x.start, partner.start), max(x.end, partner.end)
        out.append(Disagreement(kind, article_id, a, b, x, partner, ctx(lo, hi), unit.segment_id))
    for y in only_b:
        if y not in matched_b:
            out.append(
                Disagreement(
                    "missed_by_a", article_id, a, b, None, y, ctx(y.start, y.end), unit.segment_id
                )
            )
    return out


def shared_units(
    units_a: dict[str, AnnotatedSegment],
    units_b: dict[str, AnnotatedSegment],
    *,
    include_unconfirmed: bool = False,
) -> list[str]:
    """Segment ids both annotators were given and (unless widened) both confirmed.

    A segment someone confirmed without being assigned it (it was another's) is left out: the
    pair was not asked to label the same text. ``assigned`` None (no assignment plan: imports,
    a push without annotators) counts as given.
    """
    both = {
        s
        for s in set(units_a) & set(units_b)
        if units_a[s].assigned is not False and units_b[s].assigned is not False
    }
    if not include_unconfirmed:
        both = {s for s in both if units_a[s].confirmed and units_b[s].confirmed}
    return sorted(both)


def compare_pair(
    a: str,
    b: str,
    units_a: dict[str, AnnotatedSegment],
    units_b: dict[str, AnnotatedSegment],
    labels: list[str],
    lang: str,
    *,
    include_unconfirmed: bool = False,
) -> PairAgreement | None:
    shared = shared_units(units_a, units_b, include_unconfirmed=include_unconfirmed)
    if not shared:
        return None
    counts = Counts()
    per_label = {label: Counts() for label in labels}
    tags_a: list[str] = []
    tags_b: list[str] = []
    disagreements: list[Disagreement] = []
    for segment_id in shared:
        x, y = units_a[segment_id], units_b[segment_id]
        spans_a, spans_b = set(x.spans), set(y.spans)
        for label in {s.label for s in spans_a | spans_b} | set(labels):
            la = {s for s in spans_a if s.label == label}
            lb = {s for s in spans_b if s.label == label}
            c = Counts(len(la & lb), len(la - lb), len(lb - la))
            per_label.setdefault(label, Counts()).add(c)
        counts.add(Counts(len(spans_a & spans_b), len(spans_a - spans_b), len(spans_b - spans_a)))
        tags_a += token_tags(x, lang)
        tags_b += token_tags(y, lang)
        disagreements += _classify(x, a, b, spans_a, spans_b)
    per_label_kappa = {
        label: _kappa([t == label for t in tags_a], [t == label for t in tags_b])  # type: ignore[misc]
        for label in per_label
    }
    return PairAgreement(
        a,
        b,
        len(shared),
        counts,
        per_label,
        _kappa(tags_a, tags_b),
        per_label_kappa,
        disagreements,
        tags_a,
        tags_b,
    )


def agreement(
    annotations: Annotations, *, labels: list[str], lang: str, include_unconfirmed: bool = False
) -> AgreementReport:
    """Agreement of every pair of annotators that share at least one segment.

    Raises:
        LabelsError: no two annotators share a (confirmed) segment.
    """
    pairs = []
    for a, b in itertools.combinations(sorted(annotations), 2):
        pair = compare_pair(
            a,
            b,
            annotations[a],
            annotations[b],
            labels,
            lang,
            include_unconfirmed=include_unconfirmed,
        )
        if pair is not None:
            pairs.append(pair)
    if not pairs:
        which = "segment" if include_unconfirmed else "segment confirmed by both of them"
        raise LabelsError(
            f"no two annotators share a {which} (annotators: {', '.join(sorted(annotations))})",
            kind=ErrorKind.NO_SHARED_SEGMENTS,
            setting=None if include_unconfirmed else "include_unconfirmed",
        )
    total = Counts()
    pooled: dict[str, Counts] = {}
    tags_a: list[str] = []
    tags_b: list[str] = []
    kinds: dict[str, int] = {}
    for pair in pairs:
        total.add(pair.counts)
        for label, c in pair.per_label.items():
            pooled.setdefault(label, Counts()).add(c)
        tags_a += pair.tags_a
        tags_b += pair.tags_b
        for d in pair.disagreements:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
    per_label = {
        label: LabelAgreement(
            f1=c.f1 if c.any_spans else None,
            kappa=_kappa([t == label for t in tags_a], [t == label for t in tags_b])  # type: ignore[misc]
            if c.any_spans
            else None,
            agreed=c.both,
            only_a=c.only_a,
            only_b=c.only_b,
        )
        for label, c in sorted(pooled.items())
    }
    return AgreementReport(
        pairs, total.f1, _kappa(tags_a, tags_b), per_label, kinds, include_unconfirmed
    )


def measure_agreement(
    ws: Workspace, options: AgreementOptions = AgreementOptions()
) -> AgreementReport:
    """``labels agreement``: measure on ``options``' snapshot and annotators, then write
    ``agreement.json`` and ``disagreements.jsonl``.

    Raises:
        LabelsError: no annotations, or no two annotators share a (confirmed) segment.
    """
    annotators = None if options.annotators is None else list(options.annotators)
    annotations, _ = load_annotations(ws, options.snapshot, annotators=annotators)
    report = agreement(
        annotations,
        labels=load_schema(ws.schema_path).names,
        lang=ws.language,
        include_unconfirmed=options.include_unconfirmed,
    )
    AgreementFile.from_json(report.to_json(), ws.agreement_path).save(ws.agreement_path)
    atomic_write_jsonl(
        ws.disagreements_path, (d.to_record() for p in report.pairs for d in p.disagreements)
    )
    return report
