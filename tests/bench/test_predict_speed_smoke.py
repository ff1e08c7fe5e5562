"""Smoke run of ``bench/predict_speed.py`` at toy sizes (issue 34, item 4): a few articles, a
model of a few steps, one round of each way. Checks the machinery (children measured from
outside, medians, ratios, the same entities every way, results in the folder given), not the
figures."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched
from conftest import needs_shared

predict_speed = import_bench("predict_speed")


@needs_shared
@pytest.mark.slow
def test_predict_speed_smoke(tmp_path) -> None:
    with results_untouched():
        path = predict_speed.main(
            ["--n", "12", "--train-steps", "4", "--repeats", "1", "--results", str(tmp_path)]
        )
    assert path == tmp_path / "predict-speed.json"
    result = json.loads(path.read_text())
    ways = {"spacy_pipe", "nerwb_local_1", "nerwb_local_2"}
    assert ways <= set(result["results"])
    for way in ways:
        row = result["results"][way]
        assert row["wall_s"] > 0 and row["cpu_s"] > 0 and row["peak_rss_mb"] > 50, row
        assert len(row["runs"]) == 1 and row["words_per_s"] > 0
    assert result["same_entities_every_way"] is True
    assert result["ratios"]["nerwb_local_1_vs_spacy_pipe_cpu"] > 0
    assert len(result["loadavg_1min_start_end"]) == 2
