"""The training run manifest: ``training/<run>/manifest.json``, written by ``nerwb train``.

Read by ``nerwb evaluate`` (how the model was trained) and hashed by ``nerwb predict`` (which
run a prediction came from).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from nerwb.records._base import Record
from nerwb.records.conversion import RecordedMisaligned, RecordedOverlap
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


class TrainingData(BaseModel):
    """One DocBin a run trained (``train``) or chose its best model (``dev``) on."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = None
    sha256: str | None = None
    docs: int | None = None
    spans: dict[str, int] = Field(default_factory=dict)  # label -> spans
    splits: list[str] = Field(default_factory=list)  # the corpus splits its documents are in


class BasePipelineFacts(BaseModel):
    """The installed pipeline a run started from (``--base-model``): its tok2vec under a fresh
    ner, or its whole ner carried over (``component``)."""

    model_config = ConfigDict(extra="forbid")

    requested: str = ""  # what the user named
    location: str = ""  # what spaCy loaded: a package name or a folder
    name: str = ""
    version: str = ""
    language: str = ""
    component: str = "tok2vec"  # what the config took from it: "tok2vec" or "ner"
    weights_sha256: str = ""  # of <component>/model
    tok2vec_width: int | None = None  # component tok2vec only (older manifests: always)
    tok2vec_sha256: str = ""


class Evaluation(BaseModel):
    """One evaluation on the dev data during training."""

    model_config = ConfigDict(extra="forbid")

    step: int
    score: float
    losses: dict[str, float] = Field(default_factory=dict)


class ConversionFacts(BaseModel):
    """How ``labels convert`` made the training data (its ``conversion-report.json``, when the
    run's train file is the one it wrote): the policies that may have moved or dropped spans,
    and what they did."""

    model_config = ConfigDict(extra="forbid")

    report: str = ""  # the conversion report read
    on_misaligned: RecordedMisaligned = None  # None ("" in the file): the report had none
    on_overlap: RecordedOverlap = None
    spans_in: int = 0  # over all splits and labels: spans_in = written + changed + skipped
    written: int = 0
    changed: int = 0
    skipped: int = 0


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
    overrides: dict[str, JsonValue] = Field(default_factory=dict)  # config values, as parsed
    base_model: BasePipelineFacts | None = None
    seed: int | None = None
    labels: list[str] = Field(default_factory=list)
    data: dict[str, TrainingData] = Field(default_factory=dict)  # "train", "dev"
    conversion: ConversionFacts | None = None  # None: not labels convert's output, or older
    train_gold_names: TrainGoldNames | None = None  # None: written before the seen/unseen split
    # the corpus ids of the articles the run trained on and selected model-best on (sorted), so
    # that `nerwb evaluate` can tell a test article the model has seen; None: written before
    train_article_ids: list[str] | None = None
    dev_article_ids: list[str] | None = None
    workspace_git_commit: str | None = None
    started: str | None = None
    finished: str | None = None
    seconds: float | None = None
    steps: int | None = None
    gpu_id: int = -1
    best_dev: DevScores = Field(default_factory=DevScores)
    evaluations: list[Evaluation] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    config: str = ""

    def article_ids(self) -> dict[str, set[str]] | None:
        """``"train"``/``"dev"`` -> the article ids the run used; None for an older manifest."""
        if self.train_article_ids is None and self.dev_article_ids is None:
            return None
        return {"train": set(self.train_article_ids or []), "dev": set(self.dev_article_ids or [])}

    def docs(self, split: str) -> int | None:
        """Documents in the run's ``train`` or ``dev`` data."""
        facts = self.data.get(split)
        return facts.docs if facts else None
