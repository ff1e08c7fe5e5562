"""The command reference, ``docs/commands.md``, written from the Typer app itself.

``python -m nerwb.cli.reference docs/commands.md`` (``make docs``) writes it; a test writes it
again and compares, so the reference cannot drift from the commands: a new option, a changed
default or help text shows up as a difference to commit. Like ``spacy/cli``'s documentation
tables, it is made from the same objects that parse the command line.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from nerwb.cli.main import app

# Typer (0.29) builds on its own copy of Click, so these are its objects; they are used by the
# attributes Click documents (params, opts, help, list_commands), not by isinstance.
Command = Any
Context = Any
# Typer's shell-completion options on the root: Typer's, and worded after the shell it detects
TYPERS_OWN = frozenset({"install_completion", "show_completion"})

HEADER = """# Command reference

Every command of `nerwb`, with its arguments and options as `nerwb COMMAND --help` shows them.
Written by `python -m nerwb.cli.reference docs/commands.md` (`make docs`) from the commands
themselves; `tests/cli/test_reference.py` fails when it is out of date. The README has the loop
these commands make; [troubleshooting.md](troubleshooting.md) has every message they can print.
"""


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped, Rich's escapes undone."""
    return " ".join(text.replace("\\[", "[").split()).replace("|", "\\|")


def _default(param: Any) -> str:
    value = param.default
    if getattr(param, "is_flag", False) or value is None or value == () or value is False:
        return ""
    if callable(value):
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, list | tuple):
        value = ",".join(str(v.value if isinstance(v, Enum) else v) for v in value)
    return f"`{value}`"


def _kind(param: Any, ctx: Context) -> str:
    """What an option takes, as its help shows it (``<int>``, ``error|expand|...``)."""
    if getattr(param, "is_flag", False):
        return "flag"
    shown = param.display_type(ctx) if hasattr(param, "display_type") else ""
    return _cell(shown.removeprefix("<").removesuffix(">"))


def _is_group(command: Command) -> bool:
    return hasattr(command, "list_commands")


def _context(command: Command, name: str, parent: Context | None = None) -> Context:
    return command.context_class(command, info_name=name, parent=parent)


def _option_rows(command: Command, ctx: Context) -> list[str]:
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False) or param.param_type_name == "argument":
            continue
        if param.name in TYPERS_OWN:
            continue
        names = ", ".join(f"`{o}`" for o in sorted(param.opts, key=len, reverse=True))
        if getattr(param, "secondary_opts", None):
            names += ", " + ", ".join(f"`{o}`" for o in param.secondary_opts)
        help_text = _cell(getattr(param, "help", None) or "")
        required = " (required)" if param.required else ""
        kind = _kind(param, ctx)
        rows.append(f"| {names} | {kind} | {_default(param)} | {help_text}{required} |")
    return rows


def _argument_rows(command: Command) -> list[str]:
    rows = []
    for param in command.params:
        if param.param_type_name != "argument":
            continue
        many = "..." if param.nargs == -1 else ""
        need = "required" if param.required else "optional"
        help_text = _cell(getattr(param, "help", None) or "")
        name = (getattr(param, "metavar", None) or param.name).upper()
        rows.append(f"| `{name}{many}` | {need} | {help_text} |")
    return rows


def _help_blocks(help_text: str) -> list[str]:
    """A command's help: its paragraphs as text, its ``Example:`` lines as one shell block."""
    prose, examples = [], []
    for paragraph in help_text.replace("\\[", "[").split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        kept = [line for line in lines if not line.startswith("Example:")]
        examples += [line.removeprefix("Example:").strip() for line in lines if line not in kept]
        if kept:
            prose.append(" ".join(kept))
    blocks = [p + "\n" for p in prose]
    if examples:
        blocks.append("```bash\n" + "\n".join(examples) + "\n```\n")
    return blocks


def _section(path: str, command: Command, parent: Context) -> list[str]:
    ctx = _context(command, path.rsplit(" ", 1)[-1], parent)
    usage = " ".join(command.collect_usage_pieces(ctx))
    out = [f"## `{path}`\n", *_help_blocks(command.help or "")]
    out.append(f"Usage: `{path} {usage}`\n")
    if arguments := _argument_rows(command):
        out += ["| argument | | what |", "| --- | --- | --- |", *arguments, ""]
    if options := _option_rows(command, ctx):
        out += ["| option | takes | default | what |", "| --- | --- | --- | --- |", *options, ""]
    if command.epilog:
        out.append(_cell(command.epilog) + "\n")
    return out


def _commands(group: Command, ctx: Context, prefix: str) -> list[tuple[str, Command, Context]]:
    """Every command below ``group``: its path (``nerwb doccano push``), itself and the context
    of the group it is in."""
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or getattr(command, "hidden", False):
            continue
        path = f"{prefix} {name}"
        found.append((path, command, ctx))
        if _is_group(command):
            found += _commands(command, _context(command, name, ctx), path)
    return found


def command_reference() -> str:
    """``docs/commands.md``: every command and group, in the order ``--help`` lists them."""
    root = typer.main.get_command(app)
    ctx = _context(root, "nerwb")
    out = [HEADER, "## `nerwb`\n", *_help_blocks(root.help or "")]
    out += ["| option | takes | default | what |", "| --- | --- | --- | --- |"]
    out += [*_option_rows(root, ctx), ""]
    for path, command, parent in _commands(root, ctx, "nerwb"):
        if _is_group(command):
            sub = _context(command, path.rsplit(" ", 1)[-1], parent)
            names = ", ".join(f"`{n}`" for n in command.list_commands(sub))
            out += [f"## `{path}`\n", *_help_blocks(command.help or ""), f"Commands: {names}.\n"]
        else:
            out += _section(path, command, parent)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write the reference to the file named first in ``argv`` (default: stdout)."""
    args = sys.argv[1:] if argv is None else argv
    text = command_reference()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
