"""Small file helpers: atomic writes and JSONL reading that names the bad line."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nerwb.errors import InputError, OutputError


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in blocks (DocBins and models can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def umask() -> int:
    """The process's umask (reading it means setting it: it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The mode a plain ``open(path, "w")`` would leave: the old file's, or 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~umask()


def new_staging_folder(parent: Path, *, prefix: str, suffix: str = "") -> Path:
    """A new, empty folder with a unique name in ``parent``, to fill and then rename into place.

    It gets the mode a plain ``mkdir`` gives (0777 less the umask), not ``mkdtemp``'s 0700,
    which the run folder or snapshot it becomes would keep, unlike the rest of the workspace.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
    os.chmod(folder, 0o777 & ~umask())
    return folder


def check_output_folder(folder: Path) -> None:
    """Check, before any work, that files can be written in ``folder`` (made if missing).

    Probes with a temp file in the folder or its nearest existing parent, removed at once, so
    it is right where permission bits are not (root, read-only mounts, network shares).

    Raises:
        OutputError: a path on the way is a file, or the folder cannot be written.
    """
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        problem = "is a file, not a folder" if existing == folder else "is a file"
        raise OutputError(f"cannot write to {folder}: {existing} {problem}")
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".nerwb-write-check-"):
            pass
    except OSError as err:
        raise OutputError(f"cannot write to {folder}: {err.strerror or err}") from None


def check_output_file(path: Path) -> None:
    """Check, before any work, that ``path`` can be written (replaced if it exists).

    Raises:
        OutputError: it is a folder, or its folder cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    check_output_folder(path.parent)


def os_error_message(err: OSError) -> str:
    """An ``OSError`` as one line that names its path(s): what the CLI prints."""
    where = " -> ".join(str(f) for f in (err.filename, err.filename2) if f is not None)
    reason = err.strerror or str(err)
    return f"{where}: {reason}" if where else reason


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder, then rename.

    ``mode`` is for secrets (0600); without it the file gets the mode ``open`` would give it.
    A crash or an error midway leaves the old file (or no file) in place, never half of one.
    A symbolic link is written through: its target is replaced, and the link stays.

    Raises:
        OSError: naming ``path`` even where the system does not (a disk full, a file too large).
    """
    path = Path(path)
    if path.is_symlink():  # the user's link to a file kept elsewhere: keep the link
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the temp file 0600; only secrets (an explicit mode) should stay so.
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        if err.filename is None:  # a write's ENOSPC or EFBIG names no file
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_json(path: Path, data: Any, *, mode: int | None = None) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n", mode=mode)


def dumps_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def atomic_write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    atomic_write_text(path, dumps_jsonl(records))


def read_text(path: Path) -> str:
    """Read a UTF-8 file; a file in another encoding is an error naming the byte offset."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not valid UTF-8 (byte {err.start}); re-save the file as UTF-8", path=path
        ) from None


def check_utf8(path: Path) -> None:
    """Raise what ``read_text`` would for a file that is not UTF-8, reading it in blocks: a
    file is refused whole before any of its lines is used, without holding it in memory."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                raise InputError(
                    f"not valid UTF-8 (byte {offset + err.start}); re-save the file as UTF-8",
                    path=path,
                ) from None
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            raise InputError(
                f"not valid UTF-8 (byte {offset + err.start}); re-save the file as UTF-8",
                path=path,
            ) from None


def stream_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file as ``split_lines`` gives them, read one at a time (a file of a
    million articles is never one string in memory). Call ``check_utf8`` first."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh):
            line = raw.decode("utf-8")
            if number == 0:
                line = line.removeprefix("\ufeff")  # utf-8-sig, as read_text reads
            yield line.removesuffix("\n").removesuffix("\r")


def split_lines(text: str) -> list[str]:
    """Lines of a line-based file (JSONL, CoNLL): split on ``\\n`` only, a trailing ``\\r`` dropped.

    ``str.splitlines`` also splits on U+2028, U+2029, U+0085 and other Unicode breaks, which
    are legal, unescaped characters inside a JSON string and part of an article's text.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def parse_jsonl(
    text: str, where: Path | str, *, max_nesting: int | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)`` for each non-blank line of JSONL ``text``; a bad line is
    an ``InputError`` naming ``where`` (a file, or an export entry) and its number."""
    for number, line in enumerate(split_lines(text), start=1):
        if line.strip():
            yield number, parse_jsonl_line(line, where, number, max_nesting=max_nesting)


# Levels of objects and arrays inside each other that one input record may have: far above any
# real article, far below Python's recursion limit (~1000), which parsing or writing one would
# hit. Only inputs are held to it: nerwb's own files wrap an input's fields a level or two deeper.
MAX_NESTING = 100
# A JSON escape of half of a UTF-16 surrogate pair (U+D800-U+DFFF): valid only in pairs.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _nesting(value: Any, limit: int) -> int:
    """How many objects and arrays deep ``value`` goes (without recursion; counted only up to
    just past ``limit``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep(where: Path | str, number: int, limit: int) -> InputError:
    return InputError(
        f"objects or arrays nested more than {limit} levels deep", path=where, line=number
    )


def parse_jsonl_line(
    line: str, where: Path | str, number: int, *, max_nesting: int | None = None
) -> dict[str, Any]:
    """One JSONL line as an object; a bad one is an ``InputError`` naming ``where`` and ``number``.

    Bad means: not JSON, not an object, nested deeper than Python can parse (or than
    ``max_nesting``, for inputs: ``MAX_NESTING``), or holding a lone surrogate (``"\\ud800"``),
    which JSON can spell but no UTF-8 file can store.
    """
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"malformed JSON ({err.msg})", path=where, line=number) from None
    except RecursionError:
        raise _too_deep(where, number, max_nesting or MAX_NESTING) from None
    if not isinstance(record, dict):
        raise InputError("expected a JSON object", path=where, line=number)
    if (
        max_nesting is not None
        and line.count("[") + line.count("{") > max_nesting
        and _nesting(record, max_nesting) > max_nesting
    ):
        raise _too_deep(where, number, max_nesting)
    if _SURROGATE_ESCAPE.search(line):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            raise InputError(
                f"holds a lone surrogate \\u{ord(err.object[err.start]):04x} (half of a "
                "UTF-16 pair), which no UTF-8 text can hold; fix or remove that escape",
                path=where,
                line=number,
            ) from None
    return record


def iter_jsonl(
    path: Path, *, max_nesting: int | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)`` for each non-blank line; a bad line names its number."""
    yield from parse_jsonl(read_text(path), path, max_nesting=max_nesting)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [record for _, record in iter_jsonl(path)]
