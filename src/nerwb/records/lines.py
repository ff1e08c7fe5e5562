"""The one way a JSONL record file is read and written: a typed model per line, with a version.

A line carries ``format`` only from format 2 on: every JSONL file nerwb has written so far is
format 1 and has none, so those files keep their bytes, and tools that read them line by line
(Doccano, spaCy, your scripts) see no header. A line of a newer format than this nerwb reads,
a line that is not JSON, and one whose fields do not fit are refused with an ``InputError``
naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from nerwb.errors import InputError
from nerwb.io import atomic_write_jsonl, check_utf8, parse_jsonl_line, stream_lines

FIRST_FORMAT = 1  # what a line without ``format`` is


class RecordLine(BaseModel):
    """One line of a JSONL file one stage writes and another reads."""

    model_config = ConfigDict(extra="forbid")

    FORMAT: ClassVar[int] = FIRST_FORMAT
    WHAT: ClassVar[str] = "record"  # what one line is, in the user's words
    # optional keys written only where they say something, as the files had them before records
    OMIT_WHEN_NONE: ClassVar[tuple[str, ...]] = ()
    OMIT_WHEN_EMPTY: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in self.OMIT_WHEN_NONE:
            if data.get(key) is None:
                data.pop(key, None)
        for key in self.OMIT_WHEN_EMPTY:
            if not data.get(key):
                data.pop(key, None)
        return data if self.FORMAT == FIRST_FORMAT else {"format": self.FORMAT, **data}

    @classmethod
    def from_line(cls, record: dict[str, Any], where: Path | str, line: int) -> Self:
        """Validate one parsed line; ``where`` and ``line`` name it in any error."""
        fields = dict(record)
        version = fields.pop("format", FIRST_FORMAT)
        if not isinstance(version, int) or isinstance(version, bool) or version < FIRST_FORMAT:
            raise InputError(f"not a {cls.WHAT} (format {version!r})", path=where, line=line)
        if version > cls.FORMAT:
            raise InputError(
                f"{cls.WHAT} of format {version}, written by a newer nerwb; this one reads "
                f"format {cls.FORMAT} or older",
                path=where,
                line=line,
            )
        try:
            return cls.model_validate(fields)
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                for e in sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")[:3]
            )
            raise InputError(f"not a {cls.WHAT} ({problems})", path=where, line=line) from None

    @classmethod
    def read(cls, path: Path) -> Iterator[tuple[int, Self]]:
        """``(line number, line)`` for each non-blank line of ``path``, read one at a time.

        Raises:
            InputError: no such file, not UTF-8 (before any line is used), or a bad line.
        """
        check_utf8(path)
        for number, text in enumerate(stream_lines(path), start=1):
            if text.strip():
                yield number, cls.from_line(parse_jsonl_line(text, path, number), path, number)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def write_lines(path: Path, lines: Iterable[RecordLine]) -> None:
    """Write ``lines`` to ``path`` atomically: a crash leaves the old file or none."""
    atomic_write_jsonl(path, (line.to_json() for line in lines))
