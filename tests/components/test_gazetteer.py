"""The gazetteer component: names kept only where the training text bears them out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from conftest import examples_from_rows
from nerwb.components.gazetteer import FACTORY
from nerwb.errors import InputError, TrainingError


def examples(nlp) -> list[Example]:
    """ "Wagner Group" is always a group; "the government" is marked once in four mentions."""
    rows = [
        ("The Wagner Group moved north.", [("Wagner Group", "ARMED_GROUP")]),
        ("Fighters of the Wagner Group left.", [("Wagner Group", "ARMED_GROUP")]),
        ("the government said so.", [("the government", "ARMED_GROUP")]),
        ("Later the government denied it.", []),
        ("And the government met.", []),
        ("Then the government fell.", []),
        ("Police said 12 people died.", [("12 people", "CASUALTY_FIGURE")]),
    ]
    return examples_from_rows(nlp, rows)


def test_keeps_names_the_training_text_bears_out(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    gazetteer = nlp.add_pipe(FACTORY)
    nlp.initialize(lambda: examples(nlp))
    kept = {" ".join(t["LOWER"] for t in p["pattern"]): p["precision"] for p in gazetteer.patterns}
    assert kept == {"wagner group": 1.0}  # "the government": 1 of 4 matches, below 0.5
    assert gazetteer.facts["labels"] == ["ARMED_GROUP"]  # number phrases are not names
    doc = nlp("The Wagner Group and the government spoke.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Wagner Group", "ARMED_GROUP")]
    # it only fills: an entity already there is never replaced
    doc = nlp.make_doc("The Wagner Group spoke.")
    doc.ents = [doc.char_span(4, 10, label="DESIGNATION")]
    assert [(e.text, e.label_) for e in gazetteer(doc).ents] == [("Wagner", "DESIGNATION")]
    # saved and loaded as JSON
    nlp.to_disk(tmp_path / "model")
    again = spacy.load(tmp_path / "model")
    assert [e.text for e in again("Wagner Group again.").ents] == ["Wagner Group"]
    assert json.loads((tmp_path / "model" / FACTORY / "patterns.json").read_text())["patterns"]


def test_a_users_list_adds_names_training_never_saw(tmp_path: Path) -> None:
    listed = tmp_path / "patterns.jsonl"
    listed.write_text(
        json.dumps({"label": "ARMED_GROUP", "pattern": "Jaish al-Adl"})
        + "\n"
        + json.dumps(
            {"label": "ARMED_GROUP", "pattern": [{"LOWER": "the"}, {"LOWER": "government"}]}
        )
        + "\n",
        encoding="utf-8",
    )
    nlp = spacy.blank("en")
    nlp.add_pipe(FACTORY, config={"patterns_file": str(listed)})
    nlp.initialize(lambda: examples(nlp))
    doc = nlp("Jaish al-Adl and the government spoke.")
    # the unseen listed name is kept; the listed one the training text contradicts is not
    assert [e.text for e in doc.ents] == ["Jaish al-Adl"]


def test_bad_patterns_files_and_labels_are_refused(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    bad = tmp_path / "bad.jsonl"
    for text, message in (
        ('{"label": "ARMED_GROUP", "pattern": "IRGC"}\n{oops\n', "line 2"),
        (
            '{"label": "WEAPON", "pattern": "AK-47"}\n',
            "label 'WEAPON' is not a label of the training",
        ),
        ('{"label": "ARMED_GROUP", "pattern": ""}\n', "line 1"),
    ):
        bad.write_text(text, encoding="utf-8")
        component = spacy.blank("en").add_pipe(FACTORY, config={"patterns_file": str(bad)})
        with pytest.raises(InputError, match=message):
            component.initialize(lambda: examples(nlp))
    missing = spacy.blank("en").add_pipe(FACTORY, config={"patterns_file": str(tmp_path / "no")})
    with pytest.raises(TrainingError, match="does not exist"):
        missing.initialize(lambda: examples(nlp))
    asked = spacy.blank("en").add_pipe(FACTORY, config={"labels": ["WEAPON"]})
    with pytest.raises(TrainingError, match="WEAPON have no spans"):
        asked.initialize(lambda: examples(nlp))


@pytest.mark.slow  # trains a shipped config
def test_switched_on_in_a_shipped_config_with_the_workspace_patterns(ws, cli) -> None:
    from conftest import prepare_demo_gold

    prepare_demo_gold(ws)
    assert cli("labels", "patterns", "-w", ws.root).exit_code == 0
    out = ws.root / "training" / "gazetteer"
    result = cli(
        "train",
        "-o",
        out,
        "--nlp.pipeline",
        '["tok2vec","ner","number_phrases","gazetteer"]',
        "--components.gazetteer.patterns_file",
        str(ws.patterns_path),
        "--training.max_steps",
        "12",
        "--training.eval_frequency",
        "6",
        "-w",
        ws.root,
    )
    assert result.exit_code == 0, result.stderr
    nlp = spacy.load(out / "model-best")
    assert nlp.pipe_names == ["tok2vec", "ner", "number_phrases", "gazetteer"]
    facts = nlp.get_pipe("gazetteer").facts
    listed = sum(1 for line in ws.patterns_path.read_text().splitlines() if line.strip())
    assert facts["labels"] == ["ARMED_GROUP", "DESIGNATION"] and facts["listed"] == listed
    assert 0 < facts["kept"] <= listed
