"""Errors as data (issue 23 item 6, issue 31 item 4).

Library errors say what is wrong, carry a kind and fields, and name neither a ``nerwb ...``
command nor a CLI flag; the CLI spells the setting at fault as the flag of the command that ran
and adds the advice for the kind (``nerwb.cli._hints``), a sentence of its own built from the
error's fields. ``NERWB_DEBUG=1`` (or ``nerwb --debug``) shows the traceback.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import nerwb
import nerwb.errors as errors
from nerwb.cli.main import app
from nerwb.doccano.errors import DoccanoError
from nerwb.errors import ErrorKind, InputError, NerwbError, TrainingError, WorkspaceError


# Imported where used, not here: run against the tree of aa70df1 (PYTHONPATH), each test then
# fails on what it checks (the scans list the flags and the errors without a kind) instead of
# the whole file failing to import.
def _hints():
    import nerwb.cli._hints as hints

    return hints


SRC = Path(nerwb.__file__).parent
# every top-level command of the real CLI: `nerwb corpus`, `nerwb train-curve`, ...
_ROOT = typer.main.get_command(app)
# list_commands, not .commands: the root group loads a command's module only when it runs
COMMANDS = sorted(_ROOT.list_commands(_ROOT.context_class(_ROOT)), key=len, reverse=True)  # type: ignore[attr-defined]
NAMES_A_COMMAND = re.compile(rf"\bnerwb ({'|'.join(map(re.escape, COMMANDS))})(?![\w-])")
# A CLI flag: `--output`, `--on-misaligned`, a config override `--training.max_steps`.
NAMES_A_FLAG = re.compile(r"(?<![\w-])--[a-z][\w.-]*")

# Strings outside cli/ that may name a command or a flag, each for a reason: they are not
# advice in a message that a library caller would read.
ALLOWED = {
    # report.md's provenance line: says where a model came from, written into a report file
    ("evaluate/report.py", "not trained by `nerwb train`"),
    # the comment block of the labels.yml that `nerwb init` writes, for the user editing it
    ("labels/schema.py", "# Label schema:"),
    # spaCy's own command (not nerwb's), the only way to make the config the weights need
    ("training/config.py", "`spacy init fill-config CONFIG OUT --pretraining`"),
}


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of ``path`` that is a message: not a docstring (f-strings' literal
    parts too), and not an element of a list literal (the argv of a program nerwb runs, such as
    gunicorn's ``--workers``: another program's flags, never shown to the user as advice)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    argv = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.List):
            for element in node.elts:
                argv.add(id(element))
                if isinstance(element, ast.JoinedStr):
                    argv.update(id(part) for part in element.values)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and id(node) not in argv
    ]


def _library_strings_matching(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("cli/"):
            continue
        for line, text in _strings(path):
            if pattern.search(text) and not any(
                relative == where and marker in text for where, marker in ALLOWED
            ):
                found.append(f"{relative}:{line}: {text[:80]!r}")
    return found


def test_no_library_message_names_a_nerwb_command() -> None:
    found = _library_strings_matching(NAMES_A_COMMAND)
    assert found == [], "advice belongs in nerwb.cli._hints:\n" + "\n".join(found)


def test_no_library_message_names_a_cli_flag() -> None:
    found = _library_strings_matching(NAMES_A_FLAG)
    assert found == [], (
        "a library message names the setting with errors.SETTING and setting=; advice with "
        "flags belongs in nerwb.cli._hints:\n" + "\n".join(found)
    )


def test_the_scan_knows_the_commands() -> None:
    assert {"init", "corpus", "labels", "doccano", "train", "train-curve", "predict"} <= set(
        COMMANDS
    )


def test_the_scan_sees_f_strings_and_skips_docstrings_and_argv(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Doc: `nerwb train --output X`."""\n'
        'x = f"{1}: run `nerwb labels merge` first"\n'
        'y = f"{2}: choose another --output"\n'
        'argv = ["gunicorn", "--workers", f"--bind={3}"]\n'
    )
    strings = [text for _, text in _strings(module)]
    assert [t for t in strings if NAMES_A_COMMAND.search(t)] == [": run `nerwb labels merge` first"]
    assert [t for t in strings if NAMES_A_FLAG.search(t)] == [": choose another --output"]


# ---------------------------------------------------------------- every error has a kind


