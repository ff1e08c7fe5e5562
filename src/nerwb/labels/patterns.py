"""``labels/patterns.jsonl``: spaCy entity-ruler patterns, a gazetteer the workspace keeps.

``nerwb labels patterns`` writes one pattern per distinct name in the confirmed gold of the
training split (never the test split: a name list built from it would leak the test into
every model and suggestion that uses the file). Users add their own lines (a list of groups
from elsewhere); a rebuild replaces only the lines nerwb wrote (``"id": "nerwb:gold"``).
Labels whose spans mostly hold a number (CASUALTY_FIGURE) are left out by default: such
phrases are compositional, and a list of the ones seen so far matches little else.

The same names, with or without the names list, are what ``doccano push/suggest --propagate``
pre-annotates wherever they recur in the next batch (``propagation_patterns``: in memory, no
file written).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nerwb.choices import NameSource
from nerwb.components.names import names_as_patterns, read_names
from nerwb.corpus.splits import load_splits
from nerwb.errors import SETTING, ErrorKind, InputError, LabelsError
from nerwb.io import atomic_write_jsonl, iter_jsonl
from nerwb.labels.annotations import AnnotatedArticle, load_annotated
from nerwb.labels.options import PatternsOptions, check_not_test
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


@dataclass
class GoldNames:
    """The distinct names of some confirmed gold, counted: what ``labels patterns`` writes and
    ``--propagate`` pre-annotates."""

    articles: int = 0
    names: Counter[tuple[str, tuple[str, ...]]] = field(default_factory=Counter)  # (label, words)
    spans: Counter[str] = field(default_factory=Counter)  # per label
    with_number: Counter[str] = field(default_factory=Counter)  # spans holding a number

    def name_labels(self) -> tuple[set[str], dict[str, float]]:
        """The labels whose spans are names, and those left out (label -> share of spans that
        hold a number): a list of the number phrases seen so far matches little else."""
        chosen, left_out = set(), {}
        for label, n in self.spans.items():
            share = self.with_number[label] / n
            if share >= NUMBER_SHARE:
                left_out[label] = round(share, 3)
            else:
                chosen.add(label)
        return chosen, left_out

    def patterns(self, labels: set[str], *, min_count: int = 1) -> list[dict[str, Any]]:
        """One entity-ruler pattern (lower-case tokens) per distinct name of ``labels``."""
        return [
            {"label": label, "pattern": [{"LOWER": t} for t in tokens], "id": GENERATED_ID}
            for (label, tokens), count in sorted(self.names.items())
            if label in labels and count >= min_count
        ]


def gold_names_of(articles: Iterable[AnnotatedArticle], tokenizer: Any) -> GoldNames:
    """The names of the confirmed (gold) spans of ``articles``, as ``tokenizer`` splits them."""
    out = GoldNames()
    for article in articles:
        out.articles += 1
        pieces = article.gold_pieces()
        for span in article.spans:
            if not any(s <= span.start and span.end <= e for s, e in pieces):
                continue
            tokens = tuple(t.lower_ for t in tokenizer(article.text[span.start : span.end]))
            if not tokens:
                continue
            out.spans[span.label] += 1
            out.with_number[span.label] += any(t.like_num for t in tokenizer(" ".join(tokens)))
            out.names[(span.label, tokens)] += 1
    return out


def workspace_gold_names(ws: Workspace, splits: tuple[str, ...] = ("train",)) -> GoldNames:
    """``gold_names_of`` the articles of ``splits`` in ``labels/gold/gold.jsonl`` (none before the
    first merge).

    Raises:
        LabelsError: the test split asked for (its names would leak into every model and
            suggestion that uses them).
    """
    check_not_test(splits)
    if not ws.gold_path.exists():
        return GoldNames()
    assigned = load_splits(ws.splits_path)
    wanted = set().union(*(assigned.ids(s) for s in splits)) if assigned else set()
    articles = (a for a in load_annotated(ws.gold_path).values() if a.article_id in wanted)
    return gold_names_of(articles, blank(ws.language).tokenizer)


@dataclass
class Propagation:
    """The names ``--propagate`` pre-annotates wherever they recur: entity-ruler patterns, and
    how many came from where."""

    source: NameSource
    patterns: list[dict[str, Any]] = field(default_factory=list)
    confirmed: int = 0  # distinct confirmed gold names
    listed: int = 0  # distinct rows of the names list
    left_out_labels: dict[str, float] = field(default_factory=dict)  # number phrases: not names

    @property
    def ledger_source(self) -> str:
        """How the suggestion ledger names this source."""
        return f"names:{self.source}"


def propagation_patterns(ws: Workspace, source: NameSource) -> Propagation:
    """Every name the team has confirmed (the training split's gold names, number phrases left
    out, as ``labels patterns`` writes them), the names list ``labels/names.csv``, or both, as
    entity-ruler patterns. No gold yet is no confirmed name, not an error: the first batch of a
    loop has none.

    Raises:
        InputError: the names list is missing, or has a malformed row (its line) or a label
            labels.yml lacks.
    """
    out = Propagation(source)
    if source in (NameSource.GOLD, NameSource.BOTH):
        gold = workspace_gold_names(ws)
        labels, out.left_out_labels = gold.name_labels()
        out.patterns = gold.patterns(labels)
        out.confirmed = len(out.patterns)
    if source in (NameSource.LIST, NameSource.BOTH):
        schema = load_schema(ws.schema_path)
        listed = names_as_patterns(
            read_names(ws.names_path, labels=schema.names), blank(ws.language).tokenizer
        )
        have = {(p["label"], tuple(t["LOWER"] for t in p["pattern"])) for p in out.patterns}
        new = [
            p for p in listed if (p["label"], tuple(t["LOWER"] for t in p["pattern"])) not in have
        ]
        out.listed = len(listed)
        out.patterns += new
    return out


@writes_workspace("labels patterns")
def build_patterns(ws: Workspace, options: PatternsOptions = PatternsOptions()) -> PatternsReport:
    """Rebuild the gold part of ``labels/patterns.jsonl`` from the gold names of
    ``options.splits``; the user's own lines stay.

    Raises:
        LabelsError: no gold yet, a label not in labels.yml (the test split was refused when
            the options were made).
        InputError: the existing file has a malformed line or an unknown label.
    """
    splits, labels, min_count = options.splits, options.labels, options.min_count
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
    gold = workspace_gold_names(ws, splits)
    report = PatternsReport(ws.patterns_path, gold.articles, kept_from_user=len(user))
    if labels:
        chosen = set(labels)
    else:
        chosen, report.left_out_labels = gold.name_labels()
    generated = gold.patterns(chosen, min_count=min_count)
    for pattern in generated:
        report.per_label[pattern["label"]] = report.per_label.get(pattern["label"], 0) + 1
    atomic_write_jsonl(ws.patterns_path, [*user, *generated])
    return report
