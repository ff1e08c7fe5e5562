"""What a user chooses about a prediction run: the engine, what a bad input record does, and
how much an interruption may cost.

Enums and constants only (no spaCy, no pydantic), so ``nerwb predict --help`` and
``nerwb corpus add --help``, which offer them, start quickly.
"""

from __future__ import annotations

from enum import StrEnum

DEFAULT_PART_SIZE = 1000  # articles per part file: what an interruption can cost at most


class Engine(StrEnum):
    LOCAL = "local"
    RAY = "ray"


class OnError(StrEnum):
    """What a bad input record does: stop the run, or be counted, listed and left out."""

    FAIL = "fail"
    SKIP = "skip"
