"""Smoke run of ``bench/accuracy.py`` at toy sizes (issue 34, item 4): conflict3 only, spaCy's
default config against ner-accuracy for a few steps (the paired bootstrap between them), and
one overhead pair (`nerwb train` against `spacy train`)."""

from __future__ import annotations

import json

import pytest

from _bench import import_bench, results_untouched
from conftest import needs_shared

accuracy = import_bench("accuracy")


@needs_shared
@pytest.mark.slow
def test_accuracy_smoke(tmp_path) -> None:
    toy = "--corpora conflict3 --configs spacy-efficiency,ner-accuracy --steps 3"
    toy += " --overhead-steps 3 --repeats 1 --jobs 2"
    with results_untouched():
        path = accuracy.main([*toy.split(), "--results", str(tmp_path)])
    result = json.loads(path.read_text())
    rows = result["corpora"]["conflict3"]
    assert set(rows) == {"spacy-efficiency", "ner-accuracy"}
    assert all(0 <= row["dev_f"] <= 1 and row["seconds"] > 0 for row in rows.values())
    gain = rows["ner-accuracy"]["gain_over_spacy_efficiency"]
    assert gain["paired_bootstrap"]["unit"] == "dev document"
    overhead = result["overhead"]
    assert len(overhead["spacy_train_s"]) == len(overhead["nerwb_train_s"]) == 1
    assert overhead["median_cpu_ratio"] > 0