def _error_classes() -> tuple[set[str], set[str]]:
    """The NerwbError classes defined in src (by name) and those with a ``default_kind``."""
    bases: dict[str, list[str]] = {}
    defaults = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
            for item in node.body:
                targets = item.targets if isinstance(item, ast.Assign) else []
                if isinstance(item, ast.AnnAssign):
                    targets = [item.target]
                names_default = any(
                    isinstance(t, ast.Name) and t.id == "default_kind" for t in targets
                )
                value = getattr(item, "value", None)  # a method has none
                is_none = isinstance(value, ast.Constant) and value.value is None
                if names_default and not is_none:
                    defaults.add(node.name)

    def is_error(name: str, seen: tuple[str, ...] = ()) -> bool:
        return name == "NerwbError" or any(
            is_error(b, (*seen, name)) for b in bases.get(name, []) if b not in seen
        )

    def has_default(name: str) -> bool:
        return name in defaults or any(has_default(b) for b in bases.get(name, []))

    errors = {name for name in bases if is_error(name)} | {"NerwbError"}
    return errors, {name for name in errors if has_default(name)}


def _made_without_kind(root: Path, without_default: set[str]) -> list[str]:
    """Every ``SomeError(...)`` call under ``root`` of a class with no default kind that passes
    no ``kind=`` (raised or returned: the helpers that build an error count too), and every
    ``super().__init__(...)`` without one in such a class's own ``__init__``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        supers = {
            id(call): cls.name
            for cls in ast.walk(tree)
            # NerwbError's own super() is Exception's
            if isinstance(cls, ast.ClassDef) and cls.name in without_default - {"NerwbError"}
            for call in ast.walk(cls)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "__init__"
            and isinstance(call.func.value, ast.Call)
            and isinstance(call.func.value.func, ast.Name)
            and call.func.value.func.id == "super"
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or any(
                k.arg in ("kind", None) for k in node.keywords
            ):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in without_default:
                found.append(f"{relative}:{node.lineno}: {node.func.id}(...) without kind=")
            elif id(node) in supers:
                found.append(f"{relative}:{node.lineno}: {supers[id(node)]} without kind=")
    return found


def test_every_error_the_library_makes_has_a_kind() -> None:
    errors, with_default = _error_classes()
    assert {"InputError", "DoccanoError", "SchemaError"} <= with_default
    assert {"TrainingError", "PredictError", "LabelsError"} <= errors - with_default
    found = _made_without_kind(SRC, errors - with_default)
    assert found == [], "give each error a kind (nerwb.errors.ErrorKind):\n" + "\n".join(found)


def test_the_kind_scan_sees_a_call_without_kind(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        'def f():\n    raise TrainingError("no kind")\n\n\n'
        'def g():\n    return TrainingError("kind", kind=ErrorKind.BAD_CONFIG)\n\n\n'
        "class Stopped(TrainingError):\n    def __init__(self):\n"
        '        super().__init__("stopped")\n',
        encoding="utf-8",
    )
    assert _made_without_kind(tmp_path, {"TrainingError", "Stopped"}) == [
        "m.py:2: TrainingError(...) without kind=",
        "m.py:11: Stopped without kind=",
    ]


def test_a_class_default_kind_and_an_explicit_one() -> None:
    assert InputError("bad line", path="a.jsonl", line=3).kind is ErrorKind.BAD_INPUT
    assert DoccanoError("refused", status=400).kind is ErrorKind.SERVER_ERROR
    assert WorkspaceError("x", kind=ErrorKind.NO_WORKSPACE).kind is ErrorKind.NO_WORKSPACE
    err = InputError("bad line", path="a.jsonl", line=3)
    assert (str(err), err.path, err.line) == ("a.jsonl, line 3: bad line", "a.jsonl", 3)


# ---------------------------------------------------------------- advice per kind


def _sample(kind: ErrorKind) -> NerwbError:
    return NerwbError(
        "something is wrong", kind=kind, path="labels/x.spacy", setting="output", value=2000
    )


def test_every_kind_has_advice_or_a_reason_for_none() -> None:
    hints = _hints()
    assert set(hints.ADVICE) | hints.NO_ADVICE == set(ErrorKind)
    assert not set(hints.ADVICE) & hints.NO_ADVICE


def test_advice_is_a_sentence_of_its_own() -> None:
    """Not a continuation of one library sentence (``; run ...``): it reads the same after any
    message of its kind, on a line of its own."""
    hints = _hints()
    where = hints.Where("nerwb predict", {"output": "--output", "on_misaligned": "--on-misaligned"})
    assert len(hints.ADVICE) >= 50
    for kind in sorted(hints.ADVICE):
        said = hints.advice(_sample(kind), where)
        assert said and said[0] in "ABCDEFGHIJKLMNOPQRSTUVWXYZ`", (kind, said)
        assert said.endswith((".", "?")), (kind, said)
        assert hints.explain(_sample(kind), where) == f"something is wrong\n  {said}"


def test_advice_is_built_from_the_errors_fields() -> None:
    hints = _hints()
    Where, advice = hints.Where, hints.advice
    cut = NerwbError("cut otherwise", kind=ErrorKind.DIFFERENT_CUT, value=2000)
    assert "segment_length = 2000" in advice(cut)
    assert "Restore the segment_length" in advice(NerwbError("x", kind=ErrorKind.DIFFERENT_CUT))
    splits = NerwbError("no splits", kind=ErrorKind.NO_SPLITS, setting="split")
    assert advice(splits, Where("nerwb predict", {"split": "--split"})).endswith(
        ", or leave --split out."
    )
    assert advice(splits, Where("nerwb labels convert", {})) == "Run `nerwb corpus split` first."
    stopped = NerwbError("stopped", kind=ErrorKind.PREDICT_INTERRUPTED)
    assert "`nerwb predict` command again" in advice(stopped, Where("nerwb predict"))


def test_a_message_names_the_setting_by_whoever_shows_it() -> None:
    hints = _hints()
    Where, message = hints.Where, hints.message
    err = errors.bad_setting(TrainingError, "batch_size", "must be at least 1, not 0")
    assert err.template == f"{errors.SETTING} must be at least 1, not 0"
    assert str(err) == "batch_size must be at least 1, not 0"  # a library caller's words
    assert message(err, Where("nerwb predict", {"batch_size": "--batch-size"})) == (
        "--batch-size must be at least 1, not 0"
    )
    assert err.kind is ErrorKind.BAD_SETTING and err.setting == "batch_size"
    again = errors.recast(err, InputError)
    assert type(again) is InputError and again.fields() == err.fields()
    assert again.template == err.template


def test_the_cli_spells_the_setting_as_the_flag_of_the_command_that_ran(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["predict", str(tmp_path / "model"), str(tmp_path), "--batch-size", "0"]
    )
    assert result.exit_code == 1
    assert "error: --batch-size must be at least 1, not 0" in result.stderr
    assert "batch_size" not in result.stderr


def test_the_cli_shows_the_code_the_fact_then_the_advice(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["corpus", "stats", "-w", str(tmp_path)])
    assert result.exit_code == 1
    first, second = result.stderr.strip().split("\n")[-2:]
    assert first.startswith("error[E001]: ") and "is not inside a nerwb workspace" in first
    assert second == "  Run `nerwb init DIR` to make one, or pass --workspace DIR."


def test_a_doccano_errors_status_and_url_stay_in_the_fact() -> None:
    err = DoccanoError(
        "cannot reach the Doccano server (ConnectError: refused)",
        url="http://127.0.0.1:9/v1/me",
        kind=ErrorKind.SERVER_UNREACHABLE,
    )
    assert err.url == "http://127.0.0.1:9/v1/me" and err.status is None
    assert _hints().explain(err) == (
        "cannot reach the Doccano server (ConnectError: refused) | http://127.0.0.1:9/v1/me\n"
        "  Is it running? `nerwb doccano status` says."
    )


def test_codes_are_unique_and_searchable() -> None:
    codes = list(errors.ERROR_CODES.values())
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"E\d{3}", c) for c in codes)
    assert set(errors.ERROR_CODES) <= set(_hints().ADVICE)  # searched only with advice
    assert NerwbError("x", kind=ErrorKind.NO_SPLITS).code == "E003"
    assert NerwbError("x", kind=ErrorKind.BAD_SETTING).code is None


def test_the_library_error_carries_the_kind_and_path(tmp_path: Path) -> None:
    from nerwb.workspace import find_workspace

    try:
        find_workspace(tmp_path)
    except WorkspaceError as err:
        assert err.kind is ErrorKind.NO_WORKSPACE and err.path == tmp_path.resolve()
        assert "nerwb init" not in str(err)
    else:
        raise AssertionError("no workspace in an empty folder")


# ---------------------------------------------------------------- the traceback on demand


@pytest.mark.parametrize("how", ["env", "option"])
def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch, how: str) -> None:
    args = ["corpus", "stats", "-w", str(tmp_path)]
    if how == "env":
        monkeypatch.setenv("NERWB_DEBUG", "1")
    else:
        args = ["--debug", *args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "find_workspace" in result.stderr  # the frame that raised it
    assert "error[E001]: " in result.stderr  # and still the line a user reads


def test_without_debug_no_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("NERWB_DEBUG", raising=False)
    result = CliRunner().invoke(app, ["corpus", "stats", "-w", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    monkeypatch.setenv("NERWB_DEBUG", "0")
    result = CliRunner().invoke(app, ["corpus", "stats", "-w", str(tmp_path)])
    assert "Traceback" not in result.stderr
