"""What the smoke runs of bench/ share: import a script as a module, and prove that a run wrote
nothing into bench/results or bench/.cache (a smoke run's results go to its tmp folder)."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


def import_bench(name: str) -> ModuleType:
    """``bench/<name>.py`` as a module: its main path runs in the test, so a change of shape in
    the code it calls fails the test."""
    return importlib.import_module(name)


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@contextlib.contextmanager
def results_untouched() -> Iterator[None]:
    """Fails when the block adds, changes or removes a file in bench/results or bench/.cache."""
    folders = (BENCH / "results", BENCH / ".cache")
    before = [_files(f) for f in folders]
    yield
    assert [_files(f) for f in folders] == before, "a smoke run wrote into bench/"
