"""Acronyms an article defines take the label of the entity they abbreviate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from nerwb.components.acronyms import FACTORY, is_acronym
from nerwb.errors import TrainingError

TEXT = (
    "The Islamic Revolutionary Guard Corps (IRGC) said the attack failed. "
    "Later the IRGC and Hamas denied it; IRGC officers left. The UN met."
)


def with_ents(nlp, text: str, phrases: list[tuple[str, str]]):
    doc = nlp.make_doc(text)
    doc.ents = [
        doc.char_span(text.index(p), text.index(p) + len(p), label=lab) for p, lab in phrases
    ]
    return doc


def test_a_defined_acronym_takes_the_label_where_nothing_was_found() -> None:
    nlp = spacy.blank("en")
    component = nlp.add_pipe(FACTORY)
    doc = with_ents(nlp, TEXT, [("Islamic Revolutionary Guard Corps", "ARMED_GROUP")])
    doc = component(doc)
    found = [(e.text, e.label_, e.start_char) for e in doc.ents]
    irgc = [(t, lab) for t, lab, _ in found if t == "IRGC"]
    assert irgc == [("IRGC", "ARMED_GROUP")] * 3  # in the brackets and both later mentions
    assert "UN" not in {e.text for e in doc.ents}  # never defined here: left alone


def test_never_over_an_entity_and_only_what_the_document_defines() -> None:
    nlp = spacy.blank("en")
    component = nlp.add_pipe(FACTORY)
    # the NER labelled one later mention as a DESIGNATION: kept as it is
    later = TEXT.index("IRGC officers")
    doc = nlp.make_doc(TEXT)
    doc.ents = [
        doc.char_span(4, 37, label="ARMED_GROUP"),
        doc.char_span(later, later + 4, label="DESIGNATION"),
    ]
    doc = component(doc)
    labels = [e.label_ for e in doc.ents if e.text == "IRGC"]
    assert labels == ["ARMED_GROUP", "ARMED_GROUP", "DESIGNATION"]
    # no entity before the brackets: nothing defined, nothing added
    bare = component(nlp.make_doc(TEXT))
    assert list(bare.ents) == []


def test_from_entities_propagates_an_acronym_the_ner_found_once() -> None:
    nlp = spacy.blank("en")
    plain = nlp.add_pipe(FACTORY, name="plain")
    spread = nlp.add_pipe(FACTORY, name="spread", config={"from_entities": True})
    text = "The UN said so. Later the UN met."
    assert len(plain(with_ents(nlp, text, [("UN", "ORG")])).ents) == 1
    assert [e.label_ for e in spread(with_ents(nlp, text, [("UN", "ORG")])).ents] == ["ORG"] * 2


def test_what_counts_as_an_acronym() -> None:
    assert is_acronym("IRGC", 2, 8) and is_acronym("MS-13", 2, 8) and is_acronym("JeM", 2, 8)
    assert not is_acronym("Hamas", 2, 8) and not is_acronym("I", 2, 8)
    assert not is_acronym("ABCDEFGHIJ", 2, 8) and not is_acronym("a.b", 2, 8)


def test_bad_settings_are_refused() -> None:
    nlp = spacy.blank("en")
    with pytest.raises(TrainingError, match="need 2 <= min_length <= max_length, got 5 and 3"):
        nlp.add_pipe(FACTORY, config={"min_length": 5, "max_length": 3})
    with pytest.raises(TrainingError, match="got 1 and 8"):
        nlp.add_pipe(FACTORY, config={"min_length": 1})


@pytest.mark.slow  # seconds of its own: a child process or a training
def test_saved_and_loaded_by_plain_spacy(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(FACTORY, config={"max_length": 6})
    nlp.initialize()
    nlp.to_disk(tmp_path / "model")
    script = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "print(nlp.pipe_names, nlp.get_pipe_config('nerwb_acronyms')['max_length'])"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "model")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['nerwb_acronyms'] 6"
