"""What conversion does with a span that is not on token boundaries, or overlaps another.

``StrEnum`` members compare equal to their values, so the Typer options of ``labels convert``
and ``evaluate`` and the library share one list of choices.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from nerwb.errors import LabelsError, bad_setting


class MisalignedPolicy(StrEnum):
    ERROR = "error"
    EXPAND = "expand"  # spaCy's alignment_mode="expand": the smallest token span covering it
    CONTRACT = "contract"  # the largest token span inside it
    SKIP = "skip"


class OverlapPolicy(StrEnum):
    ERROR = "error"
    LONGEST = "longest"  # spacy.util.filter_spans: the longest wins, then the first
    SKIP = "skip"


P = TypeVar("P", bound=StrEnum)


def parse_policy(kind: type[P], value: str, setting: str) -> P:
    """``value`` as a member of ``kind``.

    Raises:
        LabelsError: ``value`` is not one of the choices; the message names ``setting``.
    """
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise bad_setting(
            LabelsError, setting, f"must be one of {choices} (got {value!r})"
        ) from None
