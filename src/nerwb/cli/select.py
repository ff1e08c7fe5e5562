"""``nerwb select``: rank the unpushed segments to label next, without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nerwb.cli._common import console, workspace
from nerwb.cli._options import ModelOpt, SeedOpt, WorkspaceOpt, comma_list, output_option
from nerwb.cli._ranking import default_order_help, selection_for, show_ranking
from nerwb.select.strategies import SelectStrategy


def select_cmd(
    strategy: Annotated[
        SelectStrategy | None,
        typer.Option(
            "--select",
            help="How to rank the unpushed segments (default: the loop's, "
            f"{default_order_help()}).",
            show_default=False,
        ),
    ] = None,
    model: ModelOpt = None,
    n: Annotated[int, typer.Option("--n", help="How many segments to choose.")] = 20,
    split: Annotated[str, typer.Option(help="Comma-separated splits to choose from.")] = "train",
    seed: SeedOpt = None,
    output: Annotated[Path | None, output_option("The ranked list (JSONL).")] = None,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Rank the segments no push has uploaded yet: segment id, score, length, why.

    Example: nerwb select --select uncertain --model training/run/model-best --n 20
    Example: nerwb select --n 20   (the loop's default strategy)
    """
    from nerwb.select.pool import SelectOptions, select_unpushed

    ws = workspace(workspace_dir)
    selection = selection_for(ws, strategy, model, n, seed)
    options = SelectOptions(selection, tuple(comma_list(split)), output)
    report = select_unpushed(ws, options)
    show_ranking(
        report.ranked,
        title=f"{selection.strategy}: {len(report.ranked)} of {report.pool} unpushed segments",
    )
    if len(report.ranked) < n:
        console.print(f"[yellow]Asked for {n}; only {len(report.ranked)} segment(s) are left.[/]")
    console.print(
        f"Unseen name candidates (not among the labelled data's names): {report.unseen_in_pool} "
        f"in the unpushed pool, {report.unseen_left} left once this batch is labelled."
    )
    console.print(f"Ranked list: {report.path}")
