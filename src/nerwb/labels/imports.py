"""``labels import``: existing annotations become corpus articles plus one annotator's labels."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from nerwb.corpus.model import RawArticle, article_id_for
from nerwb.corpus.splits import load_splits, pin_held_out, pin_split, save_splits
from nerwb.corpus.store import add_articles, load_articles
from nerwb.errors import ErrorKind, InputError, LabelsError
from nerwb.io import atomic_write_text
from nerwb.labels.annotations import (
    AnnotatedSegment,
    LabeledSpan,
    load_units,
    save_units,
    whole_article,
)
from nerwb.labels.formats import ImportFormat
from nerwb.labels.readers import ANNOTATION_READERS, read_annotated
from nerwb.labels.schema import check_label_name, load_schema, schema_text_with_labels
from nerwb.lock import writes_workspace
from nerwb.names import check_name
from nerwb.records.articles import Article, content_hash
from nerwb.workspace import Workspace


@dataclass(frozen=True)
class Replaced:
    """An article the annotator had labelled that this import gives other spans."""

    article_id: str
    origin: str  # the record in the imported file
    record_id: str | None  # the id the record gave, when it differs from the article's
    old_spans: int
    new_spans: int
    # the earlier record of the same file that this one replaces (the article is in it twice)
    earlier: str | None = None

    def describe(self) -> str:
        under = (
            f" (id {self.record_id!r} in the file; same text)"
            if self.record_id and self.record_id != self.article_id
            else ""
        )
        before = f"in {_where(self.earlier)} of the file" if self.earlier else "before"
        return (
            f"article {self.article_id!r}{under} from {self.origin}: "
            f"{self.old_spans} span(s) {before}, {self.new_spans} now"
        )


def _where(origin: str) -> str:
    """``"line 12"`` (or ``"doc3"``) of a record's ``path:line`` origin."""
    tail = origin.rsplit(":", 1)[-1]
    return f"line {tail}" if tail.isdigit() else tail


@dataclass
class ImportReport:
    articles: int = 0
    added_to_corpus: int = 0
    spans: int = 0
    per_label: dict[str, int] = field(default_factory=dict)
    labels_added: list[str] = field(default_factory=list)
    annotator_file: Path | None = None
    split: str | None = None
    kept_in_other_split: list[str] = field(
        default_factory=list
    )  # exact repeats of articles placed before
    # Imported as --split test while in train or dev: moved to test, so nothing trains on them.
    moved_to_test: list[str] = field(default_factory=list)
    # articles this annotator had labelled otherwise (only with ``replace``)
    replaced: list[Replaced] = field(default_factory=list)


@dataclass(frozen=True)
class ImportOptions:
    """What ``labels import`` reads (``path`` in format ``fmt``), as whose labels
    (``annotator``), pinned to which split (``split``; ``"test"``: a held-out set), and whether
    it may add labels to labels.yml (``add_labels``) or replace the annotator's other spans
    (``replace``). Checked once, when made: the format is an ``ImportFormat``, the annotator
    a name that can be a file name.

    Raises:
        LabelsError: an unknown format (kind ``BAD_SETTING``).
        InvalidNameError: ``annotator`` cannot be a file name (nerwb.names).
    """

    path: Path
    fmt: ImportFormat = ImportFormat.DOCCANO
    annotator: str = "import"
    split: str | None = None
    add_labels: bool = False
    replace: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        try:
            object.__setattr__(self, "fmt", ImportFormat(self.fmt))
        except ValueError:
            raise LabelsError(
                f"unknown format {self.fmt!r}; choose from {', '.join(ANNOTATION_READERS)}",
                kind=ErrorKind.BAD_SETTING,
                setting="fmt",
            ) from None
        check_name(self.annotator, what="annotator", setting="annotator")


