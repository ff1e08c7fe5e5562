"""``--select``, ``--model``, ``--n`` and the ranking table, shared by ``nerwb select`` and
``nerwb doccano push --select`` (so neither command module imports the other)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from nerwb.cli._common import console
from nerwb.select.strategies import Selection, load_selection_model


def selection_for(ws, strategy: str | None, model: Path | None, n: int | None, seed: int | None):
    """``--select/--model/--n`` as a ``Selection`` (None without --select); loads the model."""
    from nerwb.labels.schema import load_schema

    if strategy is None:
        if model is not None or n is not None:
            raise typer.BadParameter("--model and --n go with --select", param_hint="--select")
        return None
    chosen = strategy
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
