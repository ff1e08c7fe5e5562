"""The ``nerwb`` command: one Typer app with a sub-app per stage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nerwb import __version__
from nerwb.cli._common import HELP_OPTIONS, NerwbGroup, console
from nerwb.cli._options import comma_list
from nerwb.cli.corpus import corpus_app
from nerwb.cli.demo import demo_cmd
from nerwb.cli.doccano import doccano_app
from nerwb.cli.evaluate import compare_cmd, evaluate_cmd
from nerwb.cli.labels import labels_app
from nerwb.cli.predict import predict_cmd
from nerwb.cli.select import select_cmd
from nerwb.cli.train import OVERRIDES_EPILOG, train_cmd, train_curve_cmd
from nerwb.workspace import init_workspace

app = typer.Typer(
    cls=NerwbGroup,
    name="nerwb",
    help="Annotation and training workbench for custom named-entity recognition.\n\n"
    "Example: nerwb init myproject && cd myproject && nerwb corpus add articles/",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
    # Click passes help_option_names down to every group and command below.
    context_settings=HELP_OPTIONS,
)
app.add_typer(corpus_app, name="corpus")
# cli/doccano.py and cli/labels.py define their groups; their help, with an example, is set here.
app.add_typer(
    doccano_app,
    name="doccano",
    help="Run and talk to Doccano.\n\nExample: nerwb doccano up && nerwb doccano push --annotators amira,ben",
)
app.add_typer(
    labels_app,
    name="labels",
    help="Import, audit, measure, merge and convert annotations.\n\n"
    "Example: nerwb labels merge --strategy majority && nerwb labels convert",
)
_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
app.command("train", context_settings=_PASS_THROUGH, epilog=OVERRIDES_EPILOG)(train_cmd)
app.command("train-curve", context_settings=_PASS_THROUGH, epilog=OVERRIDES_EPILOG)(train_curve_cmd)
app.command("evaluate")(evaluate_cmd)
app.command("compare")(compare_cmd)
app.command("predict")(predict_cmd)
app.command("demo")(demo_cmd)
app.command("select")(select_cmd)


def _version(value: bool) -> None:
    if value:
        console.print(f"nerwb {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """nerwb: corpus → Doccano → labels → training → evaluation, from one CLI."""


@app.command("init")
def init_cmd(
    directory: Annotated[Path, typer.Argument(help="Folder to make into a workspace.")],
    name: Annotated[str | None, typer.Option(help="Project name (default: folder name).")] = None,
    language: Annotated[str, typer.Option(help="spaCy language code.")] = "en",
    base_model: Annotated[
        str | None,
        typer.Option(
            "--base-model",
            help="Installed spaCy pipeline or folder to train on top of: training then "
            "defaults to configs/ner-pretrained.cfg with it.",
        ),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels",
            help='The label schema: names ("ORG,PERSON,WEAPON"), a labels.yml to copy, or "" '
            "for an empty one that `labels import --add-labels` fills (default: conflict news).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a workspace with a label schema (conflict news unless --labels) and training configs.

    Example: nerwb init conflict-news
    Example: nerwb init conflict-news --base-model en_core_web_sm
    Example: nerwb init re3d --labels ""
    """
    schema_text = None if labels is None else _schema_text(labels)
    if base_model:
        from nerwb.training.base_model import find_base_pipeline  # spaCy: only with --base-model

        # checked now, not at the first `nerwb train`, so a typo costs nothing
        base = find_base_pipeline(base_model, language=language)
        # a folder is kept absolute: `nerwb train` runs from anywhere in the workspace
        base_model = base.location if Path(base.location).is_absolute() else base.requested
    ws = init_workspace(
        directory, name=name, language=language, base_model=base_model, schema_text=schema_text
    )
    console.print(f"[green]Created workspace[/] {ws.root} (project {ws.config.project.name!r})")
    if base_model:
        console.print(
            f"Training defaults to {ws.config.training.config} on {base.name} {base.version}."
        )
    console.print("Next: cd into it, then `nerwb corpus add PATH...` and `nerwb corpus split`.")


def _schema_text(labels: str) -> str:
    """The labels.yml ``--labels`` asks for: a file's own text (checked), or one made of names."""
    from nerwb.labels.schema import load_schema, schema_text_for

    given = Path(labels)
    if labels.endswith((".yml", ".yaml")) or given.is_file():
        load_schema(given)  # refuses a missing or invalid file, naming it
        return given.read_text(encoding="utf-8")
    return schema_text_for(comma_list(labels))


def main() -> None:
    app()
