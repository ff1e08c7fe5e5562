"""What ``labels audit``, ``labels agreement`` and ``labels patterns`` are asked: one options
object each, checked once when it is made.

Imports nothing heavy (no spaCy, no scikit-learn), so a command makes its options, and so
checks every argument, before the seconds of importing what measures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nerwb.choices import SPLIT_NAMES
from nerwb.errors import ErrorKind, LabelsError, bad_setting
from nerwb.records.pull import is_snapshot


def check_snapshot(snapshot: Path | None) -> None:
    """Raises LabelsError: ``snapshot`` is named and is not a pull snapshot (kind
    ``BAD_SETTING``)."""
    if snapshot is not None and not is_snapshot(snapshot):
        raise LabelsError(
            f"{snapshot}: not a pull snapshot (no manifest.json)",
            kind=ErrorKind.BAD_SETTING,
            setting="snapshot",
            path=snapshot,
        )


def check_yes_or_no(value: object, setting: str) -> None:
    """Raises LabelsError: ``value`` is not a bool ("no" would be truthy: refused, not
    guessed)."""
    if not isinstance(value, bool):
        raise bad_setting(LabelsError, setting, f"must be true or false, not {value!r}")


def _names(annotators: Iterable[str] | None) -> tuple[str, ...] | None:
    """Any collection of names, kept as a tuple so the options stay one immutable value."""
    return None if annotators is None else tuple(annotators)


@dataclass(frozen=True)
class AuditOptions:
    """``labels audit``: the pull snapshot to audit (``snapshot``; None: the latest; imports are
    always included) and whose labels (``annotators``; None: everyone's).

    Raises:
        LabelsError: a named snapshot that is not one (kind ``BAD_SETTING``).
    """

    snapshot: Path | None = None
    annotators: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "annotators", _names(self.annotators))
        check_snapshot(self.snapshot)


@dataclass(frozen=True)
class AgreementOptions:
    """``labels agreement``: the pull snapshot (``snapshot``; None: the latest), whose labels
    (``annotators``; None: everyone's), and whether segments one or both annotators did not
    confirm count too (``include_unconfirmed``).

    Raises:
        LabelsError: a named snapshot that is not one, ``include_unconfirmed`` not a yes or no
            (kind ``BAD_SETTING``).
    """

    snapshot: Path | None = None
    annotators: tuple[str, ...] | None = None
    include_unconfirmed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "annotators", _names(self.annotators))
        check_yes_or_no(self.include_unconfirmed, "include_unconfirmed")
        check_snapshot(self.snapshot)


def check_not_test(splits: Iterable[str]) -> None:
    """Raises LabelsError: the test split asked for (its names would leak into every model
    and suggestion that uses them; kind ``TEST_LEAK``)."""
    if "test" in splits:
        raise LabelsError(
            "patterns are never built from the test split: the test articles would leak into "
            "every model and suggestion that uses the file",
            kind=ErrorKind.TEST_LEAK,
        )


@dataclass(frozen=True)
class PatternsOptions:
    """``labels patterns``: the splits whose gold names to list (``splits``; never test), the
    labels to list (``labels``; None: those whose spans are names, not numbers) and how often
    a name must be in gold to be listed (``min_count``). Whether the labels are in labels.yml
    is checked by the use case, which reads it.

    Raises:
        LabelsError: the test split (kind ``TEST_LEAK``), an unknown split, ``min_count``
            below 1 (kind ``BAD_SETTING``).
    """

    splits: tuple[str, ...] = ("train",)
    labels: tuple[str, ...] | None = None
    min_count: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "splits", tuple(self.splits))
        object.__setattr__(self, "labels", _names(self.labels) or None)
        check_not_test(self.splits)
        unknown = [s for s in self.splits if s not in SPLIT_NAMES]
        if unknown:
            raise bad_setting(
                LabelsError,
                "splits",
                f"{unknown[0]!r}: no such split; choose from train, dev",
            )
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, int):
            raise bad_setting(
                LabelsError, "min_count", f"must be a whole number, not {self.min_count!r}"
            )
        if self.min_count < 1:
            raise bad_setting(LabelsError, "min_count", f"must be at least 1, not {self.min_count}")
