"""The ``nerwb`` command: one Typer app with a sub-app per stage."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, NamedTuple

import click
import typer
from typer.core import TyperCommand

from nerwb import __version__
from nerwb.cli._common import DEBUG_META, HELP_OPTIONS, NerwbGroup, console


class Lazy(NamedTuple):
    """A command or group whose module is imported only when it runs or shows its own help."""

    target: str  # "module:attribute": a command function or a sub-app (typer.Typer)
    short_help: str  # its line in `nerwb --help`; tests/cli/test_startup.py checks it is current
    settings: Mapping[str, Any] = MappingProxyType({})  # for app.command / app.add_typer


_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
_OVERRIDES = "nerwb.cli.train:OVERRIDES_EPILOG"  # the epilog of train and train-curve

# In the order `nerwb --help` lists them: commands, then `init` (defined below), then groups.
LAZY_COMMANDS: dict[str, Lazy] = {
    "train": Lazy(
        "nerwb.cli.train:train_cmd",
        "Train a spaCy NER pipeline; extra --section.key value arguments override the config.",
        {"context_settings": _PASS_THROUGH, "epilog": _OVERRIDES},
    ),
    "train-curve": Lazy(
        "nerwb.cli.train:train_curve_cmd",
        "Train on growing shares of the training data; per-label dev F and articles still needed.",
        {"context_settings": _PASS_THROUGH, "epilog": _OVERRIDES},
    ),
    "evaluate": Lazy(
        "nerwb.cli.evaluate:evaluate_cmd",
        "Score a model on held-out data: P/R/F per label and schema, intervals, errors, reports,\n"
        "and recall on names seen and not seen in training.",
    ),
    "compare": Lazy(
        "nerwb.cli.evaluate:compare_cmd",
        "Paired bootstrap of two evaluation runs on the same documents: F difference with a "
        "95 % interval.",
    ),
    "predict": Lazy(
        "nerwb.cli.predict:predict_cmd",
        "Predict entities with a trained model; one record per article, resumable.",
    ),
    "package": Lazy(
        "nerwb.cli.package:package_cmd",
        "Build an installable package (a wheel) of a trained model, with its training manifest\n"
        "and evaluation reports.",
    ),
    "demo": Lazy(
        "nerwb.cli.demo:demo_cmd",
        "Run the whole loop on the demo corpus: Doccano, two (simulated) annotators, training, "
        "report.",
    ),
    "select": Lazy(
        "nerwb.cli.select:select_cmd",
        "Rank the segments no push has uploaded yet: segment id, score, length, why.",
    ),
}
LAZY_GROUPS: dict[str, Lazy] = {
    "corpus": Lazy("nerwb.cli.corpus:corpus_app", "Ingest, split and describe the articles."),
    # cli/doccano.py and cli/labels.py define their groups; their help, with an example, is here.
    "doccano": Lazy(
        "nerwb.cli.doccano:doccano_app",
        "Run and talk to Doccano.",
        {
            "help": "Run and talk to Doccano.\n\n"
            "Example: nerwb doccano up && nerwb doccano push --annotators amira,ben"
        },
    ),
    "labels": Lazy(
        "nerwb.cli.labels:labels_app",
        "Import, audit, measure, merge and convert annotations.",
        {
            "help": "Import, audit, measure, merge and convert annotations.\n\n"
            "Example: nerwb labels merge --strategy majority && nerwb labels convert"
        },
    ),
}


def _resolve(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(import_module(module), attribute)


def load_lazy(name: str) -> click.Command:
    """The real click command for a lazy entry, built as ``app.command``/``app.add_typer`` would."""
    holder = typer.Typer(rich_markup_mode="rich")
    if name in LAZY_GROUPS:
        entry = LAZY_GROUPS[name]
        holder.add_typer(_resolve(entry.target), name=name, **entry.settings)
    else:
        entry = LAZY_COMMANDS[name]
        settings = dict(entry.settings)
        if "epilog" in settings:
            settings["epilog"] = _resolve(settings["epilog"])
        holder.command(name, **settings)(_resolve(entry.target))
    return typer.main.get_group(holder).commands[name]


class LazyNerwbGroup(NerwbGroup):
    """The root group: lists every command from the tables above without importing it, and
    imports a command's module only when that command is looked up to run (or show its help).

    So `nerwb --help` loads none of the command modules, and `nerwb doccano status` only
    cli/doccano.py. The error boundary and help tidying are NerwbGroup's.
    """

    _listing = False  # True while the root help page is being written

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*LAZY_COMMANDS, *super().list_commands(ctx), *LAZY_GROUPS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = LAZY_COMMANDS.get(cmd_name) or LAZY_GROUPS.get(cmd_name)
        if entry is not None and cmd_name not in self.commands:
            if self._listing:
                return TyperCommand(cmd_name, help=entry.short_help)
            self.commands[cmd_name] = load_lazy(cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as err:  # the UsageError of Typer's click (0.29 vendors its own)
            # Typer suggests a name only among the commands built so far; offer the lazy ones too.
            from difflib import get_close_matches

            message = getattr(err, "message", None)
            if isinstance(message, str) and args and "Did you mean" not in message:
                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches and self.suggest_commands:
                    names = ", ".join(repr(m) for m in matches)
                    err.message = f"{message.rstrip('.')}. Did you mean {names}?"  # type: ignore[attr-defined]
            raise

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=LazyNerwbGroup,
    name="nerwb",
    help="Annotation and training workbench for custom named-entity recognition.\n\n"
    "Example: nerwb init myproject && cd myproject && nerwb corpus add articles/",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
    # Click passes help_option_names down to every group and command below.
    context_settings=HELP_OPTIONS,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"nerwb {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="On an error, show its traceback too (as NERWB_DEBUG=1 does)."
        ),
    ] = False,
) -> None:
    """nerwb: corpus → Doccano → labels → training → evaluation, from one CLI."""
    if debug:
        ctx.meta[DEBUG_META] = True


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
    from nerwb.workspace import init_workspace

    schema_text = None if labels is None else _schema_text(labels)
    if base_model:
        from nerwb.training.base_model import find_base_pipeline  # spaCy: only with --base-model

        # checked now, not at the first `nerwb train`, so a typo costs nothing
        base = find_base_pipeline(base_model, language=language)
        # a folder is kept absolute: `nerwb train` runs from anywhere in the workspace
        base_model = base.location if Path(base.location).is_absolute() else base.requested
    notes: list[str] = []
    ws = init_workspace(
        directory,
        name=name,
        language=language,
        base_model=base_model,
        schema_text=schema_text,
        notes=notes,
    )
    console.print(f"[green]Created workspace[/] {ws.root} (project {ws.config.project.name!r})")
    for note in notes:
        console.print(note[0].upper() + note[1:] + ".")
    if base_model:
        console.print(
            f"Training defaults to {ws.config.training.config} on {base.name} {base.version}."
        )
    console.print("Next: cd into it, then `nerwb corpus add PATH...` and `nerwb corpus split`.")


def _schema_text(labels: str) -> str:
    """The labels.yml ``--labels`` asks for: a file's own text (checked), or one made of names."""
    from nerwb.cli._options import comma_list
    from nerwb.labels.schema import load_schema, schema_text_for

    given = Path(labels)
    if labels.endswith((".yml", ".yaml")) or given.is_file():
        load_schema(given)  # refuses a missing or invalid file, naming it
        return given.read_text(encoding="utf-8")
    return schema_text_for(comma_list(labels))


def main() -> None:
    app()
