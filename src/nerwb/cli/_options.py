"""Shared ``Annotated`` option types, so every command spells its options the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: the one holding the current folder).",
        file_okay=False,
        show_default=False,
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Random seed (default: from nerwb.toml).")
]
# `doccano up` and `demo`: a TCP port, checked here so that 0 or 70000 is refused before any work.
PORT_RANGE = (1, 65535)


def port_option(help: str) -> Any:
    """``--port`` on 127.0.0.1, spelled once with its range; each command says its default."""
    return typer.Option("--port", min=PORT_RANGE[0], max=PORT_RANGE[1], help=help)


# `nerwb evaluate` and `nerwb compare`: intervals from resampling the documents.
BootstrapOpt = Annotated[
    int, typer.Option("--bootstrap", help="Bootstrap resamples (of the documents).")
]
BootstrapSeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
SnapshotOpt = Annotated[
    Path | None,
    typer.Option(
        "--snapshot",
        help="A pull snapshot folder, labels/pulls/<time> (default: the latest).",
        file_okay=False,
        show_default=False,
    ),
]

# Active learning: shared by `doccano push --select` and `nerwb select`.
ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model",
        "-m",
        help="A trained pipeline folder (training/<run>/model-best) or an installed pipeline "
        "package (en_core_web_sm).",
        file_okay=False,
    ),
]

# `doccano push` and `labels review`: passwords go to a 0600 file, never to a captured log.
ShowPasswordsOpt = Annotated[
    bool,
    typer.Option(
        "--show-passwords",
        help="Also print new accounts' passwords (on a terminal only; they are always kept in "
        ".nerwb/doccano/annotators.json, mode 0600).",
    ),
]


def output_option(help: str) -> Any:
    """``--output`` / ``-o``, spelled once; each command says what it writes and its default."""
    return typer.Option("--output", "-o", help=help)


def comma_list(value: str | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``: the one parser for comma-separated options."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


# The workspace lock (nerwb.lock): every command that writes shared workspace state takes both.
WaitOpt = Annotated[
    float | None,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        min=0,
        help="How long to wait while another nerwb command writes to this workspace "
        "(default: $NERWB_LOCK_WAIT, else 600).",
        show_default=False,
    ),
]
NoWaitOpt = Annotated[
    bool,
    typer.Option(
        "--no-wait", help="Fail at once if another nerwb command is writing to this workspace."
    ),
]
