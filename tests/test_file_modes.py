"""Files nerwb writes get the mode the umask gives; only secrets are 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nerwb.io import atomic_write_json, atomic_write_text


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_workspace_files_with_the_umask_mode(tmp_path, cli, umask_022) -> None:
    result = cli("init", tmp_path / "ws")
    assert result.exit_code == 0, result.stderr
    ws = tmp_path / "ws"
    written = [ws / "nerwb.toml", ws / "labels" / "labels.yml", *sorted(ws.glob("configs/*.cfg"))]
    assert len(written) > 3
    assert {str(p.relative_to(ws)): _mode(p) for p in written} == {
        str(p.relative_to(ws)): 0o644 for p in written
    }


def test_atomic_write_keeps_secrets_0600_and_an_existing_files_mode(tmp_path, umask_022) -> None:
    secret = tmp_path / "credentials.json"
    atomic_write_json(secret, {"password": "x"}, mode=0o600)
    assert _mode(secret) == 0o600
    atomic_write_json(secret, {"password": "y"})  # rewritten without a mode: still secret
    assert _mode(secret) == 0o600
    shared = tmp_path / "notes.txt"
    atomic_write_text(shared, "a")
    assert _mode(shared) == 0o644
    os.umask(0o077)
    atomic_write_text(tmp_path / "private.txt", "b")
    assert _mode(tmp_path / "private.txt") == 0o600
