"""Smoke run of ``bench/startup.py`` with one round (issue 34, item 4): every command and group
it times still starts and exits 0 (a renamed command would be timed failing to start)."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched

startup = import_bench("startup")


@pytest.mark.slow
def test_startup_smoke(tmp_path) -> None:
    with results_untouched():
        path = startup.main(["--repeats", "1", "--results", str(tmp_path)])
    result = json.loads(path.read_text())
    rows = result["results"]
    assert {f"nerwb {name} --help" for name in startup.NAMES} <= set(rows)
    assert "nerwb doccano status" in rows and "python -c pass" in rows
    # no server here: `doccano status` says so and exits 1 (a traceback would be -1)
    codes = {name: row["exit_codes"] for name, row in rows.items() if row["exit_codes"] != [0]}
    assert codes == {"nerwb doccano status": [1]}
    assert all(row["median_s"] > 0 and row["cpu_median_s"] > 0 for row in rows.values())
