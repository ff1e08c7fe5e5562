"""Start-up: the CLI imports spaCy, scikit-learn and httpx only where a command runs them.

Checked in a fresh interpreter (the test session itself has long imported everything). The
timings live in bench/startup.py; this test guards the cause of a slow start.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
