"""Mention replacement: offsets rewritten, shapes kept, bad settings refused, found by spaCy."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Config

from nerwb.components.augment import NAME, MentionPool, create_mention_replacement, synthetic
from nerwb.errors import InputError, TrainingError

ROWS = [
    (
        "The Abu Bakr Brigades attacked Basra; 12 soldiers died.",
        ["Abu Bakr Brigades", "12 soldiers"],
    ),
    ("Fighters of the Omar Brigades and the IRGC fled.", ["Omar Brigades", "IRGC"]),
    ("Hamas said the Ali Brigades lost 3 men.", ["Hamas", "Ali Brigades", "3 men"]),
]


def labelled(nlp, text: str, phrases: list[str]) -> Doc:
    doc = nlp.make_doc(text)
    doc.ents = [
        doc.char_span(
            text.index(p),
            text.index(p) + len(p),
            label="CASUALTY_FIGURE" if p[0].isdigit() else "ARMED_GROUP",
        )
        for p in phrases
    ]
    return doc


def examples(nlp) -> list[Example]:
    return [Example(nlp.make_doc(t), labelled(nlp, t, p)) for t, p in ROWS]


def run(augment, nlp, egs: list[Example]) -> list[Example]:
    return [out for eg in egs for out in augment(nlp, eg)]


def test_every_span_is_rewritten_with_the_new_text() -> None:
    nlp = spacy.blank("en")
    augment = create_mention_replacement(probability=1.0, synthetic=0.0, seed=1)
    run(augment, nlp, examples(nlp))  # first pass fills the pool
    out = run(augment, nlp, examples(nlp))
    pool = {p for _, phrases in ROWS for p in phrases}
    for eg, (text, phrases) in zip(out, ROWS, strict=True):
        ents = [(e.text, e.label_) for e in eg.reference.ents]
        assert eg.reference.text != text  # each group was replaced by another one
        assert len(ents) == len(phrases)
        for (got, label), old in zip(ents, phrases, strict=True):
            assert got in pool
            if label == "ARMED_GROUP":
                assert got != old
            else:  # casualty figures hold numbers: phrases, not names, left alone
                assert got == old
        # the span offsets point at the new text, and the predicted side is the same text
        assert eg.predicted.text == eg.reference.text
        for ent in eg.reference.ents:
            assert eg.reference.text[ent.start_char : ent.end_char] == ent.text


def test_probability_zero_and_partly_annotated_examples_pass_unchanged() -> None:
    nlp = spacy.blank("en")
    egs = examples(nlp)
    assert run(create_mention_replacement(probability=0.0), nlp, egs) == egs
    partial = nlp.make_doc("The Omar Brigades and the IRGC fled.")
    partial.set_ents([partial.char_span(4, 17, label="ARMED_GROUP")], default="unmodified")
    eg = Example(nlp.make_doc(partial.text), partial)
    augment = create_mention_replacement(probability=1.0, synthetic=1.0)
    assert run(augment, nlp, [eg]) == [eg]  # missing annotation must stay missing


def test_a_repeated_name_gets_one_replacement_per_document() -> None:
    nlp = spacy.blank("en")
    text = "The IRGC said the IRGC and Hamas would fight."
    doc = labelled(nlp, text, ["IRGC", "Hamas"])
    doc.ents = [*doc.ents, doc.char_span(18, 22, label="ARMED_GROUP")]
    augment = create_mention_replacement(probability=1.0, synthetic=1.0, seed=3)
    (out,) = run(augment, nlp, [Example(nlp.make_doc(text), doc)])
    names = [e.text for e in out.reference.ents]
    assert names[0] == names[1] != "IRGC"


def test_synthetic_names_keep_the_shape() -> None:
    nlp = spacy.blank("en")
    pool = MentionPool()
    for eg in examples(nlp):
        pool.add(eg.reference)
    assert pool.heads("ARMED_GROUP") == {"Brigades"}  # ends three different names
    assert not pool.is_name_label("CASUALTY_FIGURE") and pool.is_name_label("ARMED_GROUP")
    rng = random.Random(0)
    doc = nlp.make_doc("the Islamic Revolutionary Brigades (IRGC) and al-Shabaab")
    name = synthetic(doc, 1, 4, pool.heads("ARMED_GROUP"), rng)
    words = name.split()
    assert len(words) == 3 and words[-1] == "Brigades" and words[:2] != ["Islamic", "Revolutionary"]
    assert all(w[0].isupper() for w in words)
    acronym = synthetic(doc, 5, 6, set(), rng)
    assert acronym.isupper() and len(acronym) == 4 and acronym != "IRGC"
    hyphenated = synthetic(doc, 8, len(doc), set(), rng)
    assert hyphenated.startswith("al-") and hyphenated != "al-Shabaab"


def test_names_file_joins_the_pool_and_bad_files_are_refused(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    names = tmp_path / "names.jsonl"
    names.write_text(json.dumps({"label": "ARMED_GROUP", "pattern": "Jaish al-Adl"}) + "\n")
    augment = create_mention_replacement(probability=1.0, synthetic=0.0, names_file=str(names))
    (eg,) = run(augment, nlp, examples(nlp)[:1])  # the pool's only other name is the file's
    assert next(e.text for e in eg.reference.ents) == "Jaish al-Adl"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "ARMED_GROUP", "pattern": "X"}\n{"pattern": "no label"}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl, line 2: expected \{\"label\""):
        create_mention_replacement(names_file=str(bad))
    with pytest.raises(TrainingError, match=r"names file .*missing\.jsonl does not exist"):
        create_mention_replacement(names_file=str(tmp_path / "missing.jsonl"))
    with pytest.raises(TrainingError, match=r"probability must lie in \[0, 1\], not 1.5"):
        create_mention_replacement(probability=1.5)
    with pytest.raises(TrainingError, match=r"synthetic must lie in \[0, 1\], not -0.1"):
        create_mention_replacement(synthetic=-0.1)


@pytest.mark.slow  # seconds of its own: a child process or a training
def test_a_config_section_builds_it_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """The shipped configs' [corpora.train.augmenter] resolves through the entry point, in an
    interpreter that never imports nerwb, and augments what spaCy's Corpus reads."""
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    DocBin(docs=[eg.reference for eg in examples(nlp)]).to_disk(tmp_path / "train.spacy")
    shipped = Path(__file__).parents[2] / "configs" / "ner-pretrained.cfg"
    section = Config().from_disk(shipped, interpolate=False)["corpora"]["train"]
    assert section["augmenter"]["@augmenters"] == NAME
    script = f"""
import spacy
from thinc.api import Config
config = Config().from_str('''
[train]
@readers = "spacy.Corpus.v1"
path = "{tmp_path / "train.spacy"}"
gold_preproc = false
[train.augmenter]
@augmenters = "{NAME}"
probability = 1.0
synthetic = 1.0
''')
corpus = spacy.util.registry.resolve(config)["train"]
nlp = spacy.blank("en")
texts = [eg.reference.text for eg in corpus(nlp)]
print(texts)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Hamas" not in out.stdout and "Brigades" in out.stdout


def test_nerwb_train_with_mention_replacement_on(ws, cli) -> None:
    """The shipped default config trains with the augmenter switched on from the command line."""
    from conftest import prepare_demo_gold

    prepare_demo_gold(ws)
    out = ws.root / "training" / "replaced"
    result = cli(
        "train",
        "-o",
        out,
        "--corpora.train.augmenter.probability",
        "0.5",
        "--training.max_steps",
        "6",
        "--training.eval_frequency",
        "3",
        "-w",
        ws.root,
    )
    assert result.exit_code == 0, result.stderr
    saved = Config().from_disk(out / "model-best" / "config.cfg", interpolate=False)
    assert saved["corpora"]["train"]["augmenter"]["probability"] == 0.5
    assert spacy.load(out / "model-best")("Hamas said 3 men died.") is not None


def test_nerwb_train_refuses_a_bad_probability_and_leaves_nothing(ws, cli) -> None:
    from conftest import prepare_demo_gold, snapshot_tree

    prepare_demo_gold(ws)
    before = snapshot_tree(ws.root)
    result = cli(
        "train",
        "--corpora.train.augmenter.probability",
        "2",
        "--training.max_steps",
        "6",
        "-w",
        ws.root,
    )
    assert result.exit_code == 1
    assert "probability must lie in [0, 1], not 2" in result.stderr
    assert snapshot_tree(ws.root) == before