@writes_workspace("labels import")
def import_annotations(ws: Workspace, options: ImportOptions) -> ImportReport:
    """Import ``options.path``: validate everything first, then write corpus, splits and
    annotations.

    With ``split="test"`` the file is a held-out set: documents of it that are in train or dev
    move to test (listed in ``moved_to_test``); re-run ``labels convert`` afterwards.

    Raises:
        InputError: the file is bad (line named), a span is out of range, or it uses labels that
            labels.yml lacks (named) and ``add_labels`` is off.
        SplitError: ``split`` is unknown, or pins a test article to train or dev.
        LabelsError: the annotator already labelled an article of the file (by id or by the
            same text under another id) with other spans, or the file holds one article twice
            with different spans (both lines named), and ``replace`` is off.
        SchemaError: ``add_labels`` with a label name labels.yml cannot take.

    Nothing is written unless every check passes: labels.yml, the corpus, the splits and the
    annotator's file are written only after the last check.
    """
    path, fmt, annotator, split = options.path, str(options.fmt), options.annotator, options.split
    add_labels, replace = options.add_labels, options.replace
    schema = load_schema(ws.schema_path, allow_empty=add_labels)
    raws = list(read_annotated(path, fmt, lang=ws.language))
    if not raws:
        raise InputError("no articles in the file", path=path)
    seen_labels: set[str] = set()
    for raw in raws:
        for start, end, label in raw.spans or []:
            if not (0 <= start < end <= len(raw.text)):
                problem = (
                    "ends before it starts"
                    if end < start
                    else "is empty"
                    if end == start
                    else "lies outside the text"
                )
                raise InputError(
                    f"span [{start}, {end}, {label!r}] {problem} (length {len(raw.text)}) of {raw.origin}",
                    path=path,
                )
            seen_labels.add(label)
    unknown = sorted(seen_labels - set(schema.names))
    report = ImportReport(split=split)
    if unknown:
        if not add_labels:
            raise InputError(
                f"labels not in {ws.schema_path.name}: {', '.join(unknown)}",
                path=path,
                kind=ErrorKind.UNKNOWN_LABELS,
            )
        for label in unknown:
            problem = check_label_name(label)
            if problem:
                raise InputError(
                    f"label {problem}, so it cannot be added to {ws.schema_path.name}; "
                    "rename it in the file",
                    path=path,
                )
        report.labels_added = unknown
        # checked now and written later: labels.yml keeps its comments (the labels go at its end)
        _, schema_text = schema_text_with_labels(ws.schema_path, unknown)
    splits = load_splits(ws.splits_path)
    if split and split != "test":
        # Check the pinning before anything is written: a test article must not move.
        known = {a.hash: a.id for a in load_articles(ws.articles_path)}
        planned = [
            raw.id or known.get(content_hash(raw.text)) or article_id_for(raw.text) for raw in raws
        ]
        pin_split(copy.deepcopy(splits), sorted(set(planned)), split, keep_existing=True)

    # The corpus's own checks (an id already used for another text) before anything is
    # written: a failed import leaves labels.yml, the corpus and the splits as they were.
    _, planned = add_articles(ws.articles_path, raws, dry_run=True)
    twice = _twice_in_file(raws, planned)
    if twice and not replace:
        listed = "; ".join(r.describe_twice() for r in twice[:5])
        more = f"; and {len(twice) - 5} more" if len(twice) > 5 else ""
        raise LabelsError(
            f"{path} holds {len(twice)} article(s) twice with different spans: {listed}{more}",
            kind=ErrorKind.TWICE_IN_FILE,
            path=path,
        )

    imports_path = ws.imports_dir / f"{annotator}.jsonl"
    existing = load_units(imports_path) if imports_path.exists() else {}
    report.replaced = _replacements(ws, raws, existing) + [t.as_replaced() for t in twice]
    if report.replaced and not replace:
        listed = "; ".join(r.describe() for r in report.replaced[:5])
        more = f"; and {len(report.replaced) - 5} more" if len(report.replaced) > 5 else ""
        raise LabelsError(
            f"{path}: annotator {annotator!r} already labelled {len(report.replaced)} article(s) "
            f"of this file with other spans: {listed}{more}",
            kind=ErrorKind.ALREADY_LABELLED,
            path=path,
        )

    if report.labels_added:
        atomic_write_text(ws.schema_path, schema_text)
    corpus, articles = add_articles(ws.articles_path, raws)
    report.added_to_corpus = len(corpus.added)
    ids = [a.id for a in articles]
    if split == "test":
        splits, report.moved_to_test = pin_held_out(splits, sorted(set(ids)))
        save_splits(ws.splits_path, splits)
    elif split:
        splits, report.kept_in_other_split = pin_split(
            splits, sorted(set(ids)), split, keep_existing=True
        )
        save_splits(ws.splits_path, splits)
    for raw, article in zip(raws, articles, strict=True):
        spans = sorted({LabeledSpan(s, e, lab) for s, e, lab in raw.spans or []})
        existing[article.id] = whole_article(article.id, article.text, spans)
    for article in existing.values():
        for span in article.spans:
            report.per_label[span.label] = report.per_label.get(span.label, 0) + 1
    report.articles = len(set(ids))
    report.spans = sum(len(existing[i].spans) for i in set(ids))
    save_units(imports_path, list(existing.values()))
    report.annotator_file = imports_path
    return report


