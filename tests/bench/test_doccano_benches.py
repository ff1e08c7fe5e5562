"""Smoke runs of the Doccano benchmarks at tiny sizes on the session's real server: a bench
that no test runs rots (issue 34: the load bench broke when the passwords file became a record).
They check that each bench runs and that what it checks on the way holds, not its figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from conftest import needs_shared

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import doccano_load  # noqa: E402
import doccano_throughput  # noqa: E402

pytestmark = pytest.mark.doccano


def test_bench_doccano_load_open_and_closed_loop_with_pulls(doccano_server, tmp_path) -> None:
    tiny = "--levels 1,2 --actions 2 --pace 0.1 --docs 16 --pull-after 0.05 --seconds 30"
    args = doccano_load.parse([*tiny.split(), "--export-pull"])
    rows = []
    result = doccano_load.measure(
        doccano_server, tmp_path, "smoke-load", args, report=lambda *row: rows.append(row)
    )
    assert [(mode, level) for _, mode, level, _ in rows] == [
        ("open", 1),
        ("open", 2),
        ("closed", 1),
        ("closed", 2),
    ]
    assert result["quiet_pull_s"] > 0 and result["closed_ceiling_actions_per_s"] > 0
    for mode in ("open", "closed"):
        for level in (1, 2):
            row = result[mode][str(level)]
            assert (row["errors"], row["actions"]) == (0, 2 * level), row
            assert row["p50_s"] <= row["p99_s"] <= row["max_s"]
            pulled = row["pull_during_load"]
            assert pulled["database"]["read_from"] == "database"
            assert pulled["export"]["read_from"] == "export"
            assert pulled["database"]["consistent"] and pulled["export"]["consistent"], pulled
    assert result["open"]["2"]["offered_actions_per_s"] == 20.0


def test_bench_doccano_load_closed_loop_without_a_pull(doccano_server, tmp_path) -> None:
    """--pull-in open: the closed loop's ceiling is the annotators' alone, no admin pull in it."""
    tiny = "--levels 1 --actions 2 --pace 0.1 --pull-after 0.05 --seconds 30 --pull-in open"
    args = doccano_load.parse(tiny.split())
    assert args.docs == 1 * 2 * 1 * 2  # one per action by default
    result = doccano_load.measure(doccano_server, tmp_path, "smoke-nopull", args, report=print)
    assert result["closed"]["1"]["pull_during_load"] is None
    assert result["open"]["1"]["pull_during_load"]["database"]["consistent"]
    assert result["closed"]["1"]["actions"] == 2


def test_bench_doccano_load_refuses_too_few_documents() -> None:
    with pytest.raises(SystemExit):
        doccano_load.parse(["--levels", "5", "--actions", "8", "--docs", "10"])


def test_bench_doccano_throughput_pulls_two_annotators_both_ways(doccano_server, tmp_path) -> None:
    args = argparse.Namespace(docs=12, baseline_docs=3, pull_repeats=1)
    result = doccano_throughput.measure(doccano_server, tmp_path, args, prefix="smoke-tp-")
    assert result["push_docs_per_s"] > 0 and result["baseline_docs"] == 3
    # two spans per annotator on every segment, every other segment confirmed by each
    assert result["pull_set"]["spans"] == 12 * 2 * 2
    assert result["pull_set"]["confirmed"] == 12
    assert result["snapshots_identical"] is True
    assert result["pull_database_median_s"] > 0 and result["export_tasks_median_s"] > 0


@needs_shared
def test_bench_suggest_speed_rest_and_bulk(doccano_server, tmp_path) -> None:
    import suggest_speed

    args = argparse.Namespace(concurrency=[2], bulk=True, segments=6)
    rows = suggest_speed.measure_speed(doccano_server, tmp_path, args, prefix="smoke-")
    assert set(rows) == {"2", "bulk"}
    for row in rows.values():
        assert row["created_by_a_second_run"] == 0
        assert row["each_annotator_holds_what_was_offered"] is True
    assert rows["bulk"]["spans"] == rows["2"]["spans"] > 0


@needs_shared
@pytest.mark.slow
def test_bench_suggest_speed_edits_with_a_few_steps(tmp_path) -> None:
    import suggest_speed

    result = suggest_speed.edits(tmp_path, argparse.Namespace(steps=4))
    assert result["dev_segments"] > 0 and result["edits_from_scratch"] > 0
    assert result["edits_with_suggestions"] >= 0 and result["steps"] == 4
