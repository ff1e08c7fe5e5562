"""The conversion report, ``labels/conversion-report.json`` (``nerwb labels convert``): the
policies it converted with, per split and label what was written, changed or skipped, what was
left out and why, and the sha256 of each DocBin it wrote (so a training run can tell that its
data came from this conversion)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from nerwb.choices import MisalignedPolicy, OverlapPolicy
from nerwb.records._base import Record


def _unrecorded(value: Any) -> Any:
    """A file written before the policies were recorded says "" (None in memory)."""
    return None if value == "" else value


def _as_written(policy: MisalignedPolicy | OverlapPolicy | None) -> str:
    return "" if policy is None else policy.value


# A policy as the files store it: the enum's value, or "" where it was not recorded, so files
# read and written keep their bytes (no format change) while the code sees an enum or None.
RecordedMisaligned = Annotated[
    MisalignedPolicy | None, BeforeValidator(_unrecorded), PlainSerializer(_as_written)
]
RecordedOverlap = Annotated[
    OverlapPolicy | None, BeforeValidator(_unrecorded), PlainSerializer(_as_written)
]


class LeftOut(BaseModel):
    """What one reason ("unconfirmed", "no annotator") kept out of one split."""

    model_config = ConfigDict(extra="forbid")

    articles: int = 0
    segments: int = 0
    spans: int = 0
    chars: int = 0


class LabelCounts(BaseModel):
    """One label's spans in one split: spans_in = written + changed + skipped."""

    model_config = ConfigDict(extra="forbid")

    spans_in: int = 0
    written: int = 0  # unchanged
    changed: int = 0  # written after a policy moved its boundaries
    skipped: int = 0


class ChangedSpan(BaseModel):
    """One span a policy changed or skipped, in article offsets, with its context."""

    model_config = ConfigDict(extra="forbid")

    split: str
    article_id: str
    kind: str  # "misaligned" or "overlap"
    action: str  # "skipped", or the alignment mode that moved it
    span: tuple[int, int, str]
    text: str
    context: str
    new_span: tuple[int, int, str] | None = None
    new_text: str | None = None

    @model_serializer(mode="wrap")
    def _moved_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # new_span and new_text only for a span that was moved, as before records
        data = handler(self)
        if data.get("new_span") is None:
            data.pop("new_span", None)
            data.pop("new_text", None)
        return data


class ConversionRecord(Record):
    WHAT = "conversion report"

    # None ("" in the file): a report written before the policies were recorded
    on_misaligned: RecordedMisaligned = None
    on_overlap: RecordedOverlap = None
    docs: dict[str, int] = Field(default_factory=dict)
    per_split: dict[str, dict[str, LabelCounts]] = Field(default_factory=dict)  # split -> label
    totals: dict[str, LabelCounts] = Field(default_factory=dict)  # label -> over all splits
    whole_articles: dict[str, int] = Field(default_factory=dict)
    gold_pieces: dict[str, int] = Field(default_factory=dict)
    left_out: dict[str, dict[str, LeftOut]] = Field(
        default_factory=dict
    )  # split -> reason -> counts
    events: list[ChangedSpan] = Field(default_factory=list)
    unsplit_articles: list[str] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict)  # split -> sha256 of its DocBin

    def totals_of(self, field: str) -> int:
        """One count (``spans_in``, ``written``, ``changed``, ``skipped``) over every label."""
        return sum(getattr(counts, field) for counts in self.totals.values())
