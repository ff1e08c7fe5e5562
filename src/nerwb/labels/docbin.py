"""Gold annotations to spaCy DocBins, one per split, without dropping anything silently.

Every span is accounted for: written as it is, changed by a policy (then written), or skipped
by a policy; the report lists each change and skip, and per label ``in == written + changed +
skipped`` holds by construction and is checked before anything is written.

Only gold text goes in: text nobody confirmed must never become "no entity here". An article
that is all gold is one ``Doc``; one that is partly gold goes in as its gold pieces, each a
``Doc`` carrying its article id and offset. The report counts what was left out and why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from nerwb.choices import SPLIT_NAMES
from nerwb.corpus.splits import Splits, load_splits
from nerwb.errors import ErrorKind, LabelsError
from nerwb.io import atomic_write_bytes
from nerwb.labels.annotations import AnnotatedArticle, LabeledSpan, context, load_annotated
from nerwb.labels.policies import ConvertOptions, MisalignedPolicy, OverlapPolicy, SpanPolicies
from nerwb.lock import workspace_lock
from nerwb.progress import OnProgress
from nerwb.records.conversion import ConversionRecord, LeftOut
from nerwb.text import blank
from nerwb.workspace import Workspace


@dataclass
class LabelCounts:
    spans_in: int = 0
    written: int = 0  # unchanged
    changed: int = 0  # written after a policy moved its boundaries
    skipped: int = 0

    @property
    def reconciles(self) -> bool:
        return self.spans_in == self.written + self.changed + self.skipped


@dataclass
class ConversionReport:
    per_split: dict[str, dict[str, LabelCounts]] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=dict)
    events: list[ConversionEvent] = field(default_factory=list)  # each change or skip
    unsplit_articles: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    # per split: whole articles, gold pieces of partly gold articles
    whole_articles: dict[str, int] = field(default_factory=dict)
    pieces: dict[str, int] = field(default_factory=dict)
    # per split and reason ("unconfirmed", "no annotator"): what was left out
    left_out: dict[str, dict[str, LeftOut]] = field(default_factory=dict)
    on_misaligned: MisalignedPolicy = MisalignedPolicy.ERROR  # the policies it ran with
    on_overlap: OverlapPolicy = OverlapPolicy.ERROR
    sha256: dict[str, str] = field(default_factory=dict)  # per split: of the DocBin written

    def leave_out(
        self,
        split: str,
        reason: str,
        *,
        segments: int = 0,
        articles: int = 0,
        spans: int = 0,
        chars: int = 0,
    ) -> None:
        entry = self.left_out.setdefault(split, {}).setdefault(reason, LeftOut())
        entry.articles += articles
        entry.segments += segments
        entry.spans += spans
        entry.chars += chars

    def counts(self, split: str, label: str) -> LabelCounts:
        return self.per_split.setdefault(split, {}).setdefault(label, LabelCounts())

    def add(self, split: str, found: ArticleConversion) -> None:
        """Count one converted article (or piece) into ``split``."""
        for label, c in found.counts.items():
            mine = self.counts(split, label)
            mine.spans_in += c.spans_in
            mine.written += c.written
            mine.changed += c.changed
            mine.skipped += c.skipped
        self.events.extend(found.events)

    def totals(self) -> dict[str, LabelCounts]:
        out: dict[str, LabelCounts] = {}
        for by_label in self.per_split.values():
            for label, c in by_label.items():
                t = out.setdefault(label, LabelCounts())
                t.spans_in += c.spans_in
                t.written += c.written
                t.changed += c.changed
                t.skipped += c.skipped
        return out


@dataclass(frozen=True)
class ConversionEvent:
    """One span a policy changed or skipped, in article offsets, with its context."""

    split: str
    article_id: str
    kind: str  # "misaligned" or "overlap"
    action: str  # "skipped", or the alignment mode that moved it
    span: tuple[int, int, str]
    text: str
    context: str
    new_span: tuple[int, int, str] | None = None
    new_text: str | None = None

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "split": self.split,
            "article_id": self.article_id,
            "kind": self.kind,
            "action": self.action,
            "span": list(self.span),
            "text": self.text,
            "context": self.context,
        }
        if self.new_span is not None:
            record["new_span"] = list(self.new_span)
            record["new_text"] = self.new_text
        return record


@dataclass
class ArticleConversion:
    """What converting one article (or gold piece) produced: its ``Doc``, per-label counts and
    the changes and skips. The caller adds it to a ``ConversionReport``."""

    doc: Doc
    counts: dict[str, LabelCounts] = field(default_factory=dict)
    events: list[ConversionEvent] = field(default_factory=list)

    def count(self, label: str) -> LabelCounts:
        return self.counts.setdefault(label, LabelCounts())


# (spaCy span, the gold span it came from, moved by a policy?)
Aligned = tuple[Span, LabeledSpan, bool]


def _check_in_text(article: AnnotatedArticle, span: LabeledSpan) -> None:
    text = article.text
    if 0 <= span.start < span.end <= len(text):
        return
    problem = (
        "ends before it starts"
        if span.end < span.start
        else "is empty"
        if span.end == span.start
        else "lies outside the text"
    )
    raise LabelsError(
        f"article {article.article_id!r}: span [{span.start}, {span.end}, {span.label}] "
        f"{problem} (length {len(text)})",
        kind=ErrorKind.BAD_INPUT,
    )


def _align(
    doc: Doc,
    article: AnnotatedArticle,
    on_misaligned: MisalignedPolicy,
    offset: int,
    found: ArticleConversion,
    event: Callable[..., ConversionEvent],
) -> list[Aligned]:
    """Each span on token boundaries: as it is, or moved or skipped by ``on_misaligned``."""
    text = article.text
    aligned: list[Aligned] = []
    for span in sorted(article.spans):
        found.count(span.label).spans_in += 1
        _check_in_text(article, span)
        exact = doc.char_span(span.start, span.end, label=span.label)
        if exact is not None and len(exact):
            aligned.append((exact, span, False))
            continue
        if on_misaligned == "error":
            raise LabelsError(
                f"article {article.article_id!r}: span [{span.start + offset}, {span.end + offset}, {span.label}] "
                f"{text[span.start : span.end]!r} is not on token boundaries "
                f"({context(text, span.start, span.end)})",
                kind=ErrorKind.MISALIGNED_SPAN,
                setting="on_misaligned",
            )
        moved = None
        if on_misaligned in ("expand", "contract"):
            moved = doc.char_span(
                span.start, span.end, label=span.label, alignment_mode=on_misaligned.value
            )
        if moved is None or not len(moved):
            found.count(span.label).skipped += 1
            found.events.append(event("misaligned", span, "skipped"))
            continue
        aligned.append((moved, span, True))
        found.events.append(event("misaligned", span, str(on_misaligned), moved))
    return aligned


def _resolve_overlaps(
    aligned: list[Aligned],
    article: AnnotatedArticle,
    on_overlap: OverlapPolicy,
    offset: int,
    found: ArticleConversion,
    event: Callable[..., ConversionEvent],
) -> list[Span]:
    """The spans that stay once ``on_overlap`` has settled every overlap; counts each span."""
    aligned.sort(key=lambda item: (item[0].start, -len(item[0])))
    overlapping = set()
    for i, (a, _, _) in enumerate(aligned):
        for b, _, _ in aligned[i + 1 :]:
            if b.start < a.end:
                overlapping.update({(a.start, a.end, a.label_), (b.start, b.end, b.label_)})
    if overlapping and on_overlap == "error":
        first = next(
            item for item in aligned if (item[0].start, item[0].end, item[0].label_) in overlapping
        )
        raise LabelsError(
            f"article {article.article_id!r}: span [{first[1].start + offset}, {first[1].end + offset}, {first[1].label}] "
            f"{first[0].text!r} overlaps another span",
            kind=ErrorKind.OVERLAPPING_SPAN,
            setting="on_overlap",
        )
    if on_overlap == "longest":
        winners = {(s.start, s.end, s.label_) for s in filter_spans([item[0] for item in aligned])}
    else:
        winners = {(s.start, s.end, s.label_) for s, _, _ in aligned} - overlapping
    keep: list[Span] = []
    for span, original, changed in aligned:
        key = (span.start, span.end, span.label_)
        if key in winners:
            winners.discard(key)  # a duplicate after expansion counts once
            keep.append(span)
            counts = found.count(original.label)
            if changed:
                counts.changed += 1
            else:
                counts.written += 1
        else:
            found.count(original.label).skipped += 1
            found.events.append(event("overlap", original, "skipped"))
    return keep


def article_doc(
    article: AnnotatedArticle,
    *,
    lang: str,
    split: str,
    policies: SpanPolicies,
    offset: int = 0,
) -> ArticleConversion:
    """One article (or, with ``offset``, a gold piece of one) as a ``Doc`` whose ``ents`` are
    its gold spans, policies applied, with what the policies changed or skipped. Events and
    errors give article offsets."""
    misaligned, overlap = policies.on_misaligned, policies.on_overlap
    doc = blank(lang).make_doc(article.text)
    text = article.text
    found = ArticleConversion(doc)

    def event(
        kind: str, span: LabeledSpan, action: str, new: Span | None = None
    ) -> ConversionEvent:
        return ConversionEvent(
            split=split,
            article_id=article.article_id,
            kind=kind,
            action=action,
            span=(span.start + offset, span.end + offset, span.label),
            text=text[span.start : span.end],
            context=context(text, span.start, span.end),
            new_span=None
            if new is None
            else (new.start_char + offset, new.end_char + offset, span.label),
            new_text=None if new is None else new.text,
        )

    aligned = _align(doc, article, misaligned, offset, found, event)
    doc.ents = _resolve_overlaps(aligned, article, overlap, offset, found, event)
    doc.user_data["nerwb_article_id"] = article.article_id
    doc.user_data["nerwb_lang"] = lang
    doc.user_data["nerwb_split"] = split
    doc.user_data["nerwb_offset"] = offset
    return found


def gold_pieces(
    article: AnnotatedArticle,
) -> tuple[list[tuple[int, AnnotatedArticle]], list[LabeledSpan]]:
    """``(offset, piece)`` for each gold piece of ``article`` (one, the article itself, when it is
    all gold), and the spans that lie in no piece (none unless gold was edited by hand)."""
    if article.gold_ranges is None or article.fully_gold:
        return [(0, article)], []
    pieces, placed = [], set()
    for start, end in article.gold_pieces():
        inside = [s for s in article.spans if start <= s.start and s.end <= end]
        placed.update(inside)
        piece = AnnotatedArticle(
            article.article_id, article.text[start:end], [s.shifted(-start) for s in inside]
        )
        pieces.append((start, piece))
    return pieces, [s for s in article.spans if s not in placed]


def _count_left_out(article: AnnotatedArticle, split: str, report: ConversionReport) -> None:
    unconfirmed = article.left_out
    if unconfirmed:
        report.leave_out(
            split,
            "unconfirmed",
            # an article counts as left out when none of it was confirmed, not for each piece
            articles=0 if article.gold_pieces() else 1,
            segments=len(unconfirmed),
            spans=sum(u.spans for u in unconfirmed),
            chars=sum(u.end - u.start for u in unconfirmed),
        )
    # Text that is neither gold nor a segment someone had: nobody was given it.
    covered = [(u.start, u.end) for u in unconfirmed]
    covered += article.gold_pieces() if article.gold_ranges is not None else []
    position, bare = 0, 0
    for start, end in sorted(covered):
        bare += len(article.text[position:start].strip()) if start > position else 0
        position = max(position, end)
    bare += len(article.text[position:].strip())
    if bare and article.gold_ranges is not None:
        report.leave_out(split, "no annotator", chars=bare)


def to_docbins(
    gold: list[AnnotatedArticle],
    splits: Splits,
    out_dir: Path,
    *,
    lang: str,
    policies: SpanPolicies = SpanPolicies(),
) -> ConversionReport:
    """Write ``train.spacy``, ``dev.spacy`` and ``test.spacy`` in ``out_dir``.

    Articles go only to their own split, so test articles never reach train or dev. Nothing is
    written unless the whole conversion succeeds and every label's counts reconcile.

    Raises:
        LabelsError: a policy is ``error`` and a span needs it.
    """
    report = ConversionReport(on_misaligned=policies.on_misaligned, on_overlap=policies.on_overlap)
    bins = {name: DocBin(store_user_data=True) for name in SPLIT_NAMES}
    for article in sorted(gold, key=lambda a: a.article_id):
        split = splits.assignments.get(article.article_id)
        if split is None:
            report.unsplit_articles.append(article.article_id)
            continue
        _count_left_out(article, split, report)
        pieces, stray = gold_pieces(article)
        for span in stray:  # only a hand-edited gold file can have these: never drop them silently
            raise LabelsError(
                f"article {article.article_id!r}: gold span [{span.start}, {span.end}, {span.label}] "
                "lies outside the article's gold_ranges; fix labels/gold/gold.jsonl or merge again",
                kind=ErrorKind.BAD_INPUT,
            )
        for offset, piece in pieces:
            found = article_doc(
                piece,
                lang=lang,
                split=split,
                policies=policies,
                offset=offset,
            )
            report.add(split, found)
            bins[split].add(found.doc)
            report.docs[split] = report.docs.get(split, 0) + 1
        if not pieces:
            continue  # nothing of it confirmed: counted as left out above
        whole = pieces[0][1] is article
        counter = report.whole_articles if whole else report.pieces
        counter[split] = counter.get(split, 0) + len(pieces)
    gold_ids = {a.article_id for a in gold}
    for article_id, split in splits.assignments.items():
        if article_id not in gold_ids:
            report.leave_out(split, "no annotator", articles=1)
    broken = [
        (s, lab) for s, by in report.per_split.items() for lab, c in by.items() if not c.reconciles
    ]
    if broken:  # cannot happen unless this module has a bug: refuse to write rather than lose spans
        raise LabelsError(f"span counts do not reconcile for {broken}", kind=ErrorKind.RUN_FAILED)
    for name, doc_bin in bins.items():
        path = out_dir / f"{name}.spacy"
        data = doc_bin.to_bytes()
        atomic_write_bytes(path, data)
        report.sha256[name] = hashlib.sha256(data).hexdigest()
        report.paths[name] = path
    return report


def convert_workspace(
    ws: Workspace,
    options: ConvertOptions = ConvertOptions(),
    *,
    on_progress: OnProgress | None = None,
) -> ConversionReport:
    """``labels convert``: gold + splits to ``labels/{train,dev,test}.spacy`` and
    ``labels/conversion-report.json``, under the workspace lock (``on_progress`` hears of a
    wait for it).

    Raises:
        LabelsError: no splits or no gold yet, or a policy is ``error`` and a span needs it.
        WorkspaceBusyError: another command held the lock past ``options.lock_wait``.
    """
    with workspace_lock(ws, "labels convert", wait=options.lock_wait, on_wait=on_progress):
        return _convert_workspace(ws, options)


def _convert_workspace(ws: Workspace, policies: SpanPolicies) -> ConversionReport:
    splits = load_splits(ws.splits_path)
    if splits is None:
        raise LabelsError(
            f"{ws.splits_path}: no splits yet", kind=ErrorKind.NO_SPLITS, path=ws.splits_path
        )
    if not ws.gold_path.exists():
        raise LabelsError(
            f"{ws.gold_path}: no gold yet", kind=ErrorKind.NOT_MERGED, path=ws.gold_path
        )
    gold = list(load_annotated(ws.gold_path).values())
    report = to_docbins(
        gold,
        splits,
        ws.labels_dir,
        lang=ws.language,
        policies=policies,
    )
    save_conversion_report(report, ws.conversion_report_path)
    return report


def save_conversion_report(report: ConversionReport, path: Path) -> None:
    ConversionRecord(
        on_misaligned=report.on_misaligned,
        on_overlap=report.on_overlap,
        docs=report.docs,
        per_split={
            s: {lab: asdict(c) for lab, c in by.items()} for s, by in report.per_split.items()
        },
        totals={lab: asdict(c) for lab, c in report.totals().items()},
        whole_articles=report.whole_articles,
        gold_pieces=report.pieces,
        left_out=report.left_out,
        events=[e.to_json() for e in report.events],
        unsplit_articles=report.unsplit_articles,
        files=report.sha256,
    ).save(path)
