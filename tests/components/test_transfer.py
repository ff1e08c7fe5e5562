"""A base pipeline's NER carried over to new labels: weights copied, its labels left behind."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.training import Example

from nerwb.components.base_entities import FACTORY as BASE_ENTITIES
from nerwb.components.transfer import move_names, transfer_ner
from nerwb.errors import TrainingError

TEXT = "The Taliban said 12 soldiers were killed near Kabul in May."


def ner_config(*, width: int = 32, attrs: tuple[str, ...] = ("NORM", "SHAPE")) -> dict:
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "hidden_width": 16,
            "maxout_pieces": 2,
            "use_upper": True,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": width,
                    "attrs": list(attrs),
                    "rows": [200] * len(attrs),
                    "include_static_vectors": False,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": width,
                    "depth": 1,
                    "window_size": 1,
                    "maxout_pieces": 2,
                },
            },
        }
    }


def pipeline(spans: list[tuple[str, str]], **arch):
    """A blank pipeline with an initialised ner whose labels are those of ``spans``."""
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config=ner_config(**arch))
    doc = nlp.make_doc(TEXT)
    reference = doc.copy()
    reference.ents = [
        reference.char_span(TEXT.index(t), TEXT.index(t) + len(t), label=label)
        for t, label in spans
    ]
    nlp.initialize(lambda: [Example(doc, reference)])
    return nlp


@pytest.fixture(scope="module")
def base():
    nlp = pipeline([("Taliban", "ORG"), ("12", "CARDINAL"), ("Kabul", "GPE"), ("May", "DATE")])
    upper = nlp.get_pipe("ner").model.get_ref("upper")
    # a trained base has non-zero output rows: make them so, distinct per row
    rows = upper.get_param("W").shape[0]
    upper.set_param("W", numpy.arange(rows * 16, dtype="f").reshape(rows, 16) + 1)
    upper.set_param("b", numpy.arange(rows, dtype="f") + 1)
    return nlp


def params(model) -> list:
    return [n.get_param(p) for n in model.walk() for p in n.param_names if n.has_param(p)]


def test_every_weight_is_copied_and_only_the_new_labels_are_kept(base) -> None:
    nlp = pipeline([("Taliban", "ARMED_GROUP"), ("12 soldiers", "CASUALTY_FIGURE")])
    done = transfer_ner(nlp, base, component="ner", source="ner", label_map={"ARMED_GROUP": "ORG"})
    ner, base_ner = nlp.get_pipe("ner"), base.get_pipe("ner")
    assert set(ner.labels) == {"ARMED_GROUP", "CASUALTY_FIGURE"}  # no ORG, GPE, DATE, CARDINAL
    for ref in ("tok2vec", "lower"):
        for mine, theirs in zip(
            params(ner.model.get_ref(ref)), params(base_ner.model.get_ref(ref)), strict=True
        ):
            numpy.testing.assert_array_equal(mine, theirs)
    W, b = (ner.model.get_ref("upper").get_param(p) for p in ("W", "b"))
    W_base, b_base = (base_ner.model.get_ref("upper").get_param(p) for p in ("W", "b"))
    names, base_names = move_names(ner), move_names(base_ner)
    for i, name in enumerate(names):
        if name == "O":
            source = base_names.index("O")
        elif name.endswith("-ARMED_GROUP"):
            source = base_names.index(name.replace("ARMED_GROUP", "ORG"))
        else:
            assert not W[i].any() and b[i] == 0, name  # no base label to start from
            continue
        numpy.testing.assert_array_equal(W[i], W_base[source])
        assert b[i] == b_base[source]
    assert done["base_rows"]["U-ARMED_GROUP"] == "U-ORG"
    # the pipeline still runs, and predicts only its own labels
    assert {e.label_ for e in nlp(TEXT).ents} <= {"ARMED_GROUP", "CASUALTY_FIGURE"}


def test_an_extra_feature_column_starts_at_zero(base) -> None:
    nlp = pipeline([("Taliban", "ARMED_GROUP")], attrs=("NORM", "SHAPE", "TAG"))
    transfer_ner(nlp, base, component="ner", source="ner", label_map={})
    mine = [n for n in nlp.get_pipe("ner").model.get_ref("tok2vec").walk() if n.name == "maxout"]
    theirs = [n for n in base.get_pipe("ner").model.get_ref("tok2vec").walk() if n.name == "maxout"]
    mixer, base_mixer = mine[0].get_param("W"), theirs[0].get_param("W")
    assert mixer.shape[-1] == base_mixer.shape[-1] * 3 // 2  # one more column of three
    numpy.testing.assert_array_equal(mixer[..., : base_mixer.shape[-1]], base_mixer)
    assert not mixer[..., base_mixer.shape[-1] :].any()


def test_mismatches_are_refused_by_name(base) -> None:
    nlp = pipeline([("Taliban", "ARMED_GROUP")])
    with pytest.raises(TrainingError, match="the base NER has no label LAW"):
        transfer_ner(nlp, base, component="ner", source="ner", label_map={"ARMED_GROUP": "LAW"})
    with pytest.raises(TrainingError, match="DESIGNATION, which the training data does not mark"):
        transfer_ner(nlp, base, component="ner", source="ner", label_map={"DESIGNATION": "ORG"})
    wider = pipeline([("Taliban", "ARMED_GROUP")], width=48)
    with pytest.raises(TrainingError, match=r"has shape .* the base pipeline's"):
        transfer_ner(wider, base, component="ner", source="ner", label_map={})
    with pytest.raises(TrainingError, match="no component 'entities'"):
        transfer_ner(nlp, base, component="entities", source="ner", label_map={})


def test_base_entities_become_a_feature_and_leave_the_ents_missing() -> None:
    nlp = spacy.blank("en")
    component = nlp.add_pipe(BASE_ENTITIES)
    doc = nlp.make_doc(TEXT)
    doc.ents = [doc.char_span(4, 11, label="ORG"), doc.char_span(17, 19, label="CARDINAL")]
    doc = component(doc)
    assert [(s.text, s.label_) for s in doc.spans["base_ents"]] == [
        ("Taliban", "ORG"),
        ("12", "CARDINAL"),
    ]
    assert [t.tag_ for t in doc[:5]] == ["", "ORG", "", "CARDINAL", ""]
    assert list(doc.ents) == []
    # missing, not "outside": a NER after it may still find entities anywhere
    assert {t.ent_iob_ for t in doc} == {""}
