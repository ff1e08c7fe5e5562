"""``corpus/articles.jsonl``: the articles of a workspace, with stable ids and no exact duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from nerwb.corpus.model import Article, RawArticle, article_id_for, content_hash
from nerwb.errors import InputError
from nerwb.io import atomic_write_jsonl, check_utf8, iter_jsonl, parse_jsonl_line, stream_lines
from nerwb.progress import OnProgress, ProgressEvent, emit


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
    check_utf8(path)
    for line, text in enumerate(stream_lines(path), start=1):
        if not text.strip():
            continue
        record = parse_jsonl_line(text, path, line)
        try:
            yield Article.model_validate(record)
        except ValidationError as err:
            raise InputError(
                f"not an article record ({err.errors()[0]['msg']})", path=path, line=line
            ) from None


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
        atomic_write_jsonl(path, (a.model_dump(exclude_defaults=False) for a in articles))
    if report.duplicates:
        _log_duplicates(duplicates_log(path), report.duplicates)
    return report, resolved


def duplicates_log(articles_path: Path) -> Path:
    """Where skipped exact duplicates are recorded, for ``corpus stats``."""
    return articles_path.with_name("duplicates.jsonl")


def _log_duplicates(path: Path, found: list[DuplicateSkipped]) -> None:
    known = {r["origin"]: r for _, r in iter_jsonl(path)} if path.exists() else {}
    for dup in found:
        known.setdefault(dup.origin, {"origin": dup.origin, "duplicate_of": dup.duplicate_of})
    atomic_write_jsonl(path, known.values())
