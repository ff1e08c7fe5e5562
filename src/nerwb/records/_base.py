"""The one way a record file is read and written: JSON through ``nerwb.io``, with a version.

Every record carries ``format``. A file without one was written before records had versions
and is read as format 1; a file of a newer format than this nerwb knows, a file that is not
JSON, or one whose fields do not fit is refused with an ``InputError`` naming it, never a
traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from nerwb.errors import InputError
from nerwb.io import atomic_write_text, read_text

FIRST_FORMAT = 1  # what a file without a ``format`` field is


class Record(BaseModel):
    """A file one stage writes and another reads.

    Subclasses set ``FORMAT`` (the version they write), and where an older version's layout
    differs, ``upgrade`` turns it into the current one. ``ASCII`` keeps the escaping each file
    had before records existed, so that their bytes stay the same.
    """

    model_config = ConfigDict(extra="forbid")

    FORMAT: ClassVar[int] = FIRST_FORMAT
    ASCII: ClassVar[bool] = False
    MODE: ClassVar[int | None] = None  # file permissions, where the content is a secret
    WHAT: ClassVar[str] = "record"  # what the file is, in the user's words

    format: int = FIRST_FORMAT

    def model_post_init(self, context: Any, /) -> None:
        self.format = self.FORMAT  # a record in memory is always of the format this nerwb writes

    @classmethod
    def not_one(cls) -> str:
        """The start of a refusal: "not a push ledger file", "not an assignment plan file"."""
        article = "an" if cls.WHAT[:1].lower() in "aeiou" else "a"
        return f"not {article} {cls.WHAT} file"

    @classmethod
    def upgrade(cls, data: dict[str, Any], version: int) -> dict[str, Any]:
        """The fields of a file written as ``version`` (older than ``FORMAT``), as today's."""
        return data

    @classmethod
    def from_json(cls, data: Any, where: Path | str) -> Self:
        """Validate parsed JSON; ``where`` names the file in any error."""
        if not isinstance(data, dict):
            raise InputError(f"{cls.not_one()} (expected a JSON object)", path=where)
        version = data.get("format", FIRST_FORMAT)
        if not isinstance(version, int) or isinstance(version, bool) or version < FIRST_FORMAT:
            raise InputError(f"{cls.not_one()} (format {version!r})", path=where)
        if version > cls.FORMAT:
            raise InputError(
                f"{cls.WHAT} of format {version}, written by a newer nerwb; this one reads "
                f"format {cls.FORMAT} or older",
                path=where,
            )
        fields = {k: v for k, v in data.items() if k != "format"}
        if version < cls.FORMAT:
            fields = cls.upgrade(fields, version)
        try:
            return cls.model_validate({**fields, "format": cls.FORMAT})
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                # a field nerwb does not know says most plainly that the file is foreign
                for e in sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")[:3]
            )
            raise InputError(f"{cls.not_one()} ({problems})", path=where) from None

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read ``path``.

        Raises:
            InputError: no such file, not JSON, a newer format, or fields that do not fit.
        """
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"{cls.not_one()}: malformed JSON ({err.msg})", path=path) from None
        return cls.from_json(data, path)

    @classmethod
    def load_or_new(cls, path: Path) -> Self:
        """``load``, or an empty record where the file does not exist yet."""
        return cls.load(path) if Path(path).exists() else cls()

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=self.ASCII, default=float) + "\n"

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old file or none, never half of one."""
        atomic_write_text(path, self.dumps(), mode=self.MODE)
