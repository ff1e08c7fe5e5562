"""Training configs: load a committed config with command-line overrides, checked early."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thinc.api import Config

from nerwb.errors import ErrorKind, TrainingError


def load_training_config(path: Path, overrides: dict[str, Any]) -> Config:
    """The config at ``path`` with ``overrides`` (``{"section.key": value}``) applied.

    Raises:
        TrainingError: the file is missing or invalid, or an override names a section or key
            that the config does not have.
    """
    if not path.is_file():
        raise TrainingError(
            f"config file {path} does not exist (the workspace's configs are in configs/)",
            kind=ErrorKind.MISSING_FILE,
            path=path,
        )
    try:
        base = Config().from_disk(path, interpolate=False)
    except Exception as err:
        raise TrainingError(
            f"{path}: not a valid spaCy config ({err})", kind=ErrorKind.BAD_CONFIG, path=path
        ) from None
    for key in overrides:
        section_path, _, name = key.rpartition(".")
        node: Any = base
        for part in section_path.split(".") if section_path else []:
            if not isinstance(node, dict) or part not in node:
                raise TrainingError(
                    f"override {key}: the config {path.name} has no section [{section_path}]",
                    kind=ErrorKind.BAD_CONFIG,
                    path=path,
                    setting=key,
                )
            node = node[part]
        if not isinstance(node, dict) or (
            name not in node and not section_path.startswith("paths")
        ):
            raise TrainingError(
                f"override {key}: section [{section_path}] of {path.name} has no setting {name!r}",
                kind=ErrorKind.BAD_CONFIG,
                path=path,
                setting=key,
            )
        _check_type(key, overrides[key], node.get(name), path)
    try:
        config = Config().from_disk(path, overrides=overrides, interpolate=False)
    except Exception as err:
        raise TrainingError(
            f"{path}: cannot apply overrides ({err})", kind=ErrorKind.BAD_CONFIG, path=path
        ) from None
    _check_pretrained_weights(config, path)
    return config


def _check_type(key: str, value: Any, current: Any, path: Path) -> None:
    # spaCy validates these only once training starts, with a traceback; the config's own value
    # says what the setting takes (bool before int: a bool is an int in Python).
    if isinstance(current, bool):
        expected, ok = "true or false", isinstance(value, bool)
    elif isinstance(current, int):
        expected, ok = "an integer", isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(current, float):
        expected = "a number"
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        return
    if not ok:
        raise TrainingError(
            f"override {key} {value!r}: {path.name} expects {expected} there (it has {current!r})",
            kind=ErrorKind.BAD_CONFIG,
            path=path,
            setting=key,
        )


def _check_pretrained_weights(config: Config, path: Path) -> None:
    # spaCy loads [initialize] init_tok2vec only when the config has a [pretraining] section
    # (it says which layer the weights belong to); without one it ignores the weights without
    # a word, and the run quietly trains from scratch.
    try:
        weights = config.interpolate()["initialize"].get("init_tok2vec")
    except Exception:  # a config that cannot interpolate fails later with spaCy's own message
        return
    if weights and not Path(weights).is_file():
        raise TrainingError(
            f"{path.name}: pretrained weights {weights} do not exist",
            kind=ErrorKind.MISSING_FILE,
            path=weights,
        )
    if weights and not config.get("pretraining"):
        raise TrainingError(
            f"{path.name} sets init_tok2vec ({weights}) but has no [pretraining] section, so spaCy "
            "would ignore the weights; use a config made with "
            "`spacy init fill-config CONFIG OUT --pretraining` (the one the weights came from)",
            kind=ErrorKind.BAD_CONFIG,
            path=path,
        )
