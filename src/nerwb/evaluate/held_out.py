"""Whether evaluation data is what the model was trained or selected on (its run manifest says)."""

from __future__ import annotations

import json
from pathlib import Path

from nerwb.io import sha256_of


def seen_in_training(model: Path, data: Path) -> str | None:
    """``"train"`` or ``"dev"`` when ``data`` is the file (same path or same bytes) the model's
    run trained or selected ``model-best`` on, from ``manifest.json`` beside the model; else None.
    """
    try:
        manifest = json.loads((Path(model).parent / "manifest.json").read_text(encoding="utf-8"))
        used = manifest.get("data") or {}
    except (OSError, ValueError, AttributeError):
        return None  # not a `nerwb train` run: nothing known
    digest = None
    for split in ("train", "dev"):
        facts = used.get(split) or {}
        path, sha = facts.get("path"), facts.get("sha256")
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
