"""``labels/patterns.jsonl``: spaCy entity-ruler patterns, a gazetteer the workspace keeps.

``nerwb labels patterns`` writes one pattern per distinct name in the confirmed gold of the
training split (never the test split: a name list built from it would leak the test into
every model and suggestion that uses the file). Users add their own lines (a list of groups
from elsewhere); a rebuild replaces only the lines nerwb wrote (``"id": "nerwb:gold"``).
Labels whose spans mostly hold a number (CASUALTY_FIGURE) are left out by default: such
phrases are compositional, and a list of the ones seen so far matches little else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nerwb.corpus.splits import load_splits
from nerwb.errors import SETTING, ErrorKind, InputError, LabelsError
from nerwb.io import atomic_write_jsonl, iter_jsonl
from nerwb.labels.annotations import load_annotated
from nerwb.labels.schema import LabelSchema, load_schema
from nerwb.lock import writes_workspace
from nerwb.text import blank
from nerwb.workspace import Workspace

GENERATED_ID = "nerwb:gold"  # marks the lines a rebuild may replace
NUMBER_SHARE = 0.5  # a label with at least this share of spans holding a number is left out


def read_patterns(path: Path, schema: LabelSchema) -> list[dict[str, Any]]:
    """Every pattern in an entity-ruler JSONL file, checked against ``labels.yml``.

    Raises:
        InputError: a line that is not JSON or not a pattern, or a label not in labels.yml
            (each naming its line); no patterns at all.
    """
    patterns = []
    for number, pattern in iter_jsonl(path):
        if "label" not in pattern or "pattern" not in pattern:
            raise InputError(
                'expected an entity-ruler pattern {"label": ..., "pattern": ...}',
                path=path,
                line=number,
            )
        if not isinstance(pattern["pattern"], str | list) or not pattern["pattern"]:
            raise InputError(
                "a pattern is a phrase or a list of token patterns", path=path, line=number
            )
        if schema.get(str(pattern["label"])) is None:
            raise InputError(
                f"label {pattern['label']!r} is not in labels.yml ({', '.join(schema.names)})",
                path=path,
                line=number,
            )
        patterns.append(pattern)
    if not patterns:
        raise InputError("no patterns in the file", path=path)
    return patterns


@dataclass
class PatternsReport:
    path: Path
    articles: int
    per_label: dict[str, int] = field(default_factory=dict)  # distinct names written
    left_out_labels: dict[str, float] = field(default_factory=dict)  # label -> share with numbers
    kept_from_user: int = 0


@writes_workspace("labels patterns")
def build_patterns(
    ws: Workspace,
    *,
    splits: tuple[str, ...] = ("train",),
    labels: list[str] | None = None,
    min_count: int = 1,
) -> PatternsReport:
    """Rebuild the gold part of ``labels/patterns.jsonl``; the user's own lines stay.

    Raises:
        LabelsError: no gold yet, the test split asked for, a label not in labels.yml.
        InputError: the existing file has a malformed line or an unknown label.
    """
    if "test" in splits:
        raise LabelsError(
            "patterns are never built from the test split: the test articles would leak into "
            "every model and suggestion that uses the file",
            kind=ErrorKind.TEST_LEAK,
        )
    schema = load_schema(ws.schema_path)
    unknown = sorted(set(labels or []) - set(schema.names))
    if unknown:
        raise LabelsError(
            f"{SETTING} {', '.join(unknown)}: not in labels.yml ({', '.join(schema.names)})",
            kind=ErrorKind.BAD_SETTING,
            setting="labels",
        )
    if not ws.gold_path.exists():
        raise LabelsError(
            f"{ws.gold_path}: no gold yet", kind=ErrorKind.NOT_MERGED, path=ws.gold_path
        )
    user: list[dict[str, Any]] = []
    if ws.patterns_path.exists() and ws.patterns_path.read_text(encoding="utf-8").strip():
        user = [p for p in read_patterns(ws.patterns_path, schema) if p.get("id") != GENERATED_ID]
    assigned = load_splits(ws.splits_path)
    wanted = set().union(*(assigned.ids(s) for s in splits)) if assigned else set()
    tokenizer = blank(ws.language).tokenizer
    names: Counter[tuple[str, tuple[str, ...]]] = Counter()
    with_number: Counter[str] = Counter()
    spans: Counter[str] = Counter()
    articles = 0
    for article in load_annotated(ws.gold_path).values():
        if article.article_id not in wanted:
            continue
        articles += 1
        pieces = article.gold_pieces()
        for span in article.spans:
            if not any(s <= span.start and span.end <= e for s, e in pieces):
                continue
            tokens = tuple(t.lower_ for t in tokenizer(article.text[span.start : span.end]))
            if not tokens:
                continue
            spans[span.label] += 1
            with_number[span.label] += any(t.like_num for t in tokenizer(" ".join(tokens)))
            names[(span.label, tokens)] += 1
    report = PatternsReport(ws.patterns_path, articles, kept_from_user=len(user))
    chosen = set(labels) if labels else None
    if chosen is None:
        chosen = set()
        for label, n in spans.items():
            share = with_number[label] / n
            if share >= NUMBER_SHARE:
                report.left_out_labels[label] = round(share, 3)
            else:
                chosen.add(label)
    generated = []
    for (label, tokens), count in sorted(names.items()):
        if label in chosen and count >= min_count:
            generated.append(
                {"label": label, "pattern": [{"LOWER": t} for t in tokens], "id": GENERATED_ID}
            )
            report.per_label[label] = report.per_label.get(label, 0) + 1
    atomic_write_jsonl(ws.patterns_path, [*user, *generated])
    return report
