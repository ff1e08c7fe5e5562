"""Training reads its data once (issue 30.5): a DocBin rewritten while the run goes (as `labels
convert` rewrites train.spacy) changes neither what the run trains on nor its manifest."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from spacy.tokens import DocBin

from conftest import prepare_demo_gold
from nerwb.evaluate.novelty import names_sha256
from nerwb.io import sha256_of
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.text import blank
from nerwb.training.data import gold_entity_names
from nerwb.training.options import TrainOptions
from nerwb.training.run import steps_only, train


def test_a_train_file_rewritten_during_the_run_is_not_what_the_manifest_describes(ws) -> None:
    prepare_demo_gold(ws)
    train_path = ws.docbin_path("train")
    original = train_path.read_bytes()
    names = gold_entity_names(train_path)
    docs = list(DocBin().from_disk(train_path).get_docs(blank("en").vocab))
    rewritten = False
    copies_before = set(Path(tempfile.gettempdir()).glob("nerwb-train-data-*"))

    def convert_again(event) -> None:
        # what `labels convert` does meanwhile: a new file renamed over the old one
        nonlocal rewritten
        if not rewritten:
            fewer = ws.root / "fewer.spacy"
            DocBin(docs=docs[:3], store_user_data=True).to_disk(fewer)
            os.replace(fewer, train_path)
            rewritten = True

    options = TrainOptions(
        config=ws.configs_dir / "ner-fast.cfg",
        output=ws.training_dir / "once",
        overrides={
            "training.max_steps": 4,
            "training.eval_frequency": 2,
            "components.tok2vec.model.encode.width": 32,
        },
    )
    result = train(ws, options, on_progress=steps_only(convert_again))
    assert rewritten and train_path.read_bytes() != original
    manifest = TrainingManifest.load(manifest_path(result.output))
    train_facts = manifest.data["train"]
    assert train_facts.path == str(train_path)
    assert train_facts.sha256 == hashlib.sha256(original).hexdigest()
    assert train_facts.sha256 != sha256_of(train_path)
    assert train_facts.docs == len(docs)
    assert manifest.train_gold_names is not None
    assert manifest.train_gold_names.count == len(names) > len(gold_entity_names(train_path))
    assert manifest.train_gold_names.sha256 == names_sha256(names)
    # the model's own config names the user's file, not the run's private copy
    config = (result.output / "model-best" / "config.cfg").read_text()
    assert f'train = "{train_path}"' in config
    # the run's copies are gone with it
    assert set(Path(tempfile.gettempdir()).glob("nerwb-train-data-*")) <= copies_before
