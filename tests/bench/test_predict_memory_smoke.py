"""Smoke run of ``bench/predict_memory.py`` on a short article with the session's tiny model
(issue 34, item 4): both children run and the figures come back, results in a tmp folder."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched

predict_memory = import_bench("predict_memory")


@pytest.mark.slow
def test_predict_memory_smoke(tiny_model, tmp_path) -> None:
    _, model = tiny_model
    with results_untouched():
        path = predict_memory.main(
            ["--model", str(model), "--mb", "0.02", "--results", str(tmp_path)]
        )
    result = json.loads(path.read_text())
    assert 19_000 <= result["article_chars"] <= 20_000
    assert result["predict_peak_mb"] >= result["model_load_peak_mb"] > 50
    assert result["entities"] >= 0 and result["predict_seconds"] > 0
