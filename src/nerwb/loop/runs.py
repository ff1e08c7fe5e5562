"""The workspace's training runs, from their manifests (``training/<run>/manifest.json``): the
dev F of each, in the order they finished, and the latest model to suggest from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nerwb.errors import InputError
from nerwb.records.training import RunStatus, TrainingManifest, manifest_path
from nerwb.workspace import Workspace

MODEL = "model-best"  # what a run hands on: the checkpoint its dev data chose


@dataclass(frozen=True)
class TrainingRun:
    folder: Path
    status: RunStatus
    finished: str | None  # ISO time
    dev_f: float | None  # the best dev F (spaCy's ents_f)
    train_docs: int | None
    dev_docs: int | None
    train_spans: int | None  # gold entities in its training data: how much was labelled

    @property
    def model(self) -> Path:
        return self.folder / MODEL

    @property
    def has_model(self) -> bool:
        return (self.model / "meta.json").is_file()


def training_runs(ws: Workspace) -> tuple[list[TrainingRun], list[Path]]:
    """Every run folder of ``training/`` with a manifest, oldest first (by when it finished),
    and the manifests that could not be read (corrupt or of a newer nerwb): listed, not fatal."""
    runs, unreadable = [], []
    if not ws.training_dir.is_dir():
        return [], []
    for folder in sorted(ws.training_dir.iterdir()):
        path = manifest_path(folder)
        if folder.name.startswith(".") or not path.is_file():
            continue  # a staging folder, or no run
        try:
            m = TrainingManifest.load(path)
        except InputError:
            unreadable.append(path)
            continue
        train = m.data.get("train")
        spans = train.spans if train is not None and train.docs is not None else None
        runs.append(
            TrainingRun(
                folder,
                m.status,
                m.finished,
                m.best_dev.ents_f,
                m.docs("train"),
                m.docs("dev"),
                None if spans is None else sum(spans.values()),
            )
        )
    runs.sort(key=lambda r: (r.finished or "", r.folder.name))
    return runs, unreadable


def latest_model(ws: Workspace) -> Path | None:
    """The model of the run that finished last and kept one; None before the first."""
    runs, _ = training_runs(ws)
    return next((r.model for r in reversed(runs) if r.has_model), None)
