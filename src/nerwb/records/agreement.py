"""The agreement report, ``labels/agreement/agreement.json`` (``nerwb labels agreement``): span
F1 and token kappa pooled, per label and per pair of annotators; read back by ``nerwb status``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Overall(_Part):
    f1: float | None = None
    kappa: float | None = None


class LabelAgreementFigures(_Part):
    """None where neither annotator marked the label (two empty sets agree trivially)."""

    f1: float | None = None
    kappa: float | None = None
    agreed: int = 0
    only_a: int = 0
    only_b: int = 0


class PairLabelFigures(_Part):
    f1: float | None = None
    kappa: float | None = None


class PairAgreement(_Part):
    a: str
    b: str
    segments: int  # both were given and both confirmed (or, with --include-unconfirmed, labelled)
    f1: float | None = None
    kappa: float | None = None
    spans_agreed: int = 0
    only_a: int = 0
    only_b: int = 0
    per_label: dict[str, PairLabelFigures] = Field(default_factory=dict)


class AgreementFile(Record):
    WHAT = "agreement report"

    unit: str = "segment"
    include_unconfirmed: bool = False
    overall: Overall = Field(default_factory=Overall)
    per_label: dict[str, LabelAgreementFigures] = Field(default_factory=dict)
    disagreement_kinds: dict[str, int] = Field(default_factory=dict)
    pairs: list[PairAgreement] = Field(default_factory=list)

    @property
    def segments(self) -> int:
        """Segments two annotators were both given and confirmed, over every pair."""
        return sum(p.segments for p in self.pairs)
