"""A real trained pipeline for the predict tests: nerwb's own training on the demo gold."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import prepare_demo_gold
from nerwb.training.run import train
from nerwb.workspace import Workspace, init_workspace

TINY_STEPS = 200  # ~5 s on 2 cores; at 30 steps the model finds no entities at all


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> tuple[Workspace, Path]:
    """A workspace with the demo corpus and a run folder trained for ``TINY_STEPS`` steps."""
    ws = prepare_demo_gold(init_workspace(tmp_path_factory.mktemp("predict") / "ws", name="p"))
    out = ws.training_dir / "tiny"
    train(
        ws,
        config_path=ws.configs_dir / "ner-fast.cfg",
        output=out,
        train_path=ws.docbin_path("train"),
        dev_path=ws.docbin_path("dev"),
        overrides={
            "training.max_steps": TINY_STEPS,
            "training.eval_frequency": 50,
            "components.tok2vec.model.encode.width": 32,
        },
    )
    return ws, out


@pytest.fixture(scope="session")
def model(trained_run) -> Path:
    return trained_run[1] / "model-best"
