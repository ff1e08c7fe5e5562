"""Shared fixtures: a fresh workspace, a CLI runner, the demo corpus, the shared data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nerwb.cli.main import app
from nerwb.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[1]
DEMO_ARTICLES = REPO / "demo" / "articles.jsonl"
SHARED_DATA = REPO.parent / "shared" / "data"

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"{SHARED_DATA} is absent (it is beside the repository in CI, not in a user's clone)",
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws", name="test-project")


class Cli:
    """Runs ``nerwb`` in-process and keeps stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | None = None, cwd: Path | None = None):
        old = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return self.runner.invoke(
                app, [str(a) for a in args], input=input, catch_exceptions=False
            )
        finally:
            os.chdir(old)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to prove a failed command changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
