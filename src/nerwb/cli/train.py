"""``nerwb train`` and ``nerwb train-curve``."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nerwb.cli._common import console, err_console, fail, lock_wait, warn, workspace
from nerwb.cli._options import NoWaitOpt, WaitOpt, WorkspaceOpt
from nerwb.cli._progress import show_progress, show_wait
from nerwb.io import check_output_folder
from nerwb.progress import ProgressEvent

if TYPE_CHECKING:
    from nerwb.training.run import StepEvent

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


def train_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Run folder (default: training/<config>-<UTC time>)."),
    ] = None,
    train_data: Annotated[
        Path | None, typer.Option("--train", help="Training DocBin (default: labels/train.spacy).")
    ] = None,
    dev_data: Annotated[
        Path | None,
        typer.Option("--dev", help="Dev DocBin for model selection (default: labels/dev.spacy)."),
    ] = None,
    gpu_id: Annotated[int, typer.Option("--gpu-id", "-g", help="GPU to use; -1 for CPU.")] = -1,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an output folder that holds another run.")
    ] = False,
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
    from nerwb.training.config import load_training_config, parse_overrides
    from nerwb.training.gpu import check_gpu
    from nerwb.training.run import (
        TrainingInterrupted,
        evaluation_line,
        log_while_running,
        train,
    )

    ws = workspace(workspace_dir)
    overrides = parse_overrides(ctx.args)
    flag = base_model is not None
    config_path, base_model = _config_and_base(ws, config, base_model)
    # A made-up name is stamped to the second: train() adds a suffix if another run took it.
    unique = output is None
    output = output or ws.run_folder(ws.training_dir, config_path.stem)
    check_gpu(gpu_id)
    check_output_folder(output)
    max_steps = int(load_training_config(config_path, overrides)["training"].get("max_steps") or 0)
    say_base(ws, config_path, overrides, base_model, flag)
    # Not a terminal (a log file, CI, nohup): no progress bar to watch, so one line per evaluation.
    plain = not console.is_terminal
    # train() sends sys.stdout to train.log while spaCy runs: the lines go to this stream.
    stdout = sys.stdout

    def claimed(event: ProgressEvent) -> None:
        folder = Path(event.item or "")
        if plain:
            console.print(f"Training into {folder}; log as it goes: {log_while_running(folder)}")

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
        best = [0.0]

        def on_step(event: StepEvent) -> None:
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

        try:
            result = train(
                ws,
                config_path=config_path,
                output=output,
                train_path=train_data,
                dev_path=dev_data,
                overrides=overrides,
                gpu_id=gpu_id,
                force=force,
                base_model=base_model,
                on_step=on_step,
                lock_wait=lock_wait(wait, no_wait),
                on_lock_wait=show_wait(err_console),
                unique_output=unique,
                on_claimed=claimed,
            )
        except TrainingInterrupted as stopped:
            bar.stop()
            console.print(table)
            err_console.print(f"[yellow]Interrupted:[/] {escape(str(stopped))}")
            raise typer.Exit(130) from None
        except KeyboardInterrupt:
            bar.stop()
            err_console.print(
                "[yellow]Interrupted before the first evaluation:[/] no model to keep."
            )
            raise typer.Exit(130) from None
        # Freeze the bar's clock at the end of the run (Rich froze it when the last step came,
        # before the models were saved), so that its last frame and the summary agree.
        elapsed = timedelta(seconds=int(bar.freeze()))
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
    """``--fractions`` as numbers: each a share in (0, 1], none twice."""
    try:
        shares = [float(f) for f in fractions.split(",") if f.strip()]
    except ValueError:
        raise fail(f"--fractions {fractions!r}: expected numbers like 0.25,0.5,1.0") from None
    if not shares or any(not 0 < f <= 1 for f in shares):
        raise fail(
            f"--fractions {fractions!r}: each is a share of the training articles in (0, 1], "
            "e.g. 0.25,0.5,1.0"
        )
    repeated = sorted({f for f in shares if shares.count(f) > 1})
    if repeated:
        raise fail(
            f"--fractions {fractions!r} repeats {', '.join(f'{f:g}' for f in repeated)}: give "
            "each share once (--seeds runs a share several times)"
        )
    return shares


def train_curve_cmd(
    ctx: typer.Context,
    config: ConfigOpt = None,
    fractions: Annotated[
        str, typer.Option(help="Shares of the training articles.")
    ] = "0.25,0.5,0.75,1.0",
    seeds: Annotated[int, typer.Option(help="Runs per share, with different seeds.")] = 1,
    target: Annotated[float, typer.Option(help="Dev F each label should reach.")] = 0.8,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for curve.json and curve.png.")
    ] = None,
    base_model: BaseModelOpt = None,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Train on growing shares of the training data; per-label dev F and articles still needed.

    Example: nerwb train-curve --fractions 0.25,0.5,1.0 --seeds 2 --training.max_steps 300
    """
    # the options first, before spaCy loads: a typo costs nothing
    shares = _curve_shares(fractions)
    if seeds < 1:
        raise fail(f"--seeds {seeds}: give at least 1 run per share")
    if not 0 < target <= 1:
        raise fail(f"--target {target}: give the dev F to reach, between 0 and 1 (e.g. 0.8)")
    from nerwb.evaluate.novelty import Novelty
    from nerwb.training.config import parse_overrides
    from nerwb.training.curve import train_curve, write_curve

    ws = workspace(workspace_dir)
    overrides = parse_overrides(ctx.args)
    config_path, base_model = _config_and_base(ws, config, base_model)
    out = output or ws.run_folder(ws.training_dir, "curve")
    with show_progress(console, "Learning curve", total=len(shares) * seeds, unit="run") as bar:
        report = train_curve(
            ws,
            config_path=config_path,
            train_path=ws.docbin_path("train"),
            dev_path=ws.docbin_path("dev"),
            fractions=shares,
            seeds=seeds,
            target=target,
            overrides=overrides,
            base_model=base_model,
            on_progress=bar,
        )
    data_path, plot_path = write_curve(report, out)
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
    from nerwb.select.pool import unseen_in_unpushed  # spaCy, via the name candidates

    unseen, pool = unseen_in_unpushed(ws, ["train"])
    console.print(
        f"Unseen name candidates left in the unpushed pool: {unseen} in {pool} train segment(s) "
        "(not among the labelled data's names; `nerwb select --select novel` picks the segments "
        "holding most)."
    )
    console.print(f"Wrote {data_path} and {plot_path}")
