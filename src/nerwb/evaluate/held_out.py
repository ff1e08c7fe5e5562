"""Whether evaluation data is what the model was trained or selected on (its run manifest says)."""

from __future__ import annotations

from pathlib import Path

from nerwb.errors import NerwbError
from nerwb.io import sha256_of
from nerwb.records.training import TrainingManifest, manifest_path


def seen_in_training(model: Path, data: Path) -> str | None:
    """``"train"`` or ``"dev"`` when ``data`` is the file (same path or same bytes) the model's
    run trained or selected ``model-best`` on, from ``manifest.json`` beside the model; else None.
    """
    path = manifest_path(Path(model).parent)
    if not path.is_file():
        return None  # not a `nerwb train` run: nothing known
    try:
        used = TrainingManifest.load(path).data
    except NerwbError:
        return None  # an unreadable manifest is reported where evaluate reads it for its facts
    digest = None
    for split in ("train", "dev"):
        facts = used.get(split)
        path, sha = (facts.path, facts.sha256) if facts else (None, None)
        if path and Path(path).resolve() == Path(data).resolve():
            return split
        if sha:
            try:
                digest = digest or sha256_of(Path(data))
            except OSError:
                return None
            if digest == sha:
                return split
    return None


def articles_in_training(model: Path, doc_ids: list[str]) -> dict[str, list[str]]:
    """``"train"``/``"dev"`` -> the evaluated documents (by article id) that the model's run
    trained or selected ``model-best`` on, per its ``manifest.json``; empty when the manifest
    is missing, unreadable or older than the record of article ids."""
    path = manifest_path(Path(model).parent)
    if not path.is_file():
        return {}
    try:
        used = TrainingManifest.load(path).article_ids()
    except NerwbError:
        return {}
    if used is None:
        return {}
    evaluated = set(doc_ids)
    return {split: sorted(evaluated & ids) for split, ids in used.items() if evaluated & ids}
