"""The number-anchored component: candidates, learning, reconciliation, saving, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import Config

from conftest import prepare_demo_gold
from nerwb.components.numbers import (
    FACTORY,
    NUMBER_WORDS,
    THRESHOLDS,
    Reconcile,
    numbers_in,
    phrases_at,
    reconcile,
    study_labels,
)
from nerwb.errors import TrainingError

WORDS = frozenset(NUMBER_WORDS)


def doc_with(nlp, text: str, ents: list[tuple[str, str]]) -> Doc:
    """A Doc whose ents are the given (phrase, label) pairs, found by their first occurrence."""
    doc = nlp.make_doc(text)
    spans = []
    for phrase, label in ents:
        start = text.index(phrase)
        spans.append(doc.char_span(start, start + len(phrase), label=label))
    doc.ents = spans
    return doc


def candidates(doc, max_left: int, max_right: int) -> set[str]:
    """Every phrase the component considers in ``doc``, as text."""
    return {
        doc[s:e].text
        for a in numbers_in(doc, WORDS)
        for s, e in phrases_at(doc, a, max_left, max_right)
    }


def test_candidates_reach_and_stop_at_clause_ends() -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("At least five Frontier Corps (FC) personnel died. Two more fled")
    found = candidates(doc, 2, 6)
    assert "At least five Frontier Corps (FC) personnel" in found
    assert "five" in found and "Two more fled" in found
    assert not any("." in phrase for phrase in found)  # never across the sentence end
    assert not any(phrase.startswith("Corps") for phrase in found)  # always holds its number
    # "a dozen" is a number to the component, though not to spaCy's like_num
    dozen = nlp.make_doc("more than a dozen dead bodies")
    assert "more than a dozen dead bodies" in candidates(dozen, 3, 2)


def training_examples(nlp) -> list[Example]:
    groups = ["Hamas", "the PMF", "Kata'ib Hezbollah", "al-Shabaab", "the IRGC"]
    places = ["Gaza", "Basra", "Mosul", "Kismayo", "Tehran"]
    examples = []
    for i in range(40):
        n = [3, 12, 7, 40, 5, 250, 9, 18][i % 8]
        victims = ["soldiers", "civilians", "police officers", "troops"][i % 4]
        group = groups[i % 5]
        text = f"{group} said {n} {victims} were killed near {places[i % 5]} on {i + 1} May."
        doc = doc_with(nlp, text, [(group, "ARMED_GROUP"), (f"{n} {victims}", "CASUALTY_FIGURE")])
        examples.append(Example(nlp.make_doc(text), doc))
    return examples


def test_it_learns_which_phrases_and_what_extent() -> None:
    nlp = spacy.blank("en")
    component = nlp.add_pipe(FACTORY)
    examples = training_examples(nlp)
    nlp.initialize(lambda: examples)
    assert component.labels == ["CASUALTY_FIGURE"]  # found from the data, not named
    facts = component.model.training
    assert facts["share_with_number"]["CASUALTY_FIGURE"] == 1.0
    assert facts["max_left"] == 0 and facts["max_right"] == 2  # "police officers"
    doc = nlp("The PMF said 31 soldiers were killed near Baiji on 4 June.")
    assert [(e.text, e.label_) for e in doc.ents] == [("31 soldiers", "CASUALTY_FIGURE")]
    # the date's number is a candidate too, and is rejected
    assert "4 June" not in {e.text for e in doc.ents}


def test_reconcile_prefer_fill_replace() -> None:
    nlp = spacy.blank("en")
    text = "Hamas said 31 soldiers and 2 police were killed."
    doc = doc_with(nlp, text, [("Hamas", "ARMED_GROUP"), ("31", "CASUALTY_FIGURE")])
    mine = [(2, 4, "CASUALTY_FIGURE")]  # "31 soldiers"
    labels = ["CASUALTY_FIGURE"]
    prefer = [(e.text, e.label_) for e in reconcile(doc, mine, labels, Reconcile.PREFER)]
    assert prefer == [("Hamas", "ARMED_GROUP"), ("31 soldiers", "CASUALTY_FIGURE")]
    fill = [(e.text, e.label_) for e in reconcile(doc, mine, labels, Reconcile.FILL)]
    assert fill == [("Hamas", "ARMED_GROUP"), ("31", "CASUALTY_FIGURE")]
    doc.ents = [*doc.ents, Span(doc, 5, 7, label="CASUALTY_FIGURE")]  # "2 police" from the NER
    replace = [(e.text, e.label_) for e in reconcile(doc, mine, labels, Reconcile.REPLACE)]
    assert replace == [("Hamas", "ARMED_GROUP"), ("31 soldiers", "CASUALTY_FIGURE")]


def test_threshold_chosen_by_cross_validation_when_unset() -> None:
    nlp = spacy.blank("en")
    component = nlp.add_pipe(FACTORY, config={"threshold": None})
    nlp.initialize(lambda: training_examples(nlp))
    assert component.model.threshold in THRESHOLDS
    # the inner folds find the easy synthetic phrases exactly
    assert component.model.training["threshold_f"] == 1.0
    doc = nlp("The PMF said 31 soldiers were killed near Baiji on 4 June.")
    assert [e.text for e in doc.ents] == ["31 soldiers"]


def test_labels_without_numbers_are_refused() -> None:
    nlp = spacy.blank("en")
    examples = training_examples(nlp)
    with pytest.raises(TrainingError, match=r"only 0 of label ARMED_GROUP's 40 training spans"):
        study_labels(examples, WORDS, ["ARMED_GROUP"], 0.9)
    with pytest.raises(TrainingError, match="label WEAPON has no spans in the training data"):
        study_labels(examples, WORDS, ["WEAPON"], 0.9)
    with pytest.raises(TrainingError, match="reconcile 'sometimes' is not one of prefer"):
        nlp.add_pipe(FACTORY, config={"reconcile": "sometimes"})


@pytest.mark.slow  # trains, saves, loads in a fresh interpreter
def test_trained_in_a_pipeline_saved_as_json_loaded_by_plain_spacy(ws, cli, tmp_path: Path) -> None:
    prepare_demo_gold(ws)
    config = Config().from_disk(ws.configs_dir / "ner-fast.cfg", interpolate=False)
    config["nlp"]["pipeline"] = [*config["nlp"]["pipeline"], "number_phrases"]
    config["components"]["number_phrases"] = {"factory": FACTORY, "threshold": 0.3}
    path = tmp_path / "with-numbers.cfg"
    config.to_disk(path)
    out = ws.root / "training" / "numbers"
    steps = ("--training.max_steps", "12", "--training.eval_frequency", "6")
    result = cli("train", "-c", path, "-o", out, *steps, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    saved = json.loads((out / "model-best" / "number_phrases" / "model.json").read_text())
    assert saved["labels"] == ["CASUALTY_FIGURE"] and saved["threshold"] == 0.3
    assert saved["anchor"]["classes"] == ["", "CASUALTY_FIGURE"]
    assert saved["extent"]["classes"] == ["no", "yes"]
    assert saved["training"]["anchors"] > 0
    # a fresh interpreter that never imports nerwb: the entry point finds the factory
    script = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "doc = nlp('Militants said 12 soldiers and 3 civilians were killed.'); "
        "ents = [(e.start, e.end) for e in doc.ents]; "
        "assert all(a[1] <= b[0] for a, b in zip(ents, ents[1:])), ents; "
        "print(nlp.pipe_names)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(out / "model-best")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "number_phrases" in run.stdout
    # nerwb predict's worker processes load it too, and agree with nlp.pipe
    texts = [
        "Militants said 12 soldiers and 3 civilians were killed in Basra.",
        "At least five Frontier Corps personnel died; the IRGC denied it.",
        "More than 4,400 US service members were wounded, officials said.",
    ]
    inputs = tmp_path / "articles"
    inputs.mkdir()
    for i, text in enumerate(texts):
        (inputs / f"{i}.txt").write_text(text, encoding="utf-8")
    preds = tmp_path / "preds.jsonl"
    model = out / "model-best"
    result = cli("predict", model, inputs, "-o", preds, "--n-process", "2")
    assert result.exit_code == 0, result.stderr
    got = {
        json.loads(line)["text"]: json.loads(line)["entities"]
        for line in preds.read_text().splitlines()
    }
    nlp = spacy.load(model)
    expected = {
        d.text: [[e.start_char, e.end_char, e.label_, e.text] for e in d.ents]
        for d in nlp.pipe(texts)
    }
    assert got == expected


def test_train_refuses_a_number_label_without_numbers_and_leaves_nothing(ws, cli) -> None:
    from conftest import snapshot_tree

    prepare_demo_gold(ws)
    before = snapshot_tree(ws.root)
    result = cli(
        "train",
        "--components.number_phrases.labels",
        '["ARMED_GROUP"]',
        "--training.max_steps",
        "6",
        "-w",
        ws.root,
    )
    assert result.exit_code == 1
    assert "training spans contain a number" in result.stderr
    assert "label ARMED_GROUP" in result.stderr
    assert snapshot_tree(ws.root) == before  # no run folder, no staging left behind
