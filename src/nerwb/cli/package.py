"""``nerwb package``: a trained model as a wheel that ``pip install`` and ``spacy.load`` take."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nerwb.cli._common import console, warn
from nerwb.cli._options import WorkspaceOpt, output_option
from nerwb.cli._progress import show_steps

ModelArg = Annotated[
    Path,
    typer.Argument(help="A trained pipeline folder (training/<run>/model-best).", file_okay=False),
]
NameOpt = Annotated[
    str,
    typer.Option(
        "--name",
        help="Package name: letters, digits, _ (conflict_ner gives en_conflict_ner, which "
        "spacy.load takes).",
    ),
]
VersionOpt = Annotated[str, typer.Option("--version", help="Package version (1.0.0).")]
WheelFolderOpt = Annotated[
    Path | None,
    output_option("Folder for the wheel (default: dist/ in the workspace, else here)."),
]
EvaluationOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--evaluation",
        metavar="FOLDER",
        help="An evaluation folder whose reports to include (repeat it; default: every "
        "evaluation of this model in the workspace's evaluate/).",
        file_okay=False,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace a wheel of the same name and version.")
]


def package_cmd(
    model: ModelArg,
    name: NameOpt,
    version: VersionOpt,
    output: WheelFolderOpt = None,
    evaluation: EvaluationOpt = None,
    force: ForceOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Build an installable package (a wheel) of a trained model, with its training manifest
    and evaluation reports.

    spaCy's `spacy package` lays the package out; nerwb writes the wheel, offline.
    nerwb's own components (number phrases, acronyms, name candidates, gazetteer) are not copied in: a pipeline that uses them requires the nerwb package, which must be installed wherever it runs.
    Installed, spacy.load("en_NAME") loads it; the manifest and reports are in Path(nlp.path) / "nerwb".

    Example: nerwb package training/run-20261201T1200Z/model-best --name conflict_ner --version 1.0.0
    """
    from nerwb.errors import NerwbError
    from nerwb.package.build import PackageOptions, find_evaluations, package_model
    from nerwb.workspace import find_workspace

    try:
        ws = find_workspace(workspace_dir)
    except NerwbError:
        if workspace_dir is not None:
            raise
        ws = None  # a model folder outside any workspace packages too
    out = output or ((ws.root if ws else Path.cwd()) / "dist")
    folders = list(evaluation or [])
    if not evaluation and ws is not None and ws.evaluate_dir.is_dir():
        folders = find_evaluations(ws.evaluate_dir, model, bases=[Path.cwd(), ws.root])
    options = PackageOptions(model, out, name, version, tuple(folders), force)
    with show_steps(console, "Building the package"):
        report = package_model(options)
    _show_package(report, model)


def _show_package(report, model: Path) -> None:
    console.print(f"[green]Built[/] {report.wheel}")
    console.print(
        f"Install it with `pip install {report.wheel.name}`, load it with "
        f'spacy.load("{report.name}").'
    )
    if report.requirements:
        console.print(f"Requires: {', '.join(report.requirements)}")
    if report.nerwb_required:
        console.print(
            "The pipeline uses nerwb's components: nerwb must be installed where it runs."
        )
    shipped = [f"training manifest ({report.manifest})"] if report.manifest else []
    shipped += [f"evaluation {folder}" for folder in report.evaluations]
    if shipped:
        console.print(f"Included under nerwb/ in the pipeline's data: {'; '.join(shipped)}")
    if report.manifest is None:
        warn(f"{model.parent} has no manifest.json (not a nerwb run folder): none included")
    if not report.evaluations:
        warn("no evaluation of this model was found to include; pass --evaluation FOLDER")
