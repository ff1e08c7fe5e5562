"""Help pages say what they mean: markup escaped, flags without a type, choices listed, the
config pass-through documented."""

from __future__ import annotations

import pytest

COMMANDS = [
    (),
    ("train",),
    ("train-curve",),
    ("predict",),
    ("corpus", "split"),
    ("labels", "import"),
    ("doccano", "pull"),
    ("evaluate",),
]


def _help(cli, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", "220")  # one row per option: phrases are not wrapped apart
    result = cli(*args, "--help")
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.replace("│", " ").split())


def test_help_train_shows_the_bracketed_config_section(cli, monkeypatch) -> None:
    text = _help(cli, monkeypatch, "train")
    assert "default: nerwb.toml [training] config" in text
    assert "(default: nerwb.toml [training] base_model)" in text


@pytest.mark.parametrize("args", COMMANDS)
def test_help_flags_show_no_bool_type(cli, monkeypatch, args) -> None:
    text = _help(cli, monkeypatch, *args)
    assert "--help -h Show this message" in text
    assert "<bool>" not in text


def test_help_labels_import_lists_the_formats(cli, monkeypatch) -> None:
    text = _help(cli, monkeypatch, "labels", "import")
    assert "--format <doccano|conll|iob|biluo|spacy>" in text
    result = cli("labels", "import", "x.txt", "--format", "brat")
    assert result.exit_code == 2 and "brat" in result.stderr


@pytest.mark.parametrize("command", ["train", "train-curve"])
def test_help_documents_the_config_pass_through(cli, monkeypatch, command) -> None:
    text = _help(cli, monkeypatch, command)
    assert "Config overrides: any further --section.key value sets that setting" in text
    assert "--training.max_steps 500" in text
