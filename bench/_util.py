"""Helpers shared by the benchmarks: timing, result files, workspaces built from shared data."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median_of(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    times = [timed(fn)[0] for _ in range(repeats)]
    return statistics.median(times), times


def load_average() -> float:
    """The 1-minute load average: a figure measured above 1 on this 2-core machine is a draft."""
    import os

    return round(os.getloadavg()[0], 2)


def add_results_option(parser: Any) -> None:
    """``--results DIR``: where ``save`` writes (a smoke test's tmp folder; default bench/results)."""
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder of the results")


def save(name: str, data: dict[str, Any], folder: Path = RESULTS) -> Path:
    import os

    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "benchmark": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "processor": platform.machine(),
            "load_average_1min_at_save": load_average(),
        },
        **data,
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
