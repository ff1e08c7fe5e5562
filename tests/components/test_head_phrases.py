"""The head-phrases component: new names built from the heads and words of the training's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from conftest import examples_from_rows
from nerwb.components.head_phrases import FACTORY, fold_plural
from nerwb.errors import TrainingError

ROWS = [
    ("It is a foreign terrorist organization now.", [("foreign terrorist organization", "D")]),
    ("Two terrorist organizations were named.", [("terrorist organizations", "D")]),
    ("The Treasury sanctions list grew.", [("Treasury sanctions list", "D")]),
    ("A sanctions list was cut.", [("sanctions list", "D")]),
    ("The Wagner Group moved north.", [("Wagner Group", "AG")]),
    ("Fighters of the Khan Zaman group left.", [("Khan Zaman group", "AG")]),
    ("The Sinaloa Cartel said so.", [("Sinaloa Cartel", "AG")]),
    ("Members of the Gulf Cartel fled.", [("Gulf Cartel", "AG")]),
    ("Police said 12 people died.", [("12 people", "CF")]),
    # "Study Group" is no armed group: "group" closes names 2 times of 3 in the training text
    ("The Study Group met in Lagos.", []),
]


def examples(nlp, rows=ROWS) -> list[Example]:
    return examples_from_rows(nlp, rows)


def test_unseen_names_from_seen_heads_and_words(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    heads = nlp.add_pipe(FACTORY)
    nlp.initialize(lambda: examples(nlp))
    assert heads.facts["labels"] == ["AG", "D"]  # number phrases are not names
    assert heads.rules["D"]["capitalised"] is False and heads.rules["AG"]["capitalised"] is True
    assert set(heads.rules["D"]["heads"]) == {"organization", "list"}
    assert heads.rules["AG"]["heads"]["group"] == pytest.approx(2 / 3, abs=0.001)
    doc = nlp("They joined the terrorist list. The Azov Group and the Tren Cartel fought.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("terrorist list", "D"),  # a new combination of a seen word and a seen head
        ("Azov Group", "AG"),  # capitalised words before a seen head
        ("Tren Cartel", "AG"),
    ]
    # plural heads count for the singular; leading stop words are dropped
    doc = nlp("The foreign terrorist organizations are many.")
    assert [e.text for e in doc.ents] == ["foreign terrorist organizations"]
    # only fills: an entity already there is kept, and nothing overlapping it is added
    doc = nlp.make_doc("The Azov Group fought.")
    doc.ents = [doc.char_span(4, 8, label="D")]
    assert [(e.text, e.label_) for e in heads(doc).ents] == [("Azov", "D")]
    # saved and loaded as JSON, spacy.load needing only nerwb's entry point
    nlp.to_disk(tmp_path / "model")
    again = spacy.load(tmp_path / "model")
    assert [e.text for e in again("The Azov Group fought.").ents] == ["Azov Group"]
    assert json.loads((tmp_path / "model" / FACTORY / "rules.json").read_text())["rules"]


def test_a_head_the_training_text_does_not_bear_out_is_dropped() -> None:
    nlp = spacy.blank("en")
    heads = nlp.add_pipe(FACTORY, config={"min_precision": 0.7})
    nlp.initialize(lambda: examples(nlp))
    assert "group" not in heads.rules["AG"]["heads"]  # 2 of 3: under 0.7
    assert [e.text for e in nlp("The Azov Group fought.").ents] == []
    assert [e.text for e in nlp("The Tren Cartel fought.").ents] == ["Tren Cartel"]


def test_min_support_needs_enough_candidates() -> None:
    nlp = spacy.blank("en")
    heads = nlp.add_pipe(FACTORY, config={"min_support": 3})
    nlp.initialize(lambda: examples(nlp))
    # "group": three candidates; "cartel", "list" and "organization": two each
    assert heads.facts["heads_kept"] == {"AG": ["group"]}


def test_labels_the_training_data_never_marks_are_refused() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(FACTORY, config={"labels": ["AG", "NOPE"]})
    with pytest.raises(TrainingError, match="NOPE"):
        nlp.initialize(lambda: examples(nlp))


def test_fold_plural() -> None:
    assert [fold_plural(w) for w in ["organizations", "militias", "entities", "isis", "press"]] == [
        "organization",
        "militia",
        "entity",
        "isis",
        "press",
    ]
