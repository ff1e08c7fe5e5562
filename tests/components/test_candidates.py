"""Name candidates judged by context: candidates, learning, saving, bad settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from nerwb.components.candidates import FACTORY, candidate_features, candidate_spans, fill
from nerwb.errors import TrainingError

GROUPS = ["Abu Omar Brigades", "Jaish Front", "Kata Ali Brigades", "Tahrir Front", "Nur Army"]
PLACES = ["Basra", "Mosul", "Aleppo", "Kirkuk", "Homs"]


def training_examples(nlp) -> list[Example]:
    out = []
    for i in range(40):
        group, place = GROUPS[i % 5], PLACES[(i * 2) % 5]
        text = f"Fighters of the {group} attacked {place} on Monday, officials in {place} said."
        doc = nlp.make_doc(text)
        doc.ents = [
            doc.char_span(text.index(group), text.index(group) + len(group), label="ARMED_GROUP")
        ]
        out.append(Example(nlp.make_doc(text), doc))
    return out


def test_candidates_are_capitalised_runs_and_their_parts() -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc(
        "Fighters of the Islamic State of Iraq and the Levant and Norte del Valle cartel left."
    )
    spans = {doc[s:e].text for s, e in candidate_spans(doc)}
    assert "Islamic State of Iraq and the Levant" in spans
    assert "Islamic State" in spans and "Levant" in spans
    assert "Norte del Valle cartel" in spans and "Norte del Valle" in spans
    assert "Fighters" in spans  # a sentence's first word is a candidate too (a feature says so)
    assert not any(t.startswith(("the ", "of ")) for t in spans)


def test_features_do_not_name_the_candidate() -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("Fighters of the Jaish Front (JF) attacked Basra. The JF denied it.")
    spans = candidate_spans(doc)
    from nerwb.components.candidates import acronym_links

    expansions, defined = acronym_links(doc, spans)
    assert (3, 5) in expansions and defined == {"JF"}
    jaish = candidate_features(doc, 3, 5, expansions, defined)
    assert "defines_acronym" in jaish and "head=front" in jaish
    assert not any("jaish" in f for f in jaish)  # only the head word is named
    later = candidate_features(doc, 12, 13, expansions, defined)
    assert "defined_acronym" in later
    assert not any(f.endswith("jf") for f in later)


@pytest.mark.slow  # seconds of its own: a child process or a training
def test_it_finds_a_name_it_never_saw_from_its_context(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    component = nlp.add_pipe(FACTORY, config={"threshold": 0.5})
    nlp.initialize(lambda: training_examples(nlp))
    assert component.labels == ["ARMED_GROUP"]
    assert component.model.training["gold_spans_among_candidates"] == 40
    doc = nlp(
        "Fighters of the Zarqa Salam Brigades attacked Rutba on Monday, officials in Rutba said."
    )
    assert [(e.text, e.label_) for e in doc.ents] == [("Zarqa Salam Brigades", "ARMED_GROUP")]
    # saved as JSON, loaded by a fresh interpreter that never imports nerwb
    nlp.to_disk(tmp_path / "model")
    saved = json.loads((tmp_path / "model" / "nerwb_name_candidates" / "model.json").read_text())
    assert saved["labels"] == ["ARMED_GROUP"] and saved["classifier"]["classes"] == [
        "",
        "ARMED_GROUP",
    ]
    script = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "print([e.text for e in nlp('Fighters of the Qadr Brigades attacked Hit on Monday.').ents])"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "model")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['Qadr Brigades']"


def test_fill_never_overrides_the_ner() -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("The Nur Army met the Tahrir Front.")
    doc.ents = [doc.char_span(4, 12, label="DESIGNATION")]
    ents = fill(doc, [(1, 3, "ARMED_GROUP"), (5, 7, "ARMED_GROUP")])
    assert [(e.text, e.label_) for e in ents] == [
        ("Nur Army", "DESIGNATION"),
        ("Tahrir Front", "ARMED_GROUP"),
    ]


def test_bad_settings_and_labels_are_refused() -> None:
    nlp = spacy.blank("en")
    with pytest.raises(TrainingError, match=r"threshold must lie in \(0, 1\], not 1.5"):
        nlp.add_pipe(FACTORY, config={"threshold": 1.5})
    with pytest.raises(TrainingError, match="regularization must be above 0, not 0"):
        nlp.add_pipe(FACTORY, config={"regularization": 0})
    component = nlp.add_pipe(FACTORY, config={"labels": ["WEAPON"]})
    with pytest.raises(TrainingError, match=r"label.s. WEAPON have no spans in the training data"):
        nlp.initialize(lambda: training_examples(nlp))
    with pytest.raises(ValueError, match="not initialised"):
        component(nlp.make_doc("x"))
