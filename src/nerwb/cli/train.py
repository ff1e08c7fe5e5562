"""``nerwb train`` and ``nerwb train-curve``."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nerwb.cli._common import (
    INTERRUPTED_EXIT,
    console,
    err_console,
    fail,
    lock_wait,
    warn,
    workspace,
)
from nerwb.cli._options import NoWaitOpt, WaitOpt, WorkspaceOpt
from nerwb.cli._progress import show_progress, with_lock_waits
from nerwb.errors import ErrorKind, TrainingError
from nerwb.progress import ProgressEvent

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        # Typer renders help as Rich markup, where an unescaped [training] is a (lost) style tag.
        help="spaCy config (default: nerwb.toml \\[training] config, configs/ner-accuracy.cfg; "
        "with --base-model: configs/ner-pretrained.cfg).",
    ),
]
BaseModelOpt = Annotated[
    str | None,
    typer.Option(
        "--base-model",
        help="Installed spaCy pipeline or folder whose tok2vec the config sources "
        "(default: nerwb.toml \\[training] base_model).",
    ),
]


# Shown under the options: the pass-through is no Click option, so Click cannot list it.
OVERRIDES_EPILOG = (
    "Config overrides: any further --section.key value sets that setting of the spaCy config "
    "for this run only, e.g. --training.max_steps 500 or --components.ner.model.hidden_width 64 "
    "(the keys are those of the config file; a value is read as JSON, else as text)."
)


def parse_overrides(args: list[str]) -> dict[str, Any]:
    """``--section.key value`` (or ``--section.key=value``) pairs; values parsed as JSON when they can be.

    Not spaCy's ``parse_config_overrides``: it exits the process on a bad argument without
    saying which; this raises, and the error boundary says what was wrong.
    """
    overrides: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or "." not in arg:
            raise TrainingError(
                f"unexpected argument {arg!r}: config overrides look like --training.max_steps 500",
                kind=ErrorKind.BAD_CONFIG,
            )
        key, _, value = arg[2:].partition("=")
        if not value:
            if i + 1 >= len(args) or args[i + 1].startswith("--"):
                value = "true"
            else:
                i += 1
                value = args[i]
        try:
            overrides[key.replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key.replace("-", "_")] = value
        i += 1
    return overrides


def _config_and_base(ws, config: Path | None, base_model: str | None) -> tuple[Path, str | None]:
    from nerwb.workspace import PRETRAINED_CONFIG

    if config is None and base_model:
        config = ws.root / PRETRAINED_CONFIG
    config_path = config or ws.default_config_path
    if base_model is None and config_path.resolve() == ws.default_config_path.resolve():
        base_model = ws.config.training.base_model or None
    return config_path, base_model


def say_base(ws, config_path: Path, overrides: dict, base_model: str | None, flag: bool) -> None:
    """Which base pipeline a run trains on and where that was chosen; a note when nerwb.toml
    names another one (a config copied from another workspace brings its own base)."""
    from nerwb.training.run import BaseSource, base_choice
    from nerwb.workspace import CONFIG_NAME

    choice = base_choice(config_path, overrides, base_model)
    if choice is None:
        return
    requested, source = choice
    where = {
        BaseSource.GIVEN: "--base-model" if flag else f"{CONFIG_NAME} [training] base_model",
        BaseSource.OVERRIDE: "--paths.base_model",
        BaseSource.CONFIG: f"{config_path} [paths] base_model",
    }[source]
    console.print(escape(f"Base pipeline: {requested} (from {where})"))
    in_toml = ws.config.training.base_model
    if source is BaseSource.CONFIG and in_toml and in_toml != requested:
        warn(
            f"{CONFIG_NAME} names base_model {in_toml}, which applies to its own config "
            f"({ws.config.training.config}) only; this run trains on {requested} from {where}. "
            f"Pass --base-model {in_toml} to train on it"
        )


RunOutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Run folder (default: training/<config>-<UTC time>)."),
]
TrainDataOpt = Annotated[
    Path | None, typer.Option("--train", help="Training DocBin (default: labels/train.spacy).")
]
DevDataOpt = Annotated[
    Path | None,
    typer.Option("--dev", help="Dev DocBin for model selection (default: labels/dev.spacy)."),
]
GpuOpt = Annotated[int, typer.Option("--gpu-id", "-g", help="GPU to use; -1 for CPU.")]
ForceRunOpt = Annotated[
    bool, typer.Option("--force", help="Replace an output folder that holds another run.")
]


def train_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    output: RunOutputOpt = None,
    train_data: TrainDataOpt = None,
    dev_data: DevDataOpt = None,
    gpu_id: GpuOpt = -1,
    force: ForceRunOpt = False,
    base_model: BaseModelOpt = None,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Train a spaCy NER pipeline; extra --section.key value arguments override the config.

    Ctrl-C after the first evaluation keeps the run (model-best, model-last, manifest.json
    with status interrupted); before it, nothing is kept.

    Example: nerwb train --config configs/ner-fast.cfg --training.max_steps 500
    Example: nerwb train --base-model en_core_web_sm
    """
    # spaCy and thinc: imported when a command trains, so that `nerwb --help` starts quickly
    from nerwb.training.config import load_training_config
    from nerwb.training.options import TrainOptions

    ws = workspace(workspace_dir)
    overrides = parse_overrides(ctx.args)
    flag = base_model is not None
    config_path, base_model = _config_and_base(ws, config, base_model)
    options = TrainOptions(
        config=config_path,
        # A made-up name is stamped to the second: train() adds a suffix if another run took it.
        output=output or ws.run_folder(ws.training_dir, config_path.stem),
        train_data=train_data,
        dev_data=dev_data,
        overrides=overrides,
        gpu_id=gpu_id,
        force=force,
        base_model=base_model,
        unique_output=output is None,
        lock_wait=lock_wait(wait, no_wait),
    )
    max_steps = int(load_training_config(config_path, overrides)["training"].get("max_steps") or 0)
    say_base(ws, config_path, overrides, base_model, flag)
    result, table, elapsed = _train_showing_progress(ws, options, max_steps)
    _show_trained(result, table, elapsed)


