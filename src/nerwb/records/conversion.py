"""The conversion report, ``labels/conversion-report.json`` (``nerwb labels convert``): per
split and label what was written, changed or skipped, and what was left out and why."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record


class LeftOut(BaseModel):
    """What one reason ("unconfirmed", "no annotator") kept out of one split."""

    model_config = ConfigDict(extra="forbid")

    articles: int = 0
    segments: int = 0
    spans: int = 0
    chars: int = 0


class ConversionRecord(Record):
    WHAT = "conversion report"

    docs: dict[str, int] = Field(default_factory=dict)
    per_split: dict[str, dict[str, dict[str, int]]] = Field(
        default_factory=dict
    )  # split -> label -> LabelCounts
    totals: dict[str, dict[str, int]] = Field(default_factory=dict)
    whole_articles: dict[str, int] = Field(default_factory=dict)
    gold_pieces: dict[str, int] = Field(default_factory=dict)
    left_out: dict[str, dict[str, LeftOut]] = Field(
        default_factory=dict
    )  # split -> reason -> counts
    events: list[dict[str, Any]] = Field(default_factory=list)
    unsplit_articles: list[str] = Field(default_factory=list)
