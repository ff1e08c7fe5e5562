"""`nerwb evaluate` rejects bad arguments before spaCy loads, and warns when evaluated documents
are articles the model trained or selected on, by the ids its manifest records (issue 30.20)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from conftest import snapshot_tree
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.text import blank

# `nerwb ARGS` in a fresh interpreter; prints whether spaCy (or scikit-learn) was loaded
PROBE = (
    "import sys\n"
    "from nerwb.cli.main import app\n"
    "try:\n"
    "    app(sys.argv[1:], standalone_mode=False)\n"
    "except SystemExit:\n"
    "    pass\n"
    "except BaseException as err:\n"
    "    print('RAISED', type(err).__name__, err, file=sys.stderr)\n"
    "print('LOADED', [m for m in ('spacy', 'sklearn') if m in sys.modules])\n"
)


def _evaluate(*args: str | Path) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "evaluate", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()[-1], done.stderr


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    # enough to pass for a pipeline folder: a bad argument is refused before it is ever loaded
    model = tmp_path / "run" / "model-best"
    model.mkdir(parents=True)
    (model / "config.cfg").write_text("[nlp]\n")
    (model / "meta.json").write_text("{}")
    return model


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such/model"], "model no/such/model does not exist: it is neither a folder nor"),
        (["{model}", "missing.spacy"], "evaluation data missing.spacy does not exist"),
        (["{model}", "{pdf}"], "unknown data format '.pdf'"),
        (["{model}", "--bootstrap", "0"], "--bootstrap 0: give at least 1 resample"),
        (["{model}", "--train-data", "gone.spacy"], "training data gone.spacy does not exist"),
    ],
)
def test_evaluate_rejects_bad_arguments_before_spacy_loads(
    ws, fake_model, tmp_path, args, message
) -> None:
    pdf = tmp_path / "gold.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    (ws.labels_dir / "test.spacy").write_bytes(DocBin().to_bytes())
    before = snapshot_tree(ws.root)
    filled = [a.format(model=fake_model, pdf=pdf) for a in args]
    loaded, stderr = _evaluate(*filled, "-w", ws.root)
    assert message in " ".join(stderr.split())
    assert loaded == "LOADED []", stderr
    assert snapshot_tree(ws.root) == before


def test_evaluate_warns_about_test_documents_the_model_trained_on(tiny_model, cli, tmp_path):
    ws, model = tiny_model
    manifest = TrainingManifest.load(manifest_path(model.parent))
    vocab = blank("en").vocab
    train_docs = list(DocBin().from_disk(ws.docbin_path("train")).get_docs(vocab))
    test_docs = list(DocBin().from_disk(ws.docbin_path("test")).get_docs(vocab))
    # the run recorded the ids of every article it trained on
    ids = sorted({d.user_data["nerwb_article_id"] for d in train_docs})
    assert manifest.train_article_ids == ids
    assert manifest.dev_article_ids
    # a "test" file that holds two training articles (an old export, a re-split corpus)
    mixed = tmp_path / "mixed.spacy"
    DocBin(docs=test_docs + train_docs[:2], store_user_data=True).to_disk(mixed)
    result = cli("evaluate", model, mixed, "--bootstrap", "10", "-o", tmp_path / "e", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    n = len(test_docs) + 2
    assert f"2 of the {n} evaluated document(s) are articles of this model's training data" in said
    assert repr(train_docs[0].user_data["nerwb_article_id"]) in said
    assert "so the figures are not held-out" in said
    # the held-out test set itself: no warning
    clean = cli("evaluate", model, "--bootstrap", "10", "-o", tmp_path / "t", "-w", ws.root)
    assert clean.exit_code == 0, clean.stderr
    assert "articles of this model's" not in clean.stderr


def test_a_manifest_from_before_the_article_ids_still_loads(tmp_path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"status": "finished", "nerwb_version": "0.1.0", "labels": ["X"]}))
    manifest = TrainingManifest.load(path)
    assert manifest.train_article_ids is None and manifest.article_ids() is None
