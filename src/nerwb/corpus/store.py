"""``corpus/articles.jsonl``: the articles of a workspace, with stable ids and no exact duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nerwb.corpus.model import RawArticle, article_id_for
from nerwb.errors import InputError
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.articles import Article, SkippedDuplicate, content_hash
from nerwb.records.lines import write_lines


@dataclass
class DuplicateSkipped:
    origin: str
    duplicate_of: str


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)  # same id and text as before
    duplicates: list[DuplicateSkipped] = field(default_factory=list)  # same text, other origin
    with_spans: int = 0  # input records that carried labels (kept only by `labels import`)


def load_articles(path: Path) -> list[Article]:
    """All articles in ``path`` (none if the file does not exist yet)."""
    return list(iter_articles(path))


def iter_articles(path: Path) -> Iterator[Article]:
    """The articles in ``path`` one at a time, read line by line (none if it does not exist)."""
    if not path.exists():
        return
    for _, article in Article.read(path):
        yield article


def add_articles(
    path: Path,
    raw: Iterable[RawArticle],
    *,
    on_progress: OnProgress | None = None,
    dry_run: bool = False,
) -> tuple[AddReport, list[Article]]:
    """Add ``raw`` articles to the store at ``path``, skipping exact duplicates.

    The whole input is read and checked before the store is rewritten (temp file, then rename),
    so a bad record anywhere leaves the store as it was. Adding the same input twice changes
    nothing. With ``dry_run`` nothing is written: the checks and the answer only, for a caller
    that must know the input is good before it writes files of its own.

    Returns:
        The report and the stored ``Article`` for every input record (existing ones for
        duplicates), in input order, so that callers can attach spans to them.

    Raises:
        InputError: an input id already names an article with a different text.
    """
    articles = load_articles(path)
    by_id = {a.id: a for a in articles}
    stored = set(by_id)  # to tell the corpus from what this input read before
    by_hash = {a.hash: a for a in articles}
    report = AddReport()
    resolved: list[Article] = []
    read = 0
    for item in raw:
        read += 1
        emit(
            on_progress,
            ProgressEvent("Reading", read, None, "article", item=str(item.origin)),
        )
        if item.spans is not None:
            report.with_spans += 1
        digest = content_hash(item.text)
        article_id = item.id or article_id_for(item.text)
        existing = by_id.get(article_id)
        if existing is not None:
            if existing.hash != digest:
                where = (
                    "is already in the corpus"
                    if article_id in stored
                    else "was read before, in this same input,"
                )
                raise InputError(
                    f"article id {article_id!r} {where} with a different text "
                    f"(first from {existing.origin}); give this article another id",
                    path=item.origin.rsplit(":", 1)[0] if ":" in item.origin else item.origin,
                    line=int(item.origin.rsplit(":", 1)[1])
                    if item.origin.rsplit(":", 1)[-1].isdigit()
                    else None,
                )
            if existing.origin == item.origin:
                report.already_present.append(article_id)
            else:  # the same text again from elsewhere: a wire copy or a re-export
                report.duplicates.append(DuplicateSkipped(item.origin, existing.id))
            resolved.append(existing)
            continue
        twin = by_hash.get(digest)
        if twin is not None:
            report.duplicates.append(DuplicateSkipped(item.origin, twin.id))
            resolved.append(twin)
            continue
        article = Article(
            id=article_id,
            text=item.text,
            title=item.title,
            url=item.url,
            date=item.date,
            source=item.source,
            meta=item.meta,
            origin=item.origin,
            hash=digest,
        )
        articles.append(article)
        by_id[article.id] = by_hash[digest] = article
        report.added.append(article.id)
        resolved.append(article)
    if dry_run:
        return report, resolved
    if report.added:
        write_lines(path, articles)
    if report.duplicates:
        _log_duplicates(duplicates_log(path), report.duplicates)
    return report, resolved


def duplicates_log(articles_path: Path) -> Path:
    """Where skipped exact duplicates are recorded, for ``corpus stats``."""
    return articles_path.with_name("duplicates.jsonl")


def load_skipped_duplicates(path: Path) -> list[SkippedDuplicate]:
    """The inputs ``add_articles`` skipped as exact duplicates (none if it never skipped one)."""
    return [line for _, line in SkippedDuplicate.read(path)] if path.exists() else []


def _log_duplicates(path: Path, found: list[DuplicateSkipped]) -> None:
    known = {d.origin: d for d in load_skipped_duplicates(path)}
    for dup in found:
        known.setdefault(
            dup.origin, SkippedDuplicate(origin=dup.origin, duplicate_of=dup.duplicate_of)
        )
    write_lines(path, known.values())
