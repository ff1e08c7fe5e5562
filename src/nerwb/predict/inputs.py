"""What ``nerwb predict`` reads: files through the corpus readers, or the workspace corpus.

Every input becomes an ``InputArticle`` with the id the corpus would give it
(``article_id_for`` when the input has none), so predictions join back to ``corpus add``.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nerwb.choices import OnError
from nerwb.corpus.model import RawArticle, article_id_for
from nerwb.corpus.readers import ReadOptions, read_file_tolerant, select_files
from nerwb.corpus.splits import load_splits
from nerwb.corpus.store import iter_articles
from nerwb.errors import ErrorKind, InputError, PredictError
from nerwb.predict.idbook import IdBook, text_digest
from nerwb.workspace import Workspace


@dataclass
class InputArticle:
    """One article to predict on, with the metadata that goes into its output record."""

    id: str
    text: str
    origin: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    repeated: bool = False  # its id was read before, with the same text: predicted once

    @classmethod
    def from_raw(cls, raw: RawArticle) -> InputArticle:
        return cls(
            id=raw.id or article_id_for(raw.text),
            text=raw.text,
            origin=raw.origin,
            title=raw.title,
            url=raw.url,
            date=raw.date,
            source=raw.source,
            meta=raw.meta,
        )


@dataclass(frozen=True)
class BadRecord:
    """An input record left out under ``--on-error skip``."""

    file: str
    line: int | None
    error: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "error": self.error}


@dataclass(frozen=True)
class InputSource:
    """Where the articles come from: files and folders, or the workspace corpus (one split or all)."""

    paths: tuple[Path, ...] = ()
    options: ReadOptions = field(default_factory=ReadOptions)
    workspace: Workspace | None = None  # set: read the workspace corpus instead of paths
    split: str | None = None

    def files(self) -> list[Path]:
        """Every file to read, checked before any is read (a missing path fails the run)."""
        if self.workspace is not None:
            return [self.workspace.articles_path]
        if not self.paths:
            raise PredictError("no input files or folders", kind=ErrorKind.INPUTS_OR_CORPUS)
        selection = select_files([Path(p) for p in self.paths])
        if not selection.files and (note := selection.ignored_note()):
            raise PredictError(
                f"no article to predict in {', '.join(map(str, self.paths))}: {note}",
                kind=ErrorKind.NOTHING_TO_DO,
            )
        return selection.files

    def fingerprint(self) -> str:
        """sha256 over every input file's path and bytes and the read settings: a resumed run
        must read exactly what the interrupted one read."""
        digest = hashlib.sha256()
        digest.update(repr((self.options, self.split)).encode())
        files = self.files()
        if self.workspace is not None and self.split is not None:
            files.append(self.workspace.splits_path)
        for file in files:
            digest.update(str(file.resolve()).encode() + b"\0")
            try:
                with file.open("rb") as fh:  # in blocks: inputs can be larger than memory
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        digest.update(block)
            except OSError:
                digest.update(b"<unreadable>")  # reported as a bad record when read
            digest.update(b"\0")
        return digest.hexdigest()

    def items(self) -> Iterator[InputArticle | InputError]:
        """Every record in input order, read as it goes, a bad one as its ``InputError``;
        no check across records (see ``checked``)."""
        if self.workspace is not None:
            yield from self._read_corpus()
            return
        for file in self.files():
            for item in read_file_tolerant(file, self.options):
                yield item if isinstance(item, InputError) else InputArticle.from_raw(item)

    def checked(
        self, *, on_error: OnError, bad: list[BadRecord], book: IdBook
    ) -> Iterator[InputArticle | None]:
        """One element per element of ``items``: the article (``repeated`` set when its id was
        read before with the same text), or ``None`` for a bad record listed in ``bad``
        (``skip``). ``book`` remembers the ids on disk, so memory does not grow with the input.

        Raises:
            PredictError: a bad record under ``OnError.FAIL``, or a split with no articles.
        """
        for item in self.items():
            if isinstance(item, InputArticle) and self.workspace is None:
                item = _same_id_other_text(item, book) or item
            if isinstance(item, InputError):
                if on_error is OnError.FAIL:
                    raise PredictError(
                        str(item), kind=ErrorKind.BAD_RECORD, path=item.path, setting="on_error"
                    )
                bad.append(BadRecord(str(item.path or "?"), item.line, str(item)))
                yield None
                continue
            yield item

    def read(
        self, *, on_error: OnError, bad: list[BadRecord], book: IdBook | None = None
    ) -> Iterator[InputArticle]:
        """The articles in input order; bad records raise (``fail``) or go into ``bad`` (``skip``).

        An id repeated with the same text is the same article (``repeated``: predicted once,
        downstream); an id repeated with another text is a bad record, as ``corpus add``
        refuses it: it is never merged away with the first.

        Raises:
            PredictError: a bad record under ``OnError.FAIL``, or a split with no articles.
        """
        with contextlib.ExitStack() as stack:
            if book is None:
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="nerwb-ids-"))
                book = stack.enter_context(IdBook(Path(folder) / "ids.sqlite"))
            for article in self.checked(on_error=on_error, bad=bad, book=book):
                if article is not None:
                    yield article

    def _read_corpus(self) -> Iterator[InputArticle]:  # the corpus holds each id once
        ws = self.workspace
        assert ws is not None
        keep: set[str] | None = None
        if self.split is not None:
            splits = load_splits(ws.splits_path)
            if splits is None:
                raise PredictError(
                    f"no {ws.splits_path}",
                    kind=ErrorKind.NO_SPLITS,
                    path=ws.splits_path,
                    setting="split",
                )
            keep = splits.ids(self.split)
        empty = True
        for article in iter_articles(ws.articles_path):
            empty = False
            if keep is not None and article.id not in keep:
                continue
            yield InputArticle(
                id=article.id,
                text=article.text,
                origin=article.origin,
                title=article.title,
                url=article.url,
                date=article.date,
                source=article.source,
                meta=article.meta,
            )
        if empty:
            raise PredictError(
                f"{ws.articles_path} holds no articles",
                kind=ErrorKind.NO_ARTICLES,
                path=ws.articles_path,
            )


def _same_id_other_text(article: InputArticle, book: IdBook) -> InputError | None:
    """An error when ``article``'s id was read before with a different text; else records it
    (and marks it ``repeated`` when it was read before with this text)."""
    seen = book.first_read(article.id, text_digest(article.text), article.origin)
    if seen is None:
        return None
    if seen[0] == text_digest(article.text):
        article.repeated = True
        return None
    file, _, line = article.origin.rpartition(":")
    return InputError(
        f"article id {article.id!r} was already read with a different text (at {seen[1]}); "
        "give each article its own id, or leave the id column out to key articles by their text",
        path=file if line.isdigit() else article.origin,
        line=int(line) if line.isdigit() else None,
    )
