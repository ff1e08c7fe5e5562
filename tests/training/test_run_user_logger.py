"""The config's own training logger is chained with nerwb's progress, not replaced (issue 30.10):
a W&B or MLflow logger in [training.logger] gets every step, as nerwb's progress does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy

from conftest import prepare_demo_gold
from nerwb.training.options import TrainOptions
from nerwb.training.run import steps_only, train

SEEN: dict[str, list[Any]] = {}  # run name -> what the test logger received


@spacy.registry.loggers("nerwb_test.RecordingLogger.v1")
def recording_logger(run: str) -> Any:
    """Stands in for a W&B or MLflow logger: keeps each step's info and the finalize call."""

    def setup(nlp, stdout=None, stderr=None):
        received = SEEN.setdefault(run, [])
        received.append("setup")

        def log_step(info):
            received.append(None if info is None else int(info["step"]))

        def finalize():
            received.append("finalize")

        return log_step, finalize

    return setup


def _config_with_logger(ws, tmp_path: Path) -> Path:
    text = (ws.configs_dir / "ner-fast.cfg").read_text()
    old = '[training.logger]\n@loggers = "spacy.ConsoleLogger.v1"\nprogress_bar = false\n'
    assert old in text
    new = '[training.logger]\n@loggers = "nerwb_test.RecordingLogger.v1"\nrun = "chained"\n'
    path = tmp_path / "with-logger.cfg"
    path.write_text(text.replace(old, new))
    return path


def test_the_users_logger_and_nerwbs_progress_both_receive_every_step(ws, tmp_path) -> None:
    prepare_demo_gold(ws)
    ours: list[tuple[int, bool]] = []
    result = train(
        ws,
        TrainOptions(
            config=_config_with_logger(ws, tmp_path),
            output=ws.training_dir / "logged",
            overrides={
                "training.max_steps": 6,
                "training.eval_frequency": 3,
                "components.tok2vec.model.encode.width": 32,
            },
        ),
        on_progress=steps_only(lambda event: ours.append((event.step, event.evaluated))),
    )
    theirs = SEEN["chained"]
    assert theirs[0] == "setup" and theirs[-1] == "finalize"
    steps = theirs[1:-1]
    # spaCy hands the info dict at evaluation steps and None at the others: both saw the same
    assert len(steps) == len(ours) > 0
    assert [s for s in steps if s is not None] == [step for step, evaluated in ours if evaluated]
    assert [s for s in steps if s is not None] == [0, 3, 6]
    # the model's config keeps the user's logger, not nerwb's chain
    saved = (result.output / "model-best" / "config.cfg").read_text()
    assert '@loggers = "nerwb_test.RecordingLogger.v1"' in saved
    assert "ProgressLogger" not in saved


def test_spacys_console_logger_still_writes_its_table_to_train_log(ws) -> None:
    prepare_demo_gold(ws)
    result = train(
        ws,
        TrainOptions(
            config=ws.configs_dir / "ner-fast.cfg",
            output=ws.training_dir / "console",
            overrides={
                "training.max_steps": 4,
                "training.eval_frequency": 2,
                "components.tok2vec.model.encode.width": 32,
            },
        ),
    )
    log = (result.output / "train.log").read_text()
    assert "LOSS NER" in log and "ENTS_F" in log  # spaCy's ConsoleLogger header
    assert "step 4: loss" in log  # and nerwb's own line per evaluation
