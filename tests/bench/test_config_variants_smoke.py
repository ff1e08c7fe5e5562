"""Smoke run of ``bench/config_variants.py`` at toy sizes (issue 34, item 4): conflict3, one
seed, a few steps, two variants (one of spaCy's network, one of nerwb's first wide one)."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched
from conftest import needs_shared

config_variants = import_bench("config_variants")


@needs_shared
@pytest.mark.slow
def test_config_variants_smoke(tmp_path) -> None:
    toy = "--corpora conflict3 --seeds 1 --steps 3 --variants averages,wide-window-2 --jobs 2"
    with results_untouched():
        path = config_variants.main([*toy.split(), "--results", str(tmp_path)])
    result = json.loads(path.read_text())
    assert set(result["mean_dev_f"]["conflict3"]) == {"averages", "wide-window-2"}
    assert [(r["variant"], r["seed"]) for r in result["runs"]] == [
        ("averages", 0),
        ("wide-window-2", 0),
    ]
