"""Audit: every problem span, listed with its place and an alternative, never just counted.

Span checks follow what spaCy needs (token boundaries, no overlaps) and what the guidelines ask
(no edge whitespace or punctuation, known labels). Corpus checks follow ``spacy debug data``:
labels with few examples, and the same article or a near-duplicate on both sides of the test line.
"""

from __future__ import annotations

import itertools
import string
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nerwb.corpus.dedup import near_duplicate_groups
from nerwb.corpus.splits import Splits, load_splits
from nerwb.corpus.store import load_articles
from nerwb.io import atomic_write_jsonl
from nerwb.labels.annotations import context
from nerwb.labels.options import AuditOptions
from nerwb.labels.schema import load_schema
from nerwb.labels.snapshots import Annotations, load_annotations
from nerwb.records.articles import Article
from nerwb.text import blank
from nerwb.workspace import Workspace

# A span that starts or ends on one of these probably took a neighbour's punctuation; the
# currency and percent signs belong to the figures they mark.
EDGE_PUNCTUATION = set(string.punctuation + "“”‘’«»—–…") - {"%", "$", "€", "£"}

MIN_EXAMPLES_PER_LABEL = 50  # spaCy debug data warns below this many examples of a new label


@dataclass
class Problem:
    kind: str
    annotator: str | None
    article_id: str | None
    start: int | None = None
    end: int | None = None
    label: str | None = None
    text: str = ""
    context: str = ""
    detail: str = ""
    alternatives: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "", {})}


def _span_problems(
    annotator: str, article_id: str, text: str, spans: list, labels: set[str], lang: str
) -> list[Problem]:
    doc = blank(lang).make_doc(text)
    problems = []

    def problem(kind: str, span: Any, detail: str, **alternatives: Any) -> Problem:
        inside = 0 <= span.start <= span.end <= len(text)
        return Problem(
            kind,
            annotator,
            article_id,
            span.start,
            span.end,
            span.label,
            text[span.start : span.end] if inside else "",
            context(text, span.start, span.end) if inside else "",
            detail,
            alternatives,
        )

    ordered = sorted(spans)
    for span in ordered:
        if span.label not in labels:
            problems.append(
                problem("unknown_label", span, f"label {span.label!r} is not in labels.yml")
            )
        if not (0 <= span.start <= span.end <= len(text)):
            problems.append(problem("out_of_range", span, f"the text has {len(text)} characters"))
            continue
        if span.start == span.end or not text[span.start : span.end].strip():
            problems.append(problem("empty", span, "the span covers no text"))
            continue
        covered = text[span.start : span.end]
        if covered != covered.strip():
            problems.append(problem("whitespace", span, "leading or trailing whitespace"))
        elif (covered[0] in EDGE_PUNCTUATION or covered[-1] in EDGE_PUNCTUATION) and not (
            # the full stop of an abbreviation can belong to a name ("U.S.", "Inc.")
            covered[-1] == "." and len(covered) > 1 and covered[-2].isupper()
        ):
            problems.append(problem("punctuation", span, "leading or trailing punctuation"))
        if doc.char_span(span.start, span.end) is None:
            alternatives = {}
            for mode in ("expand", "contract"):
                aligned = doc.char_span(span.start, span.end, alignment_mode=mode)
                if aligned is not None and len(aligned):
                    alternatives[mode] = [aligned.start_char, aligned.end_char, aligned.text]
            problems.append(
                problem("misaligned", span, "not on spaCy token boundaries", **alternatives)
            )
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            problems.append(
                problem(
                    "overlap",
                    second,
                    f"overlaps [{first.start}, {first.end}, {first.label}] {text[first.start : first.end]!r}",
                )
            )
    return problems


def audit(
    annotations: Annotations,
    *,
    labels: list[str],
    lang: str,
    articles: list[Article],
    splits: Splits | None,
    near_duplicate_threshold: float,
    min_examples: int = MIN_EXAMPLES_PER_LABEL,
) -> list[Problem]:
    """All problems in ``annotations``, spans first, then corpus-level checks."""
    problems: list[Problem] = []
    known = set(labels)
    counts = dict.fromkeys(labels, 0)
    for annotator, by_segment in sorted(annotations.items()):
        for unit in sorted(by_segment.values(), key=lambda u: (u.article_id, u.start)):
            # Checked in the unit's own text (what the annotator saw), reported in article offsets.
            for problem in _span_problems(
                annotator, unit.article_id, unit.text, unit.local_spans(), known, lang
            ):
                if problem.start is not None and problem.end is not None:
                    problem.start += unit.start
                    problem.end += unit.start
                for alternative in problem.alternatives.values():
                    alternative[0] += unit.start
                    alternative[1] += unit.start
                problems.append(problem)
            for span in unit.spans:
                if span.label in counts:
                    counts[span.label] += 1
    for label, n in counts.items():
        if n < min_examples:
            problems.append(
                Problem(
                    "few_examples",
                    None,
                    None,
                    label=label,
                    detail=f"{n} span(s) over all annotators; spaCy debug data asks for at least {min_examples}",
                )
            )
    if splits:
        labelled = {
            u.article_id for by_segment in annotations.values() for u in by_segment.values()
        }
        text_of = {a.id: a.text for a in articles}
        groups = near_duplicate_groups(
            ((a, text_of[a]) for a in labelled if a in text_of), near_duplicate_threshold
        )
        for group in groups:
            sides = {splits.assignments.get(a) for a in group}
            if "test" in sides and len(sides - {None}) > 1:
                problems.append(
                    Problem(
                        "leak",
                        None,
                        group[0],
                        detail=f"near-duplicates {', '.join(group)} sit in splits {', '.join(sorted(s for s in sides if s))}",
                    )
                )
    return problems


@dataclass
class AuditResult:
    problems: list[Problem]
    sources: list[str]  # the snapshot and imports audited
    path: Path  # labels/audit/problems.jsonl

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self.problems:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        return dict(sorted(counts.items()))


def audit_workspace(ws: Workspace, options: AuditOptions = AuditOptions()) -> AuditResult:
    """``labels audit``: audit the latest (or ``options.snapshot``) snapshot plus imports, the
    labels of ``options.annotators`` (None: all); write every problem."""
    annotators = None if options.annotators is None else list(options.annotators)
    annotations, sources = load_annotations(ws, options.snapshot, annotators=annotators)
    problems = audit(
        annotations,
        labels=load_schema(ws.schema_path).names,
        lang=ws.language,
        articles=load_articles(ws.articles_path),
        splits=load_splits(ws.splits_path),
        near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
    )
    atomic_write_jsonl(ws.problems_path, (p.to_record() for p in problems))
    return AuditResult(problems, sources, ws.problems_path)
