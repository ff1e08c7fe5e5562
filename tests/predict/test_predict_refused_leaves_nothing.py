"""A predict refused for a bad input record leaves no empty ``OUT.parts/`` behind (issue 30,
item 22). (An interrupted run's folder, with finished parts, stays: test_predict.py.)"""

from __future__ import annotations

import pytest
import spacy

from conftest import snapshot_tree
from nerwb.predict.output import parts_folder


@pytest.fixture
def ruler(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns(
        [{"label": "ARMED_GROUP", "pattern": "IRGC"}]
    )
    nlp.to_disk(tmp_path / "ruler")
    return tmp_path / "ruler"


def test_a_refused_predict_leaves_no_parts_folder(ruler, cli, tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "IRGC fired."}\n{"id": "b", "text": \n', "utf-8")
    out = tmp_path / "out" / "preds.jsonl"
    out.parent.mkdir()
    result = cli("predict", ruler, source, "-o", out)
    assert result.exit_code == 1
    assert f"{source}, line 2: malformed JSON" in " ".join(result.stderr.split())
    assert not parts_folder(out).exists()
    assert snapshot_tree(out.parent) == {}
    # fixed, the same command runs from scratch
    source.write_text('{"id": "a", "text": "IRGC fired."}\n', "utf-8")
    assert cli("predict", ruler, source, "-o", out).exit_code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["preds.jsonl"]
