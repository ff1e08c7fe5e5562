"""Each command only parses, calls and renders (issue 31, item 2): no command function is over
60 lines. A command that grows past it hands its work to a use case (an options object and a
library call) and its tables to helpers beside it."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from nerwb.cli.main import LAZY_COMMANDS, LAZY_GROUPS, _resolve, app

MAX_LINES = 60  # decorators, signature, docstring and body


def command_functions() -> dict[str, Callable]:
    """Every command of the real CLI by what a user types (``doccano push``), with the function
    Typer calls for it."""
    found = {info.name: info.callback for info in app.registered_commands}
    found.update({name: _resolve(entry.target) for name, entry in LAZY_COMMANDS.items()})
    for group, entry in LAZY_GROUPS.items():
        for info in _resolve(entry.target).registered_commands:
            found[f"{group} {info.name}"] = info.callback
    return found


def test_no_command_function_is_over_60_lines() -> None:
    too_long = {}
    for name, function in command_functions().items():
        lines, _ = inspect.getsourcelines(function)
        if len(lines) > MAX_LINES:
            too_long[name] = len(lines)
    assert too_long == {}, f"commands over {MAX_LINES} lines: {too_long}"


def test_the_measure_sees_every_command() -> None:
    commands = command_functions()
    assert {
        "init",
        "train",
        "train-curve",
        "evaluate",
        "compare",
        "predict",
        "package",
        "select",
        "demo",
        "corpus add",
        "labels convert",
        "doccano push",
        "doccano pull",
    } <= set(commands)
    assert all(callable(f) and f.__name__.endswith("_cmd") for f in commands.values())
    # the longest before this rule: push's command was 158 lines on aa70df1
    assert len(inspect.getsourcelines(commands["doccano push"])[0]) <= MAX_LINES
