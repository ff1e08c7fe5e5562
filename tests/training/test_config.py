"""Training configs: the committed ones are valid, and overrides parse."""

from __future__ import annotations

import pytest

from nerwb.cli.train import parse_overrides
from nerwb.errors import TrainingError
from nerwb.training.config import load_training_config


def test_train_overrides_parsing() -> None:
    assert parse_overrides(
        ["--training.max_steps", "5", "--nlp.lang=en", "--training.dropout", "0.3"]
    ) == {
        "training.max_steps": 5,
        "nlp.lang": "en",
        "training.dropout": 0.3,
    }
    with pytest.raises(TrainingError, match="unexpected argument 'stray'"):
        parse_overrides(["stray"])


@pytest.mark.parametrize(
    ("name", "pipeline"),
    [
        ("ner-fast.cfg", ["tok2vec", "ner"]),
        ("ner-accuracy.cfg", ["tok2vec", "ner", "number_phrases"]),
        ("ner-pretrained.cfg", ["tok2vec", "ner", "number_phrases", "acronyms"]),
        ("ner-transfer.cfg", ["ner", "number_phrases", "acronyms"]),
        ("ner-stacked.cfg", ["base_ner", "base_entities", "ner", "number_phrases", "acronyms"]),
        ("ner-transformer.cfg", ["transformer", "ner"]),
    ],
)
def test_train_committed_configs_are_valid(name: str, pipeline: list[str]) -> None:
    from conftest import REPO

    config = load_training_config(REPO / "configs" / name, {})
    assert config["nlp"]["pipeline"] == pipeline
    assert config.interpolate()["training"]["max_steps"] > 0
    head = (REPO / "configs" / name).read_text().splitlines()[0]
    assert head.startswith(f"# {name}:")
    # (ner-pretrained.cfg and ner-stacked.cfg source en_core_web_sm:
    # tests/training/test_base_model.py trains them on a base pipeline it builds)
    if name not in ("ner-transformer.cfg", "ner-pretrained.cfg", "ner-stacked.cfg"):
        import spacy

        spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
