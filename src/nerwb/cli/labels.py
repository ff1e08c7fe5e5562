"""``nerwb labels``: the schema, imports, audit, agreement, merge and conversion to spaCy."""

from __future__ import annotations

import typer
from rich.table import Table

from nerwb.cli._common import NerwbGroup, console, workspace
from nerwb.cli._options import WorkspaceOpt
from nerwb.labels.schema import load_schema

labels_app = typer.Typer(cls=NerwbGroup, help="Label schema and annotations.", no_args_is_help=True)


@labels_app.command("show")
def show_cmd(workspace_dir: WorkspaceOpt = None) -> None:
    """Print the label schema (labels/labels.yml) as a table.

    Example: nerwb labels show
    """
    ws = workspace(workspace_dir)
    schema = load_schema(ws.schema_path)
    table = Table(title=str(ws.schema_path.relative_to(ws.root)))
    for column in ("name", "key", "colour", "description"):
        table.add_column(column)
    for label in schema.labels:
        table.add_row(
            f"[{label.text_color} on {label.color}] {label.name} [/]",
            label.key or "",
            label.color,
            label.description,
        )
    console.print(table)
