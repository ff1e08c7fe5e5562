"""Library errors say what is wrong; the CLI adds what to run (issue 23, item 6).

No library module outside ``nerwb.cli`` writes a ``nerwb ...`` command into a message: an error
that the user fixes by running something carries an ``ErrorKind``, which
``nerwb.cli._hints.CLI_ERROR_MAPPINGS`` turns into the advice a CLI user reads.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

import nerwb
from nerwb.cli._hints import CLI_ERROR_MAPPINGS, hint, with_hint
from nerwb.cli.main import app
from nerwb.doccano.errors import DoccanoError
from nerwb.errors import ErrorKind, NerwbError, TrainingError, WorkspaceError

SRC = Path(nerwb.__file__).parent
# every top-level command of the real CLI: `nerwb corpus`, `nerwb train-curve`, ...
_ROOT = typer.main.get_command(app)
# list_commands, not .commands: the root group loads a command's module only when it runs
COMMANDS = sorted(_ROOT.list_commands(_ROOT.context_class(_ROOT)), key=len, reverse=True)  # type: ignore[attr-defined]
NAMES_A_COMMAND = re.compile(rf"\bnerwb ({'|'.join(map(re.escape, COMMANDS))})(?![\w-])")

# Strings outside cli/ that may name a command, each for a reason: they are not advice.
ALLOWED = {
    # report.md's provenance line: says where a model came from, written into a report file
    ("evaluate/report.py", "not trained by `nerwb train`"),
    # the comment block of the labels.yml that `nerwb init` writes, for the user editing it
    ("labels/schema.py", "# Label schema:"),
}


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of ``path`` that is not a docstring (f-strings' literal parts too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_library_message_names_a_nerwb_command() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("cli/"):
            continue
        for line, text in _strings(path):
            if NAMES_A_COMMAND.search(text) and not any(
                relative == where and marker in text for where, marker in ALLOWED
            ):
                found.append(f"{relative}:{line}: {text[:80]!r}")
    assert found == [], "advice belongs in nerwb.cli._hints:\n" + "\n".join(found)


def test_the_scan_knows_the_commands() -> None:
    assert {"init", "corpus", "labels", "doccano", "train", "train-curve", "predict"} <= set(
        COMMANDS
    )


def test_the_scan_sees_an_f_string_naming_a_command(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Doc: `nerwb train`."""\nx = f"{1}: run `nerwb labels merge` first"\n')
    hits = [text for _, text in _strings(module) if NAMES_A_COMMAND.search(text)]
    assert hits == [": run `nerwb labels merge` first"]


def test_every_kind_has_advice_that_names_what_to_run() -> None:
    assert set(CLI_ERROR_MAPPINGS) == set(ErrorKind)
    for kind, advice in CLI_ERROR_MAPPINGS.items():
        assert "nerwb " in advice or "--" in advice, kind


def test_the_cli_line_is_the_fact_then_the_advice() -> None:
    err = TrainingError(
        "training data labels/train.spacy does not exist",
        kind=ErrorKind.NO_DOCBIN,
        path="labels/train.spacy",
        setting="paths",
    )
    assert str(err) == "training data labels/train.spacy does not exist"
    assert with_hint(err) == (
        "training data labels/train.spacy does not exist; run `nerwb labels convert` or fix the path"
    )
    assert err.path == "labels/train.spacy"
    assert with_hint(NerwbError("plain")) == "plain" and hint(NerwbError("plain")) == ""


def test_a_doccano_errors_status_and_url_follow_the_advice() -> None:
    err = DoccanoError(
        "cannot reach the Doccano server (ConnectError: refused)",
        url="http://127.0.0.1:9/v1/me",
        kind=ErrorKind.SERVER_UNREACHABLE,
    )
    assert err.url == "http://127.0.0.1:9/v1/me" and err.status is None
    assert with_hint(err) == (
        "cannot reach the Doccano server (ConnectError: refused); is it running? "
        "(`nerwb doccano status`) | http://127.0.0.1:9/v1/me"
    )


def test_outside_a_workspace_the_cli_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["corpus", "stats", "-w", str(tmp_path)])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "is not inside a nerwb workspace" in said
    assert "run `nerwb init DIR` to make one, or pass --workspace DIR" in said


def test_the_library_error_carries_the_kind_and_path(tmp_path: Path) -> None:
    from nerwb.workspace import find_workspace

    try:
        find_workspace(tmp_path)
    except WorkspaceError as err:
        assert err.kind is ErrorKind.NO_WORKSPACE and err.path == tmp_path.resolve()
        assert "nerwb init" not in str(err)
    else:
        raise AssertionError("no workspace in an empty folder")
