"""A trained model folder as an installable pipeline package (a wheel).

spaCy's own ``spacy package`` (called as a library) lays the package out: ``meta.json`` with
the name, version and requirements, the README, ``__init__.py`` with ``load()``. nerwb adds, in
the pipeline's data under ``nerwb/``, the run's training manifest and the evaluation reports of
this model, then writes the wheel itself (``package.wheel``): spaCy would build it with
``python -m build``, which needs the ``build`` package and the network, and exits the process
when it fails.

nerwb's own components (number phrases, acronyms, name candidates, gazetteer) are declared as a
requirement (``nerwb``) of a package whose pipeline uses them, not copied into it: they are
nerwb's code, found through its ``spacy_factories`` entry points wherever nerwb is installed.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nerwb import __version__
from nerwb.errors import ErrorKind, InputError, NerwbError
from nerwb.io import check_output_folder
from nerwb.records.metrics import MetricsFile
from nerwb.records.training import manifest_path

NERWB_FOLDER = "nerwb"  # in the pipeline's data: manifest.json, evaluations/<folder>/...
REPORT_FILES = ("metrics.json", "report.md", "report.html")  # of an evaluation folder
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")  # a module name; no "__" runs


class PackageError(NerwbError):
    """A model that cannot be packaged, or options that do not fit."""


@dataclass
class PackageReport:
    wheel: Path
    name: str  # what spacy.load takes: LANG_NAME (en_conflict_ner)
    version: str
    requirements: list[str]
    nerwb_required: bool  # the pipeline uses nerwb's components
    manifest: Path | None  # the training manifest included, where the model has one
    evaluations: list[Path] = field(default_factory=list)  # evaluation folders included


def check_package_name(name: str) -> None:
    """Raises PackageError: ``name`` cannot be a package (a Python module name) spaCy loads."""
    if not _NAME.fullmatch(name):
        raise PackageError(
            f"package name {name!r} is not allowed: use letters, digits and single underscores, "
            "starting with a letter (it becomes the Python module spacy.load imports)",
            kind=ErrorKind.BAD_SETTING,
            setting="name",
        )


def canonical_version(version: str) -> str:
    """``version`` as PEP 440 spells it (``1.0`` stays, ``1.0-RC1`` becomes ``1.0rc1``).

    Raises:
        PackageError: not a version pip can compare.
    """
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(version))
    except InvalidVersion:
        raise PackageError(
            f"version {version!r} is not a package version (e.g. 1.0.0, 0.3.1rc1)",
            kind=ErrorKind.BAD_SETTING,
            setting="version",
        ) from None


def find_evaluations(evaluate_dir: Path, model: Path, *, bases: Sequence[Path]) -> list[Path]:
    """The evaluation folders under ``evaluate_dir`` made of ``model`` (their ``metrics.json``
    names it: as given, relative to one of ``bases``, or by its run's manifest), oldest first."""
    target = model.resolve()
    manifest = manifest_path(target.parent).resolve()
    found = []
    for metrics_path in sorted(evaluate_dir.glob("*/metrics.json")):
        try:
            metrics = MetricsFile.load(metrics_path)
        except (OSError, NerwbError):
            continue  # not an evaluation nerwb can read: not one to ship
        named = [metrics.model, metrics.training.manifest if metrics.training else None]
        for given, wanted in zip(named, (target, manifest), strict=True):
            if isinstance(given, str) and any(
                (base / given).resolve() == wanted for base in (Path("/"), *bases)
            ):
                found.append(metrics_path.parent)
                break
    return sorted(found, key=lambda folder: (folder / "metrics.json").stat().st_mtime)


def _check_model(model: Path) -> dict[str, Any]:
    if not (model / "meta.json").is_file() or not (model / "config.cfg").is_file():
        raise InputError(
            "is not a trained pipeline folder (no meta.json and config.cfg); give "
            "training/<run>/model-best",
            path=model,
        )
    try:
        return dict(json.loads((model / "meta.json").read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        raise InputError("meta.json is not a JSON object", path=model / "meta.json") from None


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), item
            yield from _walk(item)


def uses_nerwb(config: dict[str, Any]) -> bool:
    """Whether the pipeline runs any of nerwb's registered code (its components' factories,
    or functions referenced in ``[nlp]`` and ``[components]``; training-only sections such as
    the augmenter in ``[corpora]`` are not needed to run it)."""
    return any(
        isinstance(value, str)
        and (key == "factory" or key.startswith("@"))
        and value.startswith(("nerwb_", "nerwb."))
        for section in ("nlp", "components")
        for key, value in _walk(config.get(section, {}))
    )


@dataclass(frozen=True)
class PackageOptions:
    """What ``nerwb package`` builds: a wheel of the pipeline folder ``model`` into
    ``output_dir``, named ``name`` (LANG_ is prefixed where missing), of ``version`` (kept as
    PEP 440 spells it), with the evaluation folders ``evaluations`` included, replacing a
    wheel of that name and version only with ``force``.

    Everything is checked once, when made, before any work: the model folder, the name, the
    version, the evaluation folders and where the wheel goes.

    Raises:
        InputError: not a pipeline folder, or an evaluation folder without metrics.json.
        PackageError: a bad name or version (kind ``BAD_SETTING``).
        OutputError: ``output_dir`` cannot be written.
    """

    model: Path
    output_dir: Path
    name: str
    version: str
    evaluations: tuple[Path, ...] = ()
    force: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", Path(self.model))
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        object.__setattr__(self, "evaluations", tuple(Path(f) for f in self.evaluations))
        _check_model(self.model)
        check_package_name(self.name)
        object.__setattr__(self, "version", canonical_version(self.version))
        for folder in self.evaluations:
            if not (folder / "metrics.json").is_file():
                raise InputError("is not an evaluation folder (no metrics.json)", path=folder)
        check_output_folder(self.output_dir)


def package_model(options: PackageOptions) -> PackageReport:
    """Build ``LANG_NAME-VERSION-py3-none-any.whl`` of ``options.model`` into
    ``options.output_dir``. The wheel holds the pipeline, its training manifest and the
    evaluations' ``metrics.json``, ``report.md`` and ``report.html`` under ``nerwb/`` in the
    pipeline's data (``Path(nlp.path) / "nerwb"`` once loaded).

    Raises:
        PackageError: the wheel exists (without ``force``), or spaCy refused to lay the
            package out (the rest was checked when the options were made).
    """
    model, output_dir, name, version = (
        options.model,
        options.output_dir,
        options.name,
        options.version,
    )
    evaluations, force = options.evaluations, options.force
    meta = _check_model(model)  # checked when the options were made; read here for its fields
    output_dir.mkdir(parents=True, exist_ok=True)
    lang = str(meta.get("lang") or "xx")
    module = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
    wheel = Path(output_dir) / f"{module}-{version}-py3-none-any.whl"
    if wheel.exists() and not force:
        raise PackageError(
            f"{wheel} exists already", kind=ErrorKind.PACKAGE_EXISTS, path=wheel, setting="force"
        )

    from spacy.util import get_minor_version_range, load_config

    config = load_config(model / "config.cfg", interpolate=False)
    needs_nerwb = uses_nerwb(dict(config))
    manifest = manifest_path(model.resolve().parent)
    with tempfile.TemporaryDirectory(prefix=".nerwb-package-", dir=output_dir) as tmp:
        data = Path(tmp) / "pipeline"
        shutil.copytree(model, data)
        own = data / NERWB_FOLDER
        own.mkdir(exist_ok=True)
        if manifest.is_file():
            shutil.copyfile(manifest, own / "manifest.json")
        for folder in evaluations:
            target = own / "evaluations" / Path(folder).resolve().name
            target.mkdir(parents=True, exist_ok=True)
            for file in REPORT_FILES:
                if (Path(folder) / file).is_file():
                    shutil.copyfile(Path(folder) / file, target / file)
        if needs_nerwb:
            requirement = f"nerwb{get_minor_version_range(__version__)}"
            meta["requirements"] = [
                *(r for r in meta.get("requirements", []) if not r.startswith("nerwb")),
                requirement,
            ]
            (data / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        built = _spacy_layout(data, Path(tmp) / "build", name=name, version=version)
        report = _write(built, output_dir, module, version)
    return PackageReport(
        wheel=report[0],
        name=module,
        version=version,
        requirements=report[1],
        nerwb_required=needs_nerwb,
        manifest=manifest if manifest.is_file() else None,
        evaluations=[Path(folder) for folder in evaluations],
    )


def _spacy_layout(data: Path, out: Path, *, name: str, version: str) -> Path:
    """spaCy's package folder for ``data`` (no sdist or wheel: see the module's docstring)."""
    from spacy.cli.package import package

    out.mkdir()
    said = io.StringIO()
    try:
        with redirect_stdout(said), redirect_stderr(said):
            package(
                data,
                out,
                name=name,
                version=version,
                create_sdist=False,
                create_wheel=False,
                force=True,
                silent=False,
            )
    except SystemExit:  # spaCy's package() exits where it refuses: say what it said
        lines = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
        raise PackageError(
            "spaCy refused to lay out the package: " + " / ".join(lines[-3:]),
            kind=ErrorKind.RUN_FAILED,
        ) from None
    (built,) = [p for p in out.iterdir() if p.is_dir()]
    return built


def _write(built: Path, output_dir: Path, module: str, version: str) -> tuple[Path, list[str]]:
    """The wheel of spaCy's package folder: what its setup.py would install."""
    from nerwb.package.wheel import write_wheel

    meta_bytes = (built / "meta.json").read_bytes()
    meta = json.loads(meta_bytes)
    requirements = [*meta.get("setup_requires", []), *meta.get("requirements", [])]
    package_dir = built / module
    data_dir = f"{module}/{module}-{version}"
    files: dict[str, Path | bytes] = {
        f"{module}/{path.relative_to(package_dir).as_posix()}": path
        for path in sorted(package_dir.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(built).parts)
    }
    # as spaCy's setup.py does: the package's meta (its name and version) in both places
    files[f"{module}/meta.json"] = meta_bytes
    files[f"{data_dir}/meta.json"] = meta_bytes
    readme = built / "README.md"
    wheel = write_wheel(
        output_dir,
        name=module,
        version=version,
        files=files,
        summary=str(meta.get("description") or f"spaCy pipeline {module}, trained with nerwb"),
        requires=requirements,
        entry_points={"spacy_models": {module: module}},
        description=readme.read_text(encoding="utf-8") if readme.is_file() else "",
    )
    return wheel, requirements
