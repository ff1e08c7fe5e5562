"""Run folders, evaluation folders (and pull snapshots) get the mode a plain mkdir gives, like
the rest of the workspace, not mkdtemp's 0700 (issue 30, item 22)."""

from __future__ import annotations

import os
import stat

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import doc_with_ents


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_staging_folder_gets_the_umask_mode(tmp_path, umask_022) -> None:
    from nerwb.io import new_staging_folder

    assert _mode(new_staging_folder(tmp_path, prefix=".x.")) == 0o755
    os.umask(0o027)
    assert _mode(new_staging_folder(tmp_path, prefix=".y.")) == 0o750


def test_run_and_evaluation_folders_are_like_the_workspace(tiny_model, ws, cli, tmp_path) -> None:
    # the session's model was trained under this process's umask, as its workspace was made
    trained_ws, model = tiny_model
    assert _mode(model.parent) == _mode(trained_ws.root)
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "G", "pattern": "IRGC"}])
    nlp.to_disk(tmp_path / "ruler")
    test = tmp_path / "test.spacy"
    DocBin(docs=[doc_with_ents("IRGC fired.", [("IRGC", "G")])]).to_disk(test)
    out = ws.root / "evaluate" / "ruler"
    result = cli("evaluate", tmp_path / "ruler", test, "-o", out, "--bootstrap", "5", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert _mode(out) == _mode(ws.root)
