"""What ``nerwb status`` reads of an evaluation's ``evaluate/<run>/metrics.json``: the model,
the strict F and the recall on seen and unseen names. A view (the file's other keys are left
unread), until ``metrics.json`` has its own record; ``nerwb evaluate`` writes the file and
``nerwb.evaluate.metrics`` owns its layout."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MicroScores(_View):
    p: float
    r: float
    f: float


class GroupRecall(_View):
    gold: int
    recall: float | None = None


class GroupView(_View):
    pooled: GroupRecall


class SeenUnseenView(_View):
    seen: GroupView
    unseen: GroupView


class EvaluationView(Record):
    model_config = ConfigDict(extra="ignore")
    WHAT = "evaluation metrics"

    model: str
    data: str
    n_docs: int
    micro: dict[str, MicroScores] = Field(default_factory=dict)
    created: str = ""
    seen_unseen: SeenUnseenView | None = None
