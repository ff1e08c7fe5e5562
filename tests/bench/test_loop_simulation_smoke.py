"""Smoke run of ``bench/loop_simulation.py`` at toy sizes: a few articles, two rounds, one seed,
a few dozen steps. Checks the machinery (the arms, the shared trainings, the cache that lets a
run go on, the plan, the results and the figure), not the figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, needs_shared

TOY = [
    *("--config", "ner-fast.cfg", "--base-model", ""),
    *("--max-steps", "30", "--patience", "20", "--eval-frequency", "10"),
    *("--override", "components.tok2vec.model.encode.width=32"),
    *("--pool-articles", "6", "--dev-articles", "6", "--budgets", "0.5,1.0", "--seeds", "1"),
]


def simulate(tmp_path, *args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, str(REPO / "bench" / "loop_simulation.py"), *TOY, *args]
    argv += ["--cache", str(tmp_path / "cache"), "--results", str(tmp_path / "results")]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@needs_shared
@pytest.mark.slow
def test_loop_simulation_smoke(tmp_path) -> None:
    arms = "random,loop,novel-loop,suggestions,propagation,novel-first"
    # a first sitting stopped after one round of one arm
    simulate(tmp_path, "--arms", "random", "--rounds", "1")
    (saved,) = (tmp_path / "cache" / "rounds").glob("*.json")
    assert [p["budget"] for p in json.loads(saved.read_text())["points"]] == [0.5]
    simulate(tmp_path, "--arms", arms)
    result = json.loads((tmp_path / "results" / "loop-simulation.json").read_text())
    assert (tmp_path / "results" / "loop-simulation.png").stat().st_size > 0
    assert set(result["arms"]) == set(arms.split(","))
    # three trainings for six arms: random's and novel-loop's order at 50 %, and the whole pool
    # once (the default loop, the aids and novel-first share an order with random or
    # novel-loop); random's 50 % round was cached by the first sitting
    assert result["trainings"]["trained_by_this_run"] == 2
    assert result["trainings"]["cached_used"] == 3
    assert len(list((tmp_path / "cache" / "rounds").glob("*.json"))) == 2  # two orders
    assert result["dev"]["held_out_for_stopping"] and result["dev"]["stop_articles"] == 2
    words = result["pool"]["words"]
    for name, arm in result["arms"].items():
        rounds = arm["rounds"]
        assert [r["budget"] for r in rounds] == [0.5, 1.0], name
        assert rounds[0]["words_mean"] >= 0.5 * words and rounds[1]["words_mean"] == words
        assert set(rounds[0]["batch_edits_by_aid"]) == {"none", "model", "names", "model+names"}
    by_aid = result["arms"]["random"]["rounds"]
    # the same batches, with and without an aid; a name confirmed in round one recurs in two
    assert by_aid[1]["batch_edits_by_aid"]["names"] <= by_aid[1]["batch_edits_by_aid"]["none"]
    assert (
        result["arms"]["propagation"]["rounds"][1]["edits_cum_mean"]
        <= result["arms"]["random"]["rounds"][1]["edits_cum_mean"]
    )
    assert "paired_bootstrap" in result["arms"]["novel-loop"]["rounds"][0]["gain_over_random"]
    same_f = {n: [r["f_mean"] for r in a["rounds"]] for n, a in result["arms"].items()}
    # the default loop (random order since issue 33's first seed) and the aids share random's
    assert same_f["loop"] == same_f["suggestions"] == same_f["propagation"] == same_f["random"]

    # a second sitting trains nothing and finds the same figures
    simulate(tmp_path, "--arms", arms)
    again = json.loads((tmp_path / "results" / "loop-simulation.json").read_text())
    assert again["trainings"]["trained_by_this_run"] == 0
    assert {n: [r["f_mean"] for r in a["rounds"]] for n, a in again["arms"].items()} == same_f

    # the plan for another seed: its 50 % rounds of both orders, and its own whole pool
    planned = simulate(
        tmp_path, "--arms", "random,novel-loop,propagation", "--first-seed", "1", "--plan"
    )
    plan = json.loads(planned.stdout)
    assert plan["trainings_needed"] == 3 and plan["per_budget"] == {"50%": 2, "100%": 1}
    assert plan["estimated_cpu_hours"] is not None  # from the cached trainings of this schedule
    assert len(list((tmp_path / "cache" / "rounds").glob("*.json"))) == 2  # planned, not run


def test_two_processes_share_the_cache_one_claim_per_training(tmp_path) -> None:
    """A claim is held by one live process; a second is refused; a dead process's is taken over."""
    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    from loop_simulation import claim_training

    claim = tmp_path / "trainings" / "abc.claim"
    assert claim_training(claim) and claim.read_text() == str(os.getpid())
    assert not claim_training(claim)  # held by a live process (this one)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    claim.write_text(gone.stdout.strip())  # a stopped run's claim
    assert claim_training(claim) and claim.read_text() == str(os.getpid())


def test_words_to_each_seeds_own_full_pool_f(tmp_path) -> None:
    """A seed whose whole pool scores low is measured against its own full F, not the mean."""
    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    from loop_simulation import reach_own_full

    def curve(fs: list[float]) -> list[dict]:
        budgets = [0.5, 1.0][-len(fs) :]
        return [
            {"budget": b, "words": int(b * 1000), "edits_cum": int(b * 100), "f": f}
            for b, f in zip(budgets, fs, strict=True)
        ]

    base = {0: curve([0.7, 0.9]), 1: curve([0.6, 0.7])}
    arm = {0: curve([0.8, 0.9]), 1: curve([0.7, 0.7]), 2: curve([0.5, 0.6])}
    out = reach_own_full(arm, base, 0.9)
    # seed 0: 0.81 between 0.8 (500 words) and 0.9 (1000): 550; seed 1's own target is 0.63,
    # reached at once; seed 2 has no whole-pool round of random order: left out
    assert out["words_per_seed"] == {"0": 550, "1": 500}
    assert out["words"]["seeds_reached"] == 2 and out["words"]["seeds_short"] == 0
    assert out["edits"]["min"] == 50 and out["edits"]["max"] == 55
