"""The README's `make demo` passes PORT through to `nerwb demo --port`."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import REPO


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_demo_port() -> None:
    dry = subprocess.run(
        ["make", "-n", "-C", str(REPO), "demo", "PORT=8010"], capture_output=True, text=True
    )
    assert dry.returncode == 0, dry.stderr
    assert "nerwb demo --port 8010" in dry.stdout
    plain = subprocess.run(["make", "-n", "-C", str(REPO), "demo"], capture_output=True, text=True)
    assert "--port" not in plain.stdout