@dataclass(frozen=True)
class TwiceInFile:
    """One article that two records of the imported file give different spans."""

    article_id: str
    first: RawArticle
    later: RawArticle

    def describe_twice(self) -> str:
        ids = (self.first.id, self.later.id)
        if ids[0] and ids[0] == ids[1]:
            how = "the same id"
        elif all(ids):
            how = f"the same text under ids {ids[0]!r} and {ids[1]!r}"
        else:
            how = "the same text"
        return (
            f"article {self.article_id!r} ({how}) at {_where(self.first.origin)} with "
            f"{len(self.first.spans or [])} span(s) and at {_where(self.later.origin)} with "
            f"{len(self.later.spans or [])}"
        )

    def as_replaced(self) -> Replaced:
        return Replaced(
            self.article_id,
            self.later.origin,
            self.later.id,
            len(self.first.spans or []),
            len(self.later.spans or []),
            earlier=self.first.origin,
        )


def _span_set(raw: RawArticle) -> set[LabeledSpan]:
    return {LabeledSpan(s, e, lab) for s, e, lab in raw.spans or []}


def _twice_in_file(raws: list[RawArticle], planned: list[Article]) -> list[TwiceInFile]:
    """Records of one file that land on one article (same id, or same text under another id,
    as ``add_articles`` resolves them) with different spans; the last record would win."""
    first: dict[str, RawArticle] = {}
    found = []
    for raw, article in zip(raws, planned, strict=True):
        earlier = first.setdefault(article.id, raw)
        if earlier is not raw and _span_set(earlier) != _span_set(raw):
            found.append(TwiceInFile(article.id, earlier, raw))
    return found


def _replacements(
    ws: Workspace, raws: list, existing: dict[str, AnnotatedSegment]
) -> list[Replaced]:
    """The records that would change spans the annotator already has, found before any write.

    A record lands on a stored article by its id, or (another id, same text) by its text: as
    ``add_articles`` resolves it.
    """
    if not existing:
        return []
    stored = load_articles(ws.articles_path)
    by_id = {a.id for a in stored}
    by_hash = {a.hash: a.id for a in stored}
    held: dict[str, set[LabeledSpan]] = {}
    for unit in existing.values():
        held.setdefault(unit.article_id, set()).update(unit.spans)
    found = []
    for raw in raws:
        target = raw.id or article_id_for(raw.text)
        if target not in by_id:
            target = by_hash.get(content_hash(raw.text), target)
        new = {LabeledSpan(s, e, lab) for s, e, lab in raw.spans or []}
        if target in held and held[target] != new:
            found.append(Replaced(target, raw.origin, raw.id, len(held[target]), len(new)))
    return found
