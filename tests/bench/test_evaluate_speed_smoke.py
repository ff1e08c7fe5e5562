"""Smoke run of ``bench/evaluate_speed.py`` at toy sizes (issue 34, item 4): scoring and the
bootstrap over a few synthetic documents, results in a tmp folder."""

from __future__ import annotations

import json

from _bench import import_bench, results_untouched

evaluate_speed = import_bench("evaluate_speed")


def test_evaluate_speed_smoke(tmp_path) -> None:
    with results_untouched():
        path = evaluate_speed.main(
            ["--docs", "40", "--resamples", "30", "--repeats", "1", "--results", str(tmp_path)]
        )
    result = json.loads(path.read_text())
    assert path.parent == tmp_path
    assert (result["docs"], result["resamples"]) == (40, 30)
    assert result["scoring_s"] > 0 and result["bootstrap_s"] > 0
