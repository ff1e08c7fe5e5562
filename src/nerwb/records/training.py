"""The training run manifest: ``training/<run>/manifest.json``, written by ``nerwb train``.

Read by ``nerwb evaluate`` (how the model was trained) and hashed by ``nerwb predict`` (which
run a prediction came from).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record
from nerwb.records.dev_scores import DevScores

MANIFEST_NAME = "manifest.json"  # beside model-best/ and model-last/


def manifest_path(run: Path) -> Path:
    """The manifest of the run folder ``run``."""
    return Path(run) / MANIFEST_NAME


class RunStatus(StrEnum):
    FINISHED = "finished"  # ran to its end
    INTERRUPTED = "interrupted"  # stopped by Ctrl-C after an evaluation, and kept


class TrainGoldNames(BaseModel):
    """The training data's gold names, normalised (``labels.gold_names``): what ``nerwb
    evaluate`` splits seen from unseen names by, with no need of the training file later."""

    model_config = ConfigDict(extra="forbid")

    normalisation: str = ""
    count: int = 0
    sha256: str | None = None
    names: list[str] = Field(default_factory=list)


class TrainingManifest(Record):
    """What a training run was: versions, config, data, seed, time and the best dev scores.

    Fields have defaults only so that manifests of older nerwb versions, which lacked some of
    them, still load; ``nerwb train`` always writes every one.
    """

    ASCII = True  # as ``json.dumps`` wrote it before records
    WHAT = "training manifest"

    status: RunStatus = RunStatus.FINISHED  # manifests from before Ctrl-C kept runs: finished
    nerwb_version: str = ""
    spacy_version: str = ""
    python: str = ""
    config_file: str | None = None
    config_sha256: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    base_model: dict[str, Any] | None = None
    seed: int | None = None
    labels: list[str] = Field(default_factory=list)
    # "train"/"dev" -> DataSummary.to_json()
    data: dict[str, dict[str, Any]] = Field(default_factory=dict)
    train_gold_names: TrainGoldNames | None = None  # None: written before the seen/unseen split
    workspace_git_commit: str | None = None
    started: str | None = None
    finished: str | None = None
    seconds: float | None = None
    steps: int | None = None
    gpu_id: int = -1
    best_dev: DevScores = Field(default_factory=DevScores)
    evaluations: list[dict[str, Any]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    config: str = ""

    def docs(self, split: str) -> int | None:
        """Documents in the run's ``train`` or ``dev`` data."""
        return self.data.get(split, {}).get("docs")
