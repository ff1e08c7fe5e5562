"""What every command group shares: consoles, the workspace lookup, the error boundary."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from typer.core import TyperGroup

from nerwb.cli._hints import Where, explain
from nerwb.errors import NerwbError
from nerwb.io import os_error_message

if TYPE_CHECKING:  # imported where used: `nerwb --help` should not load pydantic and the lock
    from nerwb.workspace import Workspace

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}


# Columns a table may take when output is not a terminal (a pipe, a log, CI): Rich would
# squeeze every table into 80 and cut or fold its cells ("ARMED…"); a table takes only the
# width it needs, so this is a ceiling, not a size.
PLAIN_WIDTH = 512


class _Console(Console):
    """Wraps long lines only on a terminal: in a file or a pipe a path or URL stays one line,
    and a table gets the width it needs instead of 80 columns. ``COLUMNS`` (or an explicit
    width) still decides where it is set.

    Decided at each print, since tests and shells swap ``sys.stdout`` after import.
    """

    @property  # type: ignore[override]
    def soft_wrap(self) -> bool:
        return self._soft_wrap or not self.is_terminal

    @soft_wrap.setter
    def soft_wrap(self, value: bool) -> None:
        self._soft_wrap = value

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or self._width is not None or "COLUMNS" in self._environ:
            return size
        return ConsoleDimensions(max(size.width, PLAIN_WIDTH), size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


console = _Console(highlight=False)
err_console = _Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, *, code: str | None = None) -> typer.Exit:
    """Print ``error: message`` (``error[E003]: ...`` with a code) and return the exit to raise."""
    head = f"error[{code}]:" if code else "error:"
    err_console.print(f"[bold red]{escape(head)}[/] {escape(message)}")
    return typer.Exit(1)


# NERWB_DEBUG=1 (or the root --debug option): an error shows its traceback above its line.
DEBUG_ENV = "NERWB_DEBUG"
DEBUG_META = "nerwb.debug"  # in click's ctx.meta, which a command's context shares with its group's


def debugging(ctx: click.Context) -> bool:
    if ctx.meta.get(DEBUG_META):
        return True
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _show_traceback(err: BaseException) -> None:
    text = "".join(traceback.format_exception(err))
    err_console.print(text.rstrip(), markup=False, highlight=False)


def where_of(command: click.Command | None, ctx: click.Context | None) -> Where:
    """The command that ran, and its parameters as the user types them, for an error's advice."""
    if command is None or ctx is None:
        return Where()
    flags = {}
    for param in command.params:
        if not param.name:
            continue
        if getattr(param, "param_type_name", "") == "argument":
            flags[param.name] = (getattr(param, "metavar", None) or param.name).upper()
        else:  # the long spelling: --output, not -o
            flags[param.name] = max(param.opts, key=len)
    return Where(command=f"{ctx.command_path} {command.name}".strip(), flags=flags)


def _flags_without_type(command: click.Command, ctx: click.Context) -> None:
    """A flag takes no value, so its help row shows no type (Typer would print ``<bool>``)."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


class NerwbGroup(TyperGroup):
    """The error boundary: a ``NerwbError`` from any command becomes a red line and exit 1, with
    the flags of the command that ran and the advice for its kind (``nerwb.cli._hints``); so
    does an ``OSError`` (a folder that cannot be written, a disk full), naming the path. With
    NERWB_DEBUG=1 (or ``nerwb --debug``) the traceback comes first.

    Also where the help pages of its commands are tidied (flags shown without a type).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NerwbError as err:
            if debugging(ctx):
                _show_traceback(err)
            raise fail(explain(err, self._where(ctx)), code=err.code) from None
        except OSError as err:
            if debugging(ctx):
                _show_traceback(err)
            raise fail(os_error_message(err)) from None

    def _where(self, ctx: click.Context) -> Where:
        name = ctx.invoked_subcommand
        command = self.commands.get(name) if name else None
        return where_of(command, ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _flags_without_type(command, ctx)
        return command

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        _flags_without_type(self, ctx)
        super().format_help(ctx, formatter)


INTERRUPTED_EXIT = 130  # a shell's code for a command stopped by Ctrl-C (SIGINT)


@contextmanager
def on_interrupt(what_changed: Callable[[], str | None]) -> Iterator[None]:
    """Ctrl-C inside: one line on stderr saying what the command had changed by then
    (``what_changed()``; None: nothing), and exit 130, instead of a bare "Aborted"."""
    try:
        yield
    except KeyboardInterrupt:
        changed = what_changed()
        err_console.print(f"[yellow]interrupted:[/] {escape(changed or 'nothing was changed')}")
        raise typer.Exit(INTERRUPTED_EXIT) from None


def workspace(path: Path | None) -> Workspace:
    from nerwb.workspace import find_workspace

    return find_workspace(path)


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/] {escape(message)}")


def show_passwords(created: dict[str, str], path: Path, *, role: str, show: bool) -> None:
    """Say which accounts were made and where their passwords are (0600), never the passwords
    themselves unless asked for on a terminal: a captured log would keep them."""
    for name in created:
        console.print(f"Created {role} [bold]{escape(name)}[/]; password in {path} (mode 0600)")
    if created and show:
        if console.is_terminal:
            for name, password in created.items():
                console.print(f"  {escape(name)}: [bold]{escape(password)}[/]")
        else:
            warn("--show-passwords shows them on a terminal only; read them from the file")


def lock_wait(wait: float | None, no_wait: bool) -> float | None:
    """Seconds to wait for the workspace lock from ``--wait``/``--no-wait`` (None: the default)."""
    return 0.0 if no_wait else wait


@contextmanager
def writing(ws: Workspace, command: str, wait: float | None, no_wait: bool) -> Iterator[None]:
    """Hold the workspace lock for a command that writes shared state, saying so if it waits."""
    from nerwb.cli._progress import show_wait
    from nerwb.lock import workspace_lock

    with workspace_lock(ws, command, wait=lock_wait(wait, no_wait), on_wait=show_wait(err_console)):
        yield
