"""Smoke run of ``bench/active_learning.py`` at toy sizes (issue 34, item 4): one seed, two
rounds, a few steps; random against uncertain (which ranks the pool with the round's model),
the whole pool and the second config, results and figure in a tmp folder."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched
from conftest import needs_shared

active_learning = import_bench("active_learning")


@needs_shared
@pytest.mark.slow
def test_active_learning_smoke(tmp_path) -> None:
    toy = "--seeds 1 --steps 4 --budgets 0.1,0.2 --strategies random,uncertain --jobs 2"
    with results_untouched():
        path = active_learning.main([*toy.split(), "--results", str(tmp_path)])
    assert path == tmp_path / "active-learning-random-uncertain.json"
    assert (tmp_path / "active-learning-random-uncertain.png").stat().st_size > 0
    result = json.loads(path.read_text())
    for strategy in ("random", "uncertain"):
        rounds = result["strategies"][strategy]["rounds"]
        assert [r["budget"] for r in rounds] == [0.1, 0.2]
        assert rounds[0]["words_mean"] < rounds[1]["words_mean"] < result["pool"]["words"]
    assert len(result["full_pool"]["f"]) == 1
    assert set(result["second_config"]) >= {"random", "uncertain"}
