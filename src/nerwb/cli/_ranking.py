"""``--select``, ``--model``, ``--n`` and the ranking table, shared by ``nerwb select`` and
``nerwb doccano push --select`` (so neither command module imports the other)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from nerwb.cli._common import console
from nerwb.loop import default as loop_default
from nerwb.select.strategies import Selection, SelectStrategy, load_selection_model


def default_order_help() -> str:
    """The loop's default order as a help text says it: one strategy, or the one without a
    model and the one with."""
    table = loop_default.DEFAULT_LOOP
    if table.first == table.then:
        return f"{table.first}, with or without --model"
    return f"{table.first} without --model, {table.then} with one"


def selection_for(
    ws, strategy: SelectStrategy | None, model: Path | None, n: int | None, seed: int | None
):
    """``--select/--model/--n`` as a ``Selection`` (None with neither --select nor --n); loads
    the model. ``--n`` without ``--select`` ranks by the loop's default (``DEFAULT_LOOP``:
    its first strategy without ``--model``, its later one with)."""
    from nerwb.labels.schema import load_schema

    if strategy is None and n is None:
        if model is not None:
            raise typer.BadParameter("--model goes with --select or --n", param_hint="--model")
        return None
    chosen = strategy or loop_default.DEFAULT_LOOP.strategy(has_model=model is not None)
    if n is None:
        raise typer.BadParameter("how many segments? e.g. --n 20", param_hint="--n")
    nlp = load_selection_model(model, load_schema(ws.schema_path)) if model else None
    return Selection(
        chosen, n, nlp, str(model or ""), ws.config.corpus.seed if seed is None else seed
    )


WHY_CHARS = 80  # the ranking's `why` in a table; the ranked list file keeps it whole


def short_why(why: str, limit: int = WHY_CHARS) -> str:
    return why if len(why) <= limit else why[: limit - 1].rstrip(" ,;") + "…"


def show_ranking(ranked, *, title: str, limit: int = 30) -> None:
    table = Table(title=title)
    for column in ("rank", "segment", "score", "chars", "why"):
        table.add_column(
            column, justify="right" if column in ("rank", "score", "chars") else "left"
        )
    for r in ranked[:limit]:
        table.add_row(
            str(r.rank), r.segment_id, f"{r.score:.3f}", str(r.chars), escape(short_why(r.why))
        )
    console.print(table)
