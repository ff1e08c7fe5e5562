"""Folders that name concepts: each package holds one, and the import contracts say which stages
are independent. Checked in fresh interpreters (the test session has imported everything) and
by running import-linter on the contracts in pyproject.toml."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _nerwb_modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('nerwb'))))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("concept", "module"),
    [
        ("the local server's processes", "nerwb.server.local"),
        ("its PostgreSQL cluster", "nerwb.server.postgres"),
        ("moving its data to PostgreSQL", "nerwb.server.migrate"),
        ("active learning's strategies", "nerwb.select.strategies"),
        ("a model's uncertainty", "nerwb.select.uncertainty"),
        ("unseen name candidates", "nerwb.select.candidates"),
        ("the unpushed pool", "nerwb.select.pool"),
        ("gold names", "nerwb.labels.gold_names"),
        ("P/R/F", "nerwb.scores"),
    ],
)
def test_layout_each_concept_has_its_folder(concept: str, module: str) -> None:
    assert importlib.util.find_spec(module) is not None, f"{concept}: {module} is missing"


@pytest.mark.parametrize(
    "old",
    [
        "nerwb.doccano.server",
        "nerwb.doccano.postgres",
        "nerwb.doccano.migrate",
        "nerwb.predict.select",
        "nerwb.predict.candidates",
        "nerwb.predict.uncertainty",
        "nerwb.records.scores",
    ],
)
def test_layout_no_shim_is_left_at_the_old_place(old: str) -> None:
    assert importlib.util.find_spec(old) is None


def test_layout_nerwb_select_loads_nothing_of_doccano() -> None:
    loaded = _nerwb_modules_after("import nerwb.cli.select, nerwb.select.pool")
    assert not [m for m in loaded if m.startswith(("nerwb.doccano", "nerwb.cli.doccano"))]


def test_layout_the_rest_use_cases_load_no_process_manager() -> None:
    """Push, pull and suggest work with a remote Doccano: no module that starts servers."""
    probe = (
        "import nerwb.doccano.connection, nerwb.doccano.push, nerwb.doccano.pull, "
        "nerwb.doccano.suggest\n"
        "import sys\n"
        "managers = [n for n, m in list(sys.modules.items()) "
        "if n.startswith('nerwb') and hasattr(m, 'LocalServer')]\n"
        "print(managers)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layout_training_a_model_loads_nothing_of_evaluate() -> None:
    loaded = _nerwb_modules_after("import nerwb.training.run, nerwb.training.data")
    assert not [m for m in loaded if m.startswith("nerwb.evaluate")]


def test_layout_import_contracts_include_independent_stages() -> None:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
    kinds = {c["type"] for c in contracts}
    assert {"layers", "forbidden", "independence"} <= kinds
    (stack,) = [c for c in contracts if c["type"] == "layers"]
    assert "nerwb.training | nerwb.server" in stack["layers"]
    assert "nerwb.evaluate | nerwb.doccano" in stack["layers"]


@pytest.mark.slow  # runs lint-imports over the whole package (make lint does too)
def test_layout_import_contracts_are_kept() -> None:
    linter = Path(sys.executable).parent / "lint-imports"  # the test extra installs it
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
