"""Smoke run of ``bench/crossval.py`` at toy sizes (issue 34, item 4): the first of two folds, a
few steps, two configs, the add-on components and the name add-ons fitted on the fold; the
trained fold goes to a tmp cache, not bench/.cache."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched
from conftest import needs_shared

crossval = import_bench("crossval")


@needs_shared
@pytest.mark.slow
def test_crossval_smoke(tmp_path) -> None:
    toy = "--folds 2 --only-folds 0 --steps 3 --baseline ner-accuracy"
    toy += " --configs ner-accuracy,spacy-efficiency"
    toy += " --name-addons --candidate-thresholds 0.9"
    with results_untouched():
        path = crossval.main(
            [*toy.split(), "--cache", str(tmp_path / "cache"), "--results", str(tmp_path)]
        )
    assert path == tmp_path / "crossval-conflict3.json"
    folds = tmp_path / "cache" / "crossval-conflict3-s0-3"
    trained = {p.name for p in folds.iterdir()}
    assert {"ner-accuracy-0", "spacy-efficiency-0"} <= trained and "ner-accuracy-1" not in trained
    result = json.loads(path.read_text())
    assert result["fold_ids"] == [0] and 20 < result["articles"] < 100  # one fold of two
    configs = result["configs"]
    assert {"ner-accuracy", "spacy-efficiency", "ner-accuracy+gazetteer"} <= set(configs)
    assert any("+candidates-t0.9" in name for name in configs)
    assert len(configs["ner-accuracy"]["fold_f"]) == 1
    assert "spacy-efficiency" in result["gain_over_baseline"]
