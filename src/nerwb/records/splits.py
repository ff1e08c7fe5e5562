"""The corpus splits, ``corpus/splits.json``: every article's split (``corpus split``, ``labels
import --split``), read by every stage that must keep test articles out of training."""

from __future__ import annotations

from pydantic import Field

from nerwb.choices import SPLIT_NAMES
from nerwb.records._base import Record


class SplitsFile(Record):
    """``assignments``: article id -> split. Splits are checked by ``corpus.splits.load_splits``
    (which names the article of an unknown one), not here, so its message stays one line."""

    WHAT = "nerwb splits"

    seed: int = 0
    ratios: dict[str, float] = Field(default_factory=dict)
    created: str = ""
    updated: str = ""
    # The splits an article never leaves once placed, unless the user resets them: always the
    # test split (`corpus split --reset-test`), written so a reader of the file sees it.
    frozen: list[str] = Field(default_factory=lambda: ["test"])
    assignments: dict[str, str] = Field(default_factory=dict)

    def unknown_split(self) -> tuple[str, str] | None:
        """The first (article, split) whose split is not one of SPLIT_NAMES."""
        return next(((a, s) for a, s in self.assignments.items() if s not in SPLIT_NAMES), None)
