"""Smoke run of ``bench/predict_stream_memory.py`` at two toy sizes (issue 34, item 4): each
size is one `nerwb predict` child, every record comes back, results in a tmp folder."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched

predict_stream_memory = import_bench("predict_stream_memory")


@pytest.mark.slow
def test_predict_stream_memory_smoke(tmp_path) -> None:
    with results_untouched():
        path = predict_stream_memory.main(["--sizes", "30", "90", "--results", str(tmp_path)])
    result = json.loads(path.read_text())
    assert [(r["articles"], r["records"]) for r in result["runs"]] == [(30, 30), (90, 90)]
    assert all(r["peak_rss_mb"] > 20 for r in result["runs"])
    assert result["peak_ratio_90_to_30"] > 0
