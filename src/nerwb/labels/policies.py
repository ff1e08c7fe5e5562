"""What conversion does with a span that is not on token boundaries, or overlaps another.

``StrEnum`` members compare equal to their values, so the Typer options of ``labels convert``
and ``evaluate`` and the library share one list of choices. ``SpanPolicies`` is the one object
that carries the two choices from the CLI (or any caller) down to each article: a choice given
as text is parsed once, where the object is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from nerwb.choices import MisalignedPolicy, OverlapPolicy
from nerwb.errors import LabelsError, bad_setting

# the two choices live in nerwb.choices (below the records that store them); named here too,
# where conversion's callers have always found them
__all__ = ["ConvertOptions", "MisalignedPolicy", "OverlapPolicy", "SpanPolicies", "parse_policy"]


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


@dataclass(frozen=True)
class SpanPolicies:
    """A span off token boundaries (``on_misaligned``) and overlapping spans (``on_overlap``):
    what conversion does with each. Enums from here down.

    Raises:
        LabelsError: a choice that is not one (kind ``BAD_SETTING``).
    """

    on_misaligned: MisalignedPolicy = MisalignedPolicy.ERROR
    on_overlap: OverlapPolicy = OverlapPolicy.ERROR

    def __post_init__(self) -> None:
        misaligned = parse_policy(MisalignedPolicy, self.on_misaligned, "on_misaligned")
        object.__setattr__(self, "on_misaligned", misaligned)
        object.__setattr__(
            self, "on_overlap", parse_policy(OverlapPolicy, self.on_overlap, "on_overlap")
        )


@dataclass(frozen=True)
class ConvertOptions(SpanPolicies):
    """``labels convert``: the span policies, and how long to wait for the workspace lock
    (None: the default; 0: not at all)."""

    lock_wait: float | None = None
