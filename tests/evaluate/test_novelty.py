"""Seen/unseen name scores on hand-made documents whose counts are known."""

from __future__ import annotations

import numpy as np
import pytest
import spacy

from conftest import doc_with_ents
from nerwb.evaluate.bootstrap import resample_weights
from nerwb.evaluate.novelty import (
    Novelty,
    NoveltySplit,
    novelty_counts,
    novelty_counts_of_docs,
    novelty_split,
    paired_recall_gain,
)
from nerwb.labels.gold_names import gold_names, gold_names_by_label, names_sha256, normalise_name

NLP = spacy.blank("en")


TRAIN = [
    doc_with_ents("Al Shabaab attacked Mogadishu.", [("Al Shabaab", "GROUP")]),
    doc_with_ents(
        "The  Islamic   State claimed it; 12 people died.", [("Islamic   State", "GROUP")]
    ),
    doc_with_ents("Officials said 12 people died.", [("12 people", "FIGURE")]),
]


def test_normalise_name_folds_case_and_whitespace() -> None:
    assert normalise_name("  AL\tShabaab \n") == "al shabaab"
    assert normalise_name("Islamic   State") == normalise_name("islamic state")


def test_gold_names_all_and_per_label() -> None:
    assert gold_names(TRAIN) == {"al shabaab", "islamic state", "12 people"}
    assert gold_names(TRAIN, label="FIGURE") == {"12 people"}
    assert gold_names_by_label(TRAIN) == {
        "GROUP": {"al shabaab", "islamic state"},
        "FIGURE": {"12 people"},
    }
    assert names_sha256(["b", "a"]) == names_sha256({"a", "b"})
    assert names_sha256(["a"]) != names_sha256(["a", "b"])


def test_counts_of_one_document() -> None:
    text = "AL SHABAAB and Boko Haram fought; 12 People and 30 soldiers died."
    spans = {
        name: (text.index(name), text.index(name) + len(name))
        for name in ("AL SHABAAB", "Boko Haram", "12 People", "30 soldiers", "Haram")
    }
    gold = [
        (*spans["AL SHABAAB"], "GROUP"),  # seen, found
        (*spans["Boko Haram"], "GROUP"),  # unseen, missed (cut short below)
        (*spans["12 People"], "FIGURE"),  # seen, found
        (*spans["30 soldiers"], "FIGURE"),  # unseen, found
    ]
    pred = [
        (*spans["AL SHABAAB"], "GROUP"),
        (*spans["Haram"], "GROUP"),  # unseen text, wrong boundaries
        (*spans["12 People"], "FIGURE"),
        (*spans["30 soldiers"], "FIGURE"),
    ]
    counts = novelty_counts(text, gold, pred, gold_names(TRAIN))
    seen, unseen = counts[Novelty.SEEN], counts[Novelty.UNSEEN]
    assert (seen.n_gold, seen.tp, seen.n_pred) == (
        {"GROUP": 1, "FIGURE": 1},
        {"GROUP": 1, "FIGURE": 1},
        {"GROUP": 1, "FIGURE": 1},
    )
    assert unseen.n_gold == {"GROUP": 1, "FIGURE": 1}
    assert unseen.tp == {"FIGURE": 1}
    assert unseen.n_pred == {"GROUP": 1, "FIGURE": 1}


def test_split_scores_and_intervals() -> None:
    seen_names = gold_names(TRAIN)
    gold = [
        doc_with_ents(
            "Al Shabaab and Boko Haram clashed.", [("Al Shabaab", "G"), ("Boko Haram", "G")]
        ),
        doc_with_ents("ISLAMIC STATE and JNIM.", [("ISLAMIC STATE", "G"), ("JNIM", "G")]),
        doc_with_ents("Ansar Dine spoke.", [("Ansar Dine", "G")]),
    ]
    pred = [
        doc_with_ents("Al Shabaab and Boko Haram clashed.", [("Al Shabaab", "G")]),
        doc_with_ents("ISLAMIC STATE and JNIM.", [("ISLAMIC STATE", "G"), ("JNIM", "G")]),
        doc_with_ents("Ansar Dine spoke.", [("spoke", "G")]),  # unseen text, spurious
    ]
    counts = novelty_counts_of_docs(gold, pred, seen_names)
    weights = resample_weights(len(counts), 500, seed=0)
    split = novelty_split(counts, ["G"], train_data="train.spacy", train_names=3, weights=weights)
    assert (split.seen.pooled.gold, split.seen.pooled.found) == (2, 2)
    assert split.seen.pooled.recall == 1.0
    assert split.seen.pooled.precision == 1.0
    unseen = split.unseen.per_label["G"]
    assert (unseen.gold, unseen.found, unseen.predicted, unseen.correct) == (3, 1, 2, 1)
    assert unseen.recall == pytest.approx(1 / 3)
    assert unseen.precision == pytest.approx(0.5)
    assert split.seen.pooled.recall_ci95 == (1.0, 1.0)
    low, high = split.unseen.pooled.recall_ci95
    assert 0.0 <= low <= 1 / 3 <= high <= 1.0 and low < high
    again = NoveltySplit.from_json(split.to_json())
    assert again == split


def test_group_without_gold_has_no_recall() -> None:
    counts = novelty_counts("Nothing here.", [], [(0, 7, "G")], set())
    split = novelty_split([counts], ["G"], train_data="x", train_names=0)
    assert split.unseen.pooled.recall is None
    assert split.unseen.pooled.precision == 0.0
    assert split.seen.pooled.precision is None
    assert split.unseen.pooled.recall_ci95 is None


def test_paired_recall_gain() -> None:
    text = "A B C D"
    gold = [(0, 1, "G"), (2, 3, "G"), (4, 5, "G"), (6, 7, "G")]
    ours = [novelty_counts(text, gold, gold[:3], set())[Novelty.UNSEEN] for _ in range(4)]
    theirs = [novelty_counts(text, gold, gold[:1], set())[Novelty.UNSEEN] for _ in range(4)]
    gain = paired_recall_gain(ours, theirs, resample_weights(4, 200, seed=1))
    assert gain["diff"] == pytest.approx(0.5)
    assert gain["interval_95"] == [0.5, 0.5]
    assert gain["share_of_resamples_ahead"] == 1.0
    assert np.isfinite(gain["diff"])


def test_gold_entity_names_of_a_docbin_match_the_docs(tmp_path) -> None:
    """The training-side reader (token arrays, no Doc objects) gives what gold_names gives,
    including names whose tokens are not separated by spaces."""
    from spacy.tokens import DocBin

    from nerwb.errors import TrainingError
    from nerwb.training.data import gold_entity_names

    docs = [
        *TRAIN,
        doc_with_ents("Al-Shabaab and AQAP; then HTS, JNIM.", [("Al-Shabaab", "G"), ("AQAP", "G")]),
        doc_with_ents("No entities here.", []),
    ]
    adjacent = NLP.make_doc("HTS JNIM")
    adjacent.ents = [adjacent.char_span(0, 3, "G"), adjacent.char_span(4, 8, "G")]
    docs.append(adjacent)
    path = tmp_path / "train.spacy"
    DocBin(docs=docs).to_disk(path)
    names = gold_entity_names(path)
    assert names == gold_names(docs)
    assert {"al-shabaab", "islamic state", "hts", "jnim"} <= names
    with pytest.raises(TrainingError, match="does not exist"):
        gold_entity_names(tmp_path / "missing.spacy")
    bad = tmp_path / "bad.spacy"
    bad.write_text("not a docbin")
    with pytest.raises(TrainingError, match="not a spaCy DocBin"):
        gold_entity_names(bad)