def _train_showing_progress(ws, options, max_steps: int):
    """Train with a progress bar and a table of the dev scores at each evaluation (on a
    terminal), or one line per evaluation (in a log); Ctrl-C says what was kept, exit 130."""
    from nerwb.training.run import CLAIMED_STAGE, StepEvent, TrainingInterrupted, train

    # Not a terminal (a log file, CI, nohup): no progress bar to watch, so one line per evaluation.
    plain = not console.is_terminal
    # train() sends sys.stdout to train.log while spaCy runs: the lines go to this stream.
    stdout = sys.stdout
    table = Table(title="Dev scores at each evaluation")
    for column in ("step", "loss ner", "P", "R", "F", "score"):
        table.add_column(column, justify="right")
    with show_progress(
        console,
        "Training",
        total=max_steps or None,
        unit="step",
        note="best F {task.fields[best]:.3f}",
        fields={"best": 0.0},
        plain_lines=False,  # in a log, one line per evaluation (below) says more
        # Redrawing competes with the training loop for the GIL; 4 frames a second is plenty.
        refresh_per_second=4,
    ) as bar:
        on_step = _step_shower(bar, table, max_steps, plain, stdout)

        def on_progress(event: ProgressEvent) -> None:
            if isinstance(event, StepEvent):
                on_step(event)
            elif event.stage == CLAIMED_STAGE:
                _say_claimed(event, plain)

        try:
            result = train(ws, options, on_progress=with_lock_waits(on_progress, err_console))
        except TrainingInterrupted as stopped:
            bar.stop()
            console.print(table)
            err_console.print(f"[yellow]Interrupted:[/] {escape(str(stopped))}")
            raise typer.Exit(INTERRUPTED_EXIT) from None
        except KeyboardInterrupt:
            bar.stop()
            err_console.print(
                "[yellow]Interrupted before the first evaluation:[/] no model to keep."
            )
            raise typer.Exit(INTERRUPTED_EXIT) from None
        # Freeze the bar's clock at the end of the run (Rich froze it when the last step came,
        # before the models were saved), so that its last frame and the summary agree.
        elapsed = timedelta(seconds=int(bar.freeze()))
    return result, table, elapsed


def _say_claimed(event: ProgressEvent, plain: bool) -> None:
    from nerwb.training.run import log_while_running

    if plain:
        folder = Path(event.item or "")
        console.print(f"Training into {folder}; log as it goes: {log_while_running(folder)}")


def _step_shower(bar, table: Table, max_steps: int, plain: bool, stdout):
    """What each training step draws: the bar, and at an evaluation a row of ``table`` (and,
    in a log, a line)."""
    from nerwb.training.run import evaluation_line

    best = [0.0]

    def on_step(event) -> None:
        bar(ProgressEvent("Training", event.step, max_steps or None, "step"))
        if event.evaluated and plain:
            print(evaluation_line(event), file=stdout, flush=True)
        if event.evaluated:
            other = event.scores
            best[0] = max(best[0], float(event.score or 0.0))
            bar.set(best=best[0])
            table.add_row(
                str(event.step),
                f"{event.losses.get('ner', 0):.1f}",
                f"{other.ents_p or 0:.3f}",
                f"{other.ents_r or 0:.3f}",
                f"{other.ents_f or 0:.3f}",
                f"{event.score:.3f}",
            )

    return on_step


