"""Smoke run of ``bench/unseen_misses.py`` (issue 34, item 4) on the first of two folds, which
crossval.py trains for a few steps into a tmp cache: every unseen gold name of the held-out
fold is counted once, as found or as one kind of miss."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched
from conftest import needs_shared

crossval = import_bench("crossval")
unseen_misses = import_bench("unseen_misses")


@needs_shared
@pytest.mark.slow
def test_unseen_misses_smoke(tmp_path) -> None:
    cache = tmp_path / "cache"
    toy = "--folds 2 --only-folds 0 --steps 3 --configs ner-accuracy --baseline ner-accuracy"
    toy += " --no-addons"
    with results_untouched():
        crossval.main([*toy.split(), "--cache", str(cache), "--results", str(tmp_path)])
        folds = str(cache / "crossval-conflict3-s0-3")
        args = ["--config", "ner-accuracy", "--folds", "1", "--cache", folds]
        path = unseen_misses.main([*args, "--results", str(tmp_path)])
    assert path == tmp_path / "unseen-misses-ner-accuracy.json"
    result = json.loads(path.read_text())
    assert set(result["kinds"]) == set(unseen_misses.KINDS)
    missed = sum(row["missed"] for row in result["kinds"].values())
    assert missed == result["unseen_missed"] <= sum(result["unseen_gold"].values())
    assert sum(result["unseen_gold"].values()) > 0
