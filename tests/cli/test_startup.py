"""Start-up: the CLI imports spaCy, scikit-learn and httpx only where a command runs them.

Checked in a fresh interpreter (the test session itself has long imported everything). The
timings live in bench/startup.py; this test guards the cause of a slow start.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import click
import pytest
import typer
from typer.testing import CliRunner

from nerwb.cli.main import LAZY_COMMANDS, LAZY_GROUPS, app, load_lazy

HEAVY = ("spacy", "sklearn", "thinc", "httpx", "numpy")


def _loaded_after(code: str) -> dict[str, bool]:
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_startup_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import nerwb.cli.main")
    assert loaded == dict.fromkeys(HEAVY, False)


@pytest.mark.parametrize("args", [["--help"], ["doccano", "status"], ["labels", "import", "-h"]])
def test_startup_light_commands_load_no_heavy_library(tmp_path, args) -> None:
    # `doccano status` without a running server reads the pid files and says so (exit 1).
    ws = tmp_path / "ws"
    argv = [*args, "-w", str(ws)] if args[0] == "doccano" else args
    code = (
        "from nerwb.cli.main import app\n"
        "from pathlib import Path\n"
        "from nerwb.workspace import init_workspace\n"
        f"init_workspace(Path({str(ws)!r}))\n"
        "try:\n"
        f"    app({argv!r}, standalone_mode=False)\n"
        "except BaseException:\n"
        "    pass\n"
    )
    loaded = _loaded_after(code)
    assert not loaded["spacy"] and not loaded["sklearn"], loaded


# the command modules main.py loads lazily, and the workspace model with pydantic, which
# cli/_common.py and nerwb.lock import only where used (nerwb.lock itself is light)
COMMAND_MODULES = (
    *(f"nerwb.cli.{m}" for m in ("corpus", "doccano", "labels", "evaluate", "predict", "select")),
    *("nerwb.cli.train", "nerwb.cli.demo", "nerwb.workspace", "pydantic"),
)


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from nerwb.cli.main import app\n"
        "try:\n"
        f"    app({argv!r}, standalone_mode=False)\n"
        "except BaseException:\n"
        "    pass\n"
        f"print('LOADED', *(m for m in {COMMAND_MODULES!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.splitlines()[-1].split()[1:])


def test_startup_root_help_imports_no_command_module() -> None:
    assert _modules_after(["--help"]) == set()
    assert _modules_after(["--version"]) == set()


def test_startup_a_group_imports_only_its_own_module(tmp_path) -> None:
    loaded = _modules_after(["doccano", "status", "-w", str(tmp_path)])
    assert "nerwb.cli.doccano" in loaded
    assert not loaded & {f"nerwb.cli.{m}" for m in ("corpus", "labels", "train", "predict")}


@pytest.mark.parametrize("name", [*LAZY_COMMANDS, *LAZY_GROUPS])
def test_startup_lazy_short_help_is_the_commands_own(name: str) -> None:
    # The root help lists the table's line; the command's own help must begin with it, so
    # editing a docstring without the table (or the reverse) fails here.
    command = load_lazy(name)
    first_paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0].strip()
    table = {**LAZY_COMMANDS, **LAZY_GROUPS}[name]
    assert table.short_help == first_paragraph
    assert command.name == name


def test_startup_root_help_lists_every_command_and_group(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one row per command
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    group = typer.main.get_command(app)
    names = group.list_commands(click.Context(group))
    assert names == [*LAZY_COMMANDS, "init", *LAZY_GROUPS]
    for name in names:
        assert f" {name} " in result.output
    for entry in [*LAZY_COMMANDS.values(), *LAZY_GROUPS.values()]:
        assert entry.short_help.splitlines()[0] in result.output


@pytest.mark.parametrize(("typo", "meant"), [("traim", "train"), ("docano", "doccano")])
def test_startup_a_mistyped_lazy_command_is_still_suggested(monkeypatch, typo, meant) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, [typo])
    assert result.exit_code == 2
    assert f"No such command '{typo}'. Did you mean '{meant}'?" in result.output


# What a help page may not load: the libraries above, and those only a command's work needs.
NOT_FOR_HELP = (*HEAVY, "yaml", "filelock", "matplotlib", "srsly")


def _help_pages() -> list[list[str]]:
    """The argv of every help page: each command and group, and each command of every group."""
    pages = [["--help"], *([name, "--help"] for name in [*LAZY_COMMANDS, "init", *LAZY_GROUPS])]
    for group in LAZY_GROUPS:
        command = load_lazy(group)
        pages += [[group, sub, "--help"] for sub in command.list_commands(click.Context(command))]
    return pages


# Runs in one fresh interpreter that has imported only nerwb.cli.main, as `nerwb` has at start;
# each page runs in a fork of it, so each sees that state and no page sees another's imports.
_PAGES_PROBE = """
import json, os, sys
from nerwb.cli.main import app
try:  # what Typer (0.29) loads for any command below the root (pydantic): once, here
    import typer._adapters
except ImportError:
    pass

def loaded(argv):
    try:
        app(argv, standalone_mode=False)
    except BaseException:
        pass
    models = sorted(
        name for name, module in list(sys.modules.items())
        if name.startswith("nerwb") and any(
            isinstance(v, type) and v.__module__ == name
            and any(b.__name__ == "BaseModel" for b in v.__mro__[1:])
            for v in vars(module).values()))
    return {"libraries": [m for m in NOT_FOR_HELP if m in sys.modules], "nerwb models": models}

results = {}
for argv in PAGES:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        sys.stdout = open(os.devnull, "w")  # the help text itself is not wanted here
        with os.fdopen(write, "w") as out:
            out.write(json.dumps(loaded(argv)))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        results[" ".join(argv)] = json.loads(answer.read())
    os.waitpid(pid, 0)
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def help_page_loads() -> dict[str, dict[str, list[str]]]:
    """For every help page: which of NOT_FOR_HELP it loads, and which nerwb modules it loads
    that define a pydantic model (the workspace, the records, the corpus model: a command's
    work, not its help). Typer 0.29 itself imports pydantic for any command below the root, so
    pydantic's own modules are not counted."""
    code = f"PAGES = {_help_pages()!r}\nNOT_FOR_HELP = {NOT_FOR_HELP!r}\n{_PAGES_PROBE}"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow  # runs all 33 help pages (the root and group pages stay in the fast tier)
@pytest.mark.parametrize("argv", _help_pages(), ids=lambda argv: " ".join(argv[:-1]) or "nerwb")
def test_startup_every_help_page_loads_only_the_cli(help_page_loads, argv: list[str]) -> None:
    assert help_page_loads[" ".join(argv)] == {"libraries": [], "nerwb models": []}
