"""Test tiers: `make test` is the whole suite (what CI runs); `make test-fast` is the edit loop,
which leaves out the tests marked slow, doccano or browser, and trains no more than the one
session model (conftest's ``tiny_model``)."""

from __future__ import annotations

import ast
import itertools
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, TINY_MODEL_STEPS

TESTS = REPO / "tests"
STEPS_KEYS = ("training.max_steps", "--training.max_steps")


def _make_dry_run(target: str, repo: Path = REPO) -> str:
    dry = subprocess.run(["make", "-n", "-C", str(repo), target], capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    return dry.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_tiers_make_test_runs_everything_and_test_fast_leaves_out_the_slow_tiers() -> None:
    (whole,) = [line for line in _make_dry_run("test").splitlines() if "pytest" in line]
    assert " -m " not in whole.split("pytest", 1)[1]  # no marker chosen: every test
    (fast,) = [line for line in _make_dry_run("test-fast").splitlines() if "pytest" in line]
    assert '-m "not slow and not doccano and not browser"' in fast


def _is_slow(decorators: list[ast.expr]) -> bool:
    return any("mark.slow" in ast.unparse(d) for d in decorators)


def _module_is_slow(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        and "mark.slow" in ast.unparse(node.value)
        for node in tree.body
    )


def _steps_after_key(node: ast.AST) -> list[tuple[int, int]]:
    """(line, steps) of every literal training step count in ``node``: a dict entry
    ``"training.max_steps": N`` or an argument list ``"--training.max_steps", "N"``."""
    found = []
    for inner in ast.walk(node):
        pairs: list[tuple[ast.expr | None, ast.expr]] = []
        if isinstance(inner, ast.Dict):
            pairs = list(zip(inner.keys, inner.values, strict=True))
        elif isinstance(inner, ast.Tuple | ast.List | ast.Call):
            items = inner.args if isinstance(inner, ast.Call) else inner.elts
            pairs = list(itertools.pairwise(items))
        for key, value in pairs:
            if (
                isinstance(key, ast.Constant)
                and key.value in STEPS_KEYS
                and isinstance(value, ast.Constant)
                and str(value.value).isdigit()
            ):
                found.append((value.lineno, int(value.value)))
    return found


def long_trainings(tests: Path) -> list[str]:
    """Where a test outside the slow tier trains more steps than the session's tiny model."""
    out = []
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _module_is_slow(tree):
            continue
        for node in tree.body:
            decorators = getattr(node, "decorator_list", [])
            if _is_slow(decorators):
                continue
            for line, steps in _steps_after_key(node):
                if steps > TINY_MODEL_STEPS:
                    out.append(f"{path.relative_to(tests)}:{line}: {steps} steps")
    return out


def test_tiers_no_fast_test_trains_longer_than_the_session_model() -> None:
    assert long_trainings(TESTS) == []


def test_tiers_the_scan_sees_both_spellings_of_a_step_count() -> None:
    tree = ast.parse(
        'train(overrides={"training.max_steps": 400})\n'
        'cli("train", "--training.max_steps", "300", "-w", ws)\n'
    )
    assert sorted(steps for _, steps in _steps_after_key(tree)) == [300, 400]