def _show_trained(result, table: Table, elapsed: timedelta) -> None:
    for message in result.notes:
        warn(message)
    console.print(table)
    per_type = result.best_scores.ents_per_type or {}
    if per_type:
        labels = Table(title="Best dev scores per label")
        for column in ("label", "P", "R", "F"):
            labels.add_column(column, justify="left" if column == "label" else "right")
        for label, s in sorted(per_type.items()):
            labels.add_row(label, f"{s.p:.3f}", f"{s.r:.3f}", f"{s.f:.3f}")
        console.print(labels)
    console.print(
        f"[green]Trained[/] in {elapsed}, {result.steps} steps; best dev F {result.best_score:.3f}. "
        f"Model: {result.output / 'model-best'}; manifest: {result.output / 'manifest.json'}"
    )


def _curve_shares(fractions: str) -> list[float]:
    """``--fractions`` as numbers (whether they are shares is the options' check)."""
    try:
        return [float(f) for f in fractions.split(",") if f.strip()]
    except ValueError:
        raise fail(f"--fractions {fractions!r}: expected numbers like 0.25,0.5,1.0") from None


FractionsOpt = Annotated[str, typer.Option(help="Shares of the training articles.")]
SeedsOpt = Annotated[int, typer.Option(help="Runs per share, with different seeds.")]
TargetOpt = Annotated[float, typer.Option(help="Dev F each label should reach.")]
CurveOutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Folder for curve.json and curve.png.")
]


def train_curve_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    fractions: FractionsOpt = "0.25,0.5,0.75,1.0",
    seeds: SeedsOpt = 1,
    target: TargetOpt = 0.8,
    output: CurveOutputOpt = None,
    base_model: BaseModelOpt = None,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Train on growing shares of the training data; per-label dev F and articles still needed.

    Example: nerwb train-curve --fractions 0.25,0.5,1.0 --seeds 2 --training.max_steps 300
    """
    from nerwb.training.options import CurveOptions

    # the options first, before the workspace is read or spaCy loads: a typo costs nothing
    options = CurveOptions(fractions=tuple(_curve_shares(fractions)), seeds=seeds, target=target)
    ws = workspace(workspace_dir)
    overrides = parse_overrides(ctx.args)
    config_path, base_model = _config_and_base(ws, config, base_model)
    options = replace(options, config=config_path, overrides=overrides, base_model=base_model)
    from nerwb.training.curve import train_curve, write_curve

    out = output or ws.run_folder(ws.training_dir, "curve")
    runs = len(options.fractions) * seeds
    with show_progress(console, "Learning curve", total=runs, unit="run") as bar:
        report = train_curve(ws, options, on_progress=bar)
    data_path, plot_path = write_curve(report, out)
    _show_curve(report, seeds, target)
    from nerwb.select.pool import unseen_in_unpushed  # spaCy, via the name candidates

    unseen, pool = unseen_in_unpushed(ws, ["train"])
    console.print(
        f"Unseen name candidates left in the unpushed pool: {unseen} in {pool} train segment(s) "
        "(not among the labelled data's names; `nerwb select --select novel` picks the segments "
        "holding most)."
    )
    console.print(f"Wrote {data_path} and {plot_path}")


def _show_curve(report, seeds: int, target: float) -> None:
    """Dev F by share, recall on seen and unseen names by share, and the estimates."""
    from nerwb.evaluate.novelty import Novelty

    table = Table(title=f"Dev F by training articles (mean over {seeds} seed(s))")
    labels = sorted({k for p in report.points for k in p.per_label})
    for column in ("share", "articles", "overall", *labels):
        table.add_column(column, justify="right")
    for p in report.points:
        mean = lambda v: sum(v) / len(v)  # noqa: E731
        table.add_row(
            f"{p.fraction:.2f}",
            str(p.articles),
            f"{mean(p.overall):.3f}",
            *(f"{mean(p.per_label.get(lab, [0.0])):.3f}" for lab in labels),
        )
    console.print(table)
    for which in ("unseen", "seen"):
        names = Table(
            title=f"Dev recall on names {which} in the run's training sample "
            f"(mean over {seeds} seed(s); precision in curve.json)"
        )
        for column in ("share", "articles", "gold", "all", *labels):
            names.add_column(column, justify="right")
        for p in report.points:
            pooled = p.names_summary(Novelty(which))
            cells = [pooled, *(p.names_summary(Novelty(which), lab) for lab in labels)]
            names.add_row(
                f"{p.fraction:.2f}",
                str(p.articles),
                f"{pooled['gold']:.0f}",
                *("—" if c["recall"] is None else f"{c['recall']['mean']:.3f}" for c in cells),
            )
        console.print(names)
    estimates = Table(title=f"More labelled articles needed to reach F {target:.2f}")
    for column in ("label", "F now", "F per doubling", "articles needed", "note"):
        estimates.add_column(column, justify="left" if column in ("label", "note") else "right")
    for e in report.estimates:
        needed = "-" if e.articles_needed is None else str(e.articles_needed)
        estimates.add_row(
            e.label, f"{e.current_f:.3f}", f"{e.slope_per_doubling:+.3f}", needed, e.note
        )
    console.print(estimates)
