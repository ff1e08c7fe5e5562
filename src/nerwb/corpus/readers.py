"""One reader per input format; ``READERS`` picks one by file extension.

Every reader normalises its input to ``RawArticle`` records, so adding a format is one function.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any, ClassVar

from nerwb.corpus.model import RawArticle
from nerwb.errors import ErrorKind, InputError
from nerwb.io import (
    MAX_NESTING,
    check_utf8,
    iter_jsonl,
    parse_jsonl_line,
    read_text,
    stream_lines,
)
from nerwb.workspace import CONFIG_NAME

ARTICLE_FIELDS = ("id", "title", "url", "date", "source")
# Keys of a Doccano export that are annotations or Doccano bookkeeping, not article metadata.
ANNOTATION_KEYS = ("label", "entities", "Comments", "text")


@dataclass(frozen=True)
class ReadOptions:
    text_col: str = "text"
    id_col: str = "id"
    title_col: str = "title"


def _require_text(text: object, path: Path, line: int | None = None, field: str = "text") -> str:
    if not isinstance(text, str):
        raise InputError(f"field {field!r} is missing or not a string", path=path, line=line)
    if not text.strip():
        raise InputError(f"field {field!r} is empty or whitespace only", path=path, line=line)
    return text


TITLE_MAX_CHARS = 200  # a first "line" can be a whole unwrapped paragraph


def _first_line_title(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            title = " ".join(line.split())
            return title if len(title) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS] + "…"
    return None


def read_txt(path: Path, options: ReadOptions) -> Iterator[RawArticle]:
    text = _require_text(read_text(path), path, field="file text")
    title = _first_line_title(text) or path.stem
    yield RawArticle(text=text.strip("\n"), origin=str(path), title=title)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def read_md(path: Path, options: ReadOptions) -> Iterator[RawArticle]:
    text = _require_text(read_text(path), path, field="file text")
    title = None
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            title = match.group(1)
            break
        if line.strip():
            break
    yield RawArticle(text=text.strip("\n"), origin=str(path), title=title or path.stem)


class _ArticleText(HTMLParser):
    """Collects the visible text of an article body, one paragraph per block element."""

    SKIP: ClassVar[set[str]] = {
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "aside",
        "noscript",
        "form",
        "template",
    }
    BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "section",
        "article",
        "main",
        "ul",
        "ol",
        "table",
        "pre",
        "figcaption",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self.depth = {"article": 0, "main": 0, "body": 0}
        self.skipping = 0
        self.title: list[str] = []
        self.h1: list[str] = []
        self.in_title = False
        self.in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        if tag in self.depth:
            self.depth[tag] += 1
        self.in_title = self.in_title or tag == "title"
        self.in_h1 = self.in_h1 or tag == "h1"
        if tag in self.BLOCK:
            self._emit("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag in self.BLOCK:
            self._emit("\n\n")
        if self.depth.get(tag):
            self.depth[tag] -= 1
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.skipping:
            return
        if self.in_h1:
            self.h1.append(data)
        self._emit(data)

    def _emit(self, data: str) -> None:
        if self.skipping:
            return
        for container in ("article", "main", "body"):
            if self.depth[container] or container == "body":
                self.parts[container].append(data)

    def text(self) -> str:
        # The most specific container that has text wins: <article>, then <main>, then all.
        for container in ("article", "main", "body"):
            raw = "".join(self.parts[container])
            paragraphs = [re.sub(r"[ \t\r\n]+", " ", p).strip() for p in re.split(r"\n\s*\n", raw)]
            text = "\n\n".join(p for p in paragraphs if p)
            if text:
                return text
        return ""


def read_html(path: Path, options: ReadOptions) -> Iterator[RawArticle]:
    parser = _ArticleText()
    parser.feed(read_text(path))
    parser.close()
    text = _require_text(parser.text(), path, field="article body text")
    title = " ".join("".join(parser.h1 or parser.title).split()) or path.stem
    yield RawArticle(text=text, origin=str(path), title=title)


def _spans_of(record: dict, path: Path, line: int) -> list[tuple[int, int, str]] | None:
    raw = record.get("label", record.get("entities"))
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InputError("`label` must be a list of [start, end, LABEL]", path=path, line=line)
    spans = []
    for item in raw:
        if isinstance(item, dict):  # Doccano's span export: {"start_offset", "end_offset", "label"}
            item = [item.get("start_offset"), item.get("end_offset"), item.get("label")]
        if (
            not isinstance(item, list | tuple)
            or len(item) != 3
            or not isinstance(item[0], int)
            or not isinstance(item[1], int)
            or not isinstance(item[2], str)
        ):
            raise InputError(f"span {item!r} is not [start, end, LABEL]", path=path, line=line)
        spans.append((item[0], item[1], item[2]))
    return spans


def _jsonl_article(record: dict, path: Path, line: int, options: ReadOptions) -> RawArticle:
    text = _require_text(record.get(options.text_col), path, line, options.text_col)
    fields = {}
    for name in ARTICLE_FIELDS:
        value = record.get(name)
        fields[name] = None if value is None else str(value)
    # A record's own ``meta`` object is the article's metadata (Doccano exports write one);
    # other unknown fields join it.
    own = record.get("meta")
    meta = dict(own) if isinstance(own, dict) else {}
    meta.update(
        (k, v)
        for k, v in record.items()
        if k not in ARTICLE_FIELDS
        and k not in ANNOTATION_KEYS
        and k != options.text_col
        and not (k == "meta" and isinstance(v, dict))
    )
    return RawArticle(
        text=text,
        origin=f"{path}:{line}",
        meta=meta,
        spans=_spans_of(record, path, line),
        **fields,
    )


def read_jsonl(path: Path, options: ReadOptions) -> Iterator[RawArticle]:
    for line, record in iter_jsonl(path, max_nesting=MAX_NESTING):
        yield _jsonl_article(record, path, line, options)


def _rows_if_closed(rest: str) -> int:
    """How many rows ``rest`` (the lines after a broken quote) holds, read on its own."""
    try:
        return sum(1 for row in csv.reader(io.StringIO(rest, newline="")) if row)
    except csv.Error:  # broken again further down: count lines instead
        return sum(1 for line in rest.splitlines() if line.strip())


def _quote_problem(err: csv.Error) -> str:
    if "unexpected end of data" in str(err):
        return "a quoted field starts on this line and is never closed"
    return f"a quoted field starts on this line and has text after its closing quote ({err})"


def _broken_quote(
    path: Path, text: str, err: csv.Error, start_line: int, rows_before: int
) -> InputError:
    """The error for a quoted field that never closes or runs on past its closing quote.

    Python's csv module, left lenient, would swallow every following row into that one field
    (an unclosed quote: the rest of the file becomes one article's text).
    """
    lines = text.splitlines()
    rest = "\n".join(lines[start_line:])  # the lines after the row where the quote opened
    would_be = rows_before + 1 + _rows_if_closed(rest)
    if "unexpected end of data" in str(err):
        problem = (
            f"{_quote_problem(err)}, so the "
            f"{len(lines) - start_line} line(s) after it would become part of that one field"
        )
    else:
        problem = f"{_quote_problem(err)}, so the rows after it would run into that field"
    return InputError(
        f"{problem}; the file would have {would_be} row(s) if that quote were closed on its own "
        'line. Close the quote, or double a quote inside a field ("")',
        path=path,
        line=start_line,
    )


class _BrokenRow(Exception):
    """The csv reader's error, with the line its row started on and the rows read before it."""

    def __init__(self, err: csv.Error, start_line: int, rows: int):
        super().__init__(str(err))
        self.err, self.start_line, self.rows = err, start_line, rows


def _header(reader: Any, path: Path, options: ReadOptions) -> list[str]:
    try:
        columns = next(reader, [])
    except csv.Error as err:
        raise _broken_quote(path, read_text(path), err, 1, -1) from None
    if options.text_col not in columns:
        raise InputError(
            f"no column {options.text_col!r} (columns: {', '.join(columns) or 'none'})",
            path=path,
            kind=ErrorKind.BAD_TEXT_FIELD,
            setting="text_col",
        )
    return columns


def _rows_from(
    reader: Any, columns: list[str], first_line: int
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows ``reader`` gives, each with the physical line it starts on; ``first_line`` is
    the line the reader's first line has in the file.

    Raises:
        _BrokenRow: a quoted field that never closes or runs on past its closing quote.
    """
    rows = 0
    while True:
        start_line = first_line + reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise _BrokenRow(err, start_line, rows) from None
        if not cells:  # a blank line
            continue
        rows += 1
        # as csv.DictReader builds it: extra cells under None, missing ones None
        row: dict = dict(zip(columns, cells, strict=False))
        if len(cells) > len(columns):
            row[None] = cells[len(columns) :]
        for name in columns[len(cells) :]:
            row[name] = None
        yield start_line, row


def _csv_rows(path: Path, options: ReadOptions) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with the line each starts on (a quoted field can span lines).

    Raises:
        InputError: no text column, or a quoted field that never closes (line named).
    """
    check_utf8(path)
    # Read as it goes (a large export is never one string in memory); the whole text only for
    # the message about a broken quote.
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from _csv_rows_of(fh, path, options)


def _csv_rows_of(
    fh: IO[str], path: Path, options: ReadOptions
) -> Iterator[tuple[int, dict[str, str]]]:
    # strict: an unclosed quote is an error, not the rest of the file silently in one field
    reader = csv.reader(fh, strict=True)
    columns = _header(reader, path, options)
    try:
        yield from _rows_from(reader, columns, 1)
    except _BrokenRow as broken:
        raise _broken_quote(
            path, read_text(path), broken.err, broken.start_line, broken.rows
        ) from None


def _csv_rows_tolerant(
    path: Path, options: ReadOptions
) -> Iterator[tuple[int, dict[str, str]] | InputError]:
    """Like ``_csv_rows``, but a broken quote costs its own record only: the record is handed
    back as an ``InputError`` naming its lines, and reading goes on at the next line that reads
    as a whole row with the header's number of columns (``--on-error skip``).

    Raises:
        InputError: no text column, a broken header; or a broken quote in a file of one column,
            where every line reads as a row and the record's end cannot be told: the file is
            refused whole, none of its rows given.
    """
    check_utf8(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        columns = _header(reader, path, options)
        if len(columns) < 2:
            try:
                rows = list(_rows_from(reader, columns, 1))
            except _BrokenRow as broken:
                raise InputError(
                    f"{_quote_problem(broken.err)}; in a file of one column every line reads as a "
                    "row, so where that record ends cannot be told: no row of the file was read. "
                    'Close the quote, or double a quote inside a field ("")',
                    path=path,
                    line=broken.start_line,
                ) from None
            yield from rows
            return
        try:
            yield from _rows_from(reader, columns, 1)
            return
        except _BrokenRow as first:
            broken = first
    # Resynchronise over the file's lines, split as the csv reader split them (newline="").
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = fh.readlines()
    while True:
        resume = _next_row_line(lines, broken.start_line + 1, len(columns))
        yield _skipped_record(path, broken, resume, len(lines), len(columns))
        if resume is None:
            return
        try:
            yield from _rows_from(
                csv.reader(iter(lines[resume - 1 :]), strict=True), columns, resume
            )
            return
        except _BrokenRow as again:
            broken = again


def _next_row_line(lines: list[str], start: int, columns: int) -> int | None:
    """The first line from ``start`` (1-based) where a whole row of ``columns`` cells begins.

    A row's quotes come in pairs (a quoted field opens and closes; a quote inside is doubled):
    a line with an odd number of them is the tail of the broken field, not a row, even when
    its commas happen to make the right number of cells.
    """
    for number in range(start, len(lines) + 1):
        if not lines[number - 1].strip():
            continue
        reader = csv.reader(iter(lines[number - 1 :]), strict=True)
        try:
            cells = next(reader, [])
        except csv.Error:
            continue
        text = "".join(lines[number - 1 : number - 1 + reader.line_num])
        if len(cells) == columns and text.count('"') % 2 == 0:
            return number
    return None


def _skipped_record(
    path: Path, broken: _BrokenRow, resume: int | None, n_lines: int, columns: int
) -> InputError:
    last = (resume - 1) if resume is not None else n_lines
    lines = (
        f"line {broken.start_line}"
        if last <= broken.start_line
        else f"lines {broken.start_line}-{last}"
    )
    where = (
        f"the bad record is {lines}; line {resume} is the next that reads as a row of "
        f"{columns} columns"
        if resume is not None
        else f"no later line reads as a row of {columns} columns, so the bad record is {lines}, "
        "to the end of the file"
    )
    return InputError(f"{_quote_problem(broken.err)}; {where}", path=path, line=broken.start_line)


def _csv_article(
    row: dict[str, str], path: Path, row_number: int, options: ReadOptions
) -> RawArticle:
    text = _require_text(row.get(options.text_col), path, row_number, options.text_col)
    known = {options.text_col, options.id_col, options.title_col}
    return RawArticle(
        text=text,
        origin=f"{path}:{row_number}",
        id=row.get(options.id_col) or None,
        title=row.get(options.title_col) or None,
        url=row.get("url") or None,
        date=row.get("date") or None,
        source=row.get("source") or None,
        meta={k: v for k, v in row.items() if k not in known | {"url", "date", "source"}},
    )


def read_csv(path: Path, options: ReadOptions) -> Iterator[RawArticle]:
    for row_number, row in _csv_rows(path, options):
        yield _csv_article(row, path, row_number, options)


Reader = Callable[[Path, ReadOptions], Iterator[RawArticle]]
READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".md": read_md,
    ".markdown": read_md,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
}


# A workspace's own folders and root files: nerwb's inputs and outputs, never articles.
WORKSPACE_FOLDERS = ("labels", "configs", "corpus", "training", "evaluate", ".nerwb")
WORKSPACE_ROOT_FILES = ("README.md", CONFIG_NAME)


@dataclass
class FileSelection:
    files: list[Path]
    skipped: list[Path]  # found while walking a folder, but nerwb's own or in a hidden folder
    # found while walking a folder, with an extension no reader knows: count per extension
    ignored: dict[str, int] = field(default_factory=dict)

    def ignored_note(self) -> str | None:
        """``"ignored 3 .pdf and 1 .docx file(s) ..."`` with a converter to try, or None."""
        if not self.ignored:
            return None
        counts = ", ".join(
            f"{n} {ext}" for ext, n in sorted(self.ignored.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        return (
            f"ignored {sum(self.ignored.values())} file(s) that nerwb cannot read ({counts}); "
            f"it reads {', '.join(sorted(READERS))}. {CONVERTER_HINT}"
        )


CONVERTER_HINT = (
    "Convert documents to text first, e.g. `pdftotext report.pdf` (poppler-utils) or "
    "`pandoc report.docx -t plain -o report.txt`."
)


def _workspace_roots(folder: Path, files: list[Path], workspace_root: Path | None) -> list[Path]:
    """Every workspace a walk of ``folder`` touches: ``workspace_root``, the workspaces
    ``folder`` lies in, and those found inside it (a colleague's copy, an old project); deepest
    first."""
    here = folder.resolve()
    roots = {f.parent.resolve() for f in files if f.name == CONFIG_NAME}
    roots.update(p for p in (here, *here.parents) if (p / CONFIG_NAME).is_file())
    if workspace_root is not None:
        roots.add(workspace_root)
    return sorted(roots, key=lambda p: len(p.parts), reverse=True)


def _skip_in_walk(file: Path, folder: Path, roots: list[Path]) -> bool:
    if any(part.startswith(".") for part in file.relative_to(folder).parts):
        return True
    resolved, walked = file.resolve(), folder.resolve()
    for root in roots:
        try:
            rel = resolved.relative_to(root)
        except ValueError:
            continue
        if len(rel.parts) == 1:
            if rel.name in WORKSPACE_ROOT_FILES:
                return True
            continue
        if rel.parts[0] not in WORKSPACE_FOLDERS:
            continue
        # Walking inside one of them (`corpus add labels/imports/`) is the user's explicit choice.
        try:
            inside = walked.relative_to(root).parts[:1] == rel.parts[:1]
        except ValueError:
            inside = False
        if not inside:
            return True
    return False


def select_files(paths: list[Path], *, workspace_root: Path | None = None) -> FileSelection:
    """The files under ``paths`` that a reader knows; a folder is read recursively, sorted.

    A folder walk skips hidden folders and the own folders and root files of every nerwb
    workspace it meets, at any depth (``workspace_root``, and any folder holding a
    ``nerwb.toml``); a file named explicitly is always read.

    Raises:
        InputError: a path does not exist, or a named file has an unknown extension.
    """
    root = workspace_root.resolve() if workspace_root is not None else None
    selection = FileSelection([], [])
    for path in map(Path, paths):
        if not path.exists():
            raise InputError("no such file or folder", path=path)
        if not path.is_dir():
            if path.suffix.lower() not in READERS:
                raise InputError(
                    f"unknown file extension {path.suffix or '(none)'!r}; "
                    f"nerwb reads {', '.join(sorted(READERS))}. {CONVERTER_HINT}",
                    path=path,
                )
            selection.files.append(path)
            continue
        found = [f for f in sorted(path.rglob("*")) if f.is_file()]
        roots = _workspace_roots(path, found, root)
        for file in found:
            known = file.suffix.lower() in READERS
            if _skip_in_walk(file, path, roots):
                if known:
                    selection.skipped.append(file)
            elif known:
                selection.files.append(file)
            else:  # a .pdf or .docx: said, so that "Added 0" does not stand alone
                ext = file.suffix.lower() or "(no extension)"
                selection.ignored[ext] = selection.ignored.get(ext, 0) + 1
    return selection


def files_to_read(path: Path) -> list[Path]:
    """The files under ``path`` that a reader knows (a folder is read recursively, sorted)."""
    return select_files([path]).files


def read_articles(paths: list[Path], options: ReadOptions | None = None) -> Iterator[RawArticle]:
    """Read every article from ``paths`` (files or folders), in a stable order."""
    options = options or ReadOptions()
    files = [f for p in paths for f in files_to_read(Path(p))]  # check every path before reading
    for file in files:
        yield from READERS[file.suffix.lower()](file, options)


def read_articles_skipping(
    files: list[Path], options: ReadOptions, bad: list[InputError]
) -> Iterator[RawArticle]:
    """Like ``read_articles`` over ``files``, but each bad record goes into ``bad`` (in file
    order) instead of stopping the read: ``corpus add --on-error skip``."""
    for file in files:
        for item in read_file_tolerant(file, options):
            if isinstance(item, InputError):
                bad.append(item)
            else:
                yield item


def _jsonl_lines(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Like ``iter_jsonl``, but a malformed line is handed back as its error, not raised."""
    check_utf8(path)  # a file not UTF-8 is refused whole, as read_text refuses it
    for number, line in enumerate(stream_lines(path), start=1):  # line by line: bounded memory
        if not line.strip():
            continue
        try:
            yield number, parse_jsonl_line(line, path, number, max_nesting=MAX_NESTING)
        except InputError as err:
            yield number, err


def read_file_tolerant(path: Path, options: ReadOptions) -> Iterator[RawArticle | InputError]:
    """The articles of one file, with each bad record handed back as an ``InputError`` in its place.

    For callers that skip bad records and go on (``--on-error skip`` of ``corpus add`` and
    ``predict``): a bad line of a JSONL file costs that line only, a broken quote in a CSV file
    the lines of its record (``_csv_rows_tolerant``); an unreadable file yields one error. The
    records are the ones ``READERS`` would give.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            for line, record in _jsonl_lines(path):
                if isinstance(record, InputError):
                    yield record
                    continue
                try:
                    yield _jsonl_article(record, path, line, options)
                except InputError as err:
                    yield err
        elif suffix == ".csv":
            for item in _csv_rows_tolerant(path, options):
                if isinstance(item, InputError):
                    yield item
                    continue
                row_number, row = item
                try:
                    yield _csv_article(row, path, row_number, options)
                except InputError as err:
                    yield err
        else:
            yield from READERS[suffix](path, options)
    except InputError as err:  # the whole file: not UTF-8, no text column, no text
        yield err
    except OSError as err:  # permissions, a file gone since listing: this file only
        yield InputError(f"cannot read the file ({err.strerror or err})", path=path)
