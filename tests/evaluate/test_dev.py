"""Dev scores of a trained model against spaCy's own dev F."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import DocBin


def test_dev_scores_counts_each_document(tmp_path: Path) -> None:
    """Per-document counts (the bootstrap's input) must add up to spaCy's own dev F."""
    import spacy

    from nerwb.evaluate.dev import dev_scores

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "ARMED_GROUP", "pattern": "IRGC"},
            {"label": "ARMED_GROUP", "pattern": "Hamas"},  # spurious in the second document
            {"label": "DESIGNATION", "pattern": "terror list"},
        ]
    )
    model = tmp_path / "model"
    nlp.to_disk(model)
    gold = spacy.blank("en")
    first = gold("IRGC was put on the terror list.")
    first.ents = [first.char_span(0, 4, "ARMED_GROUP"), first.char_span(20, 31, "DESIGNATION")]
    second = gold("Hamas said 608 American troops died.")
    second.ents = [second.char_span(11, 30, "CASUALTY_FIGURE")]
    dev = tmp_path / "dev.spacy"
    DocBin(docs=[first, second]).to_disk(dev)

    overall, per_label, per_doc = dev_scores(model, dev, "en")
    assert [(d.tp, d.n_pred, d.n_gold) for d in per_doc] == [
        (
            {"ARMED_GROUP": 1, "DESIGNATION": 1},
            {"ARMED_GROUP": 1, "DESIGNATION": 1},
            {"ARMED_GROUP": 1, "DESIGNATION": 1},
        ),
        ({}, {"ARMED_GROUP": 1}, {"CASUALTY_FIGURE": 1}),
    ]
    # 2 right of 3 predicted, 2 found of 3 gold: P = R = F = 2/3
    assert overall == pytest.approx(2 / 3)
    assert per_label["DESIGNATION"] == pytest.approx(1.0)
    assert per_label["ARMED_GROUP"] == pytest.approx(2 / 3)
    # nerwb's one F gives spaCy's own scorer's floats, to the bit
    from spacy.scorer import Scorer
    from spacy.training import Example

    loaded = spacy.load(model)
    spacy_scores = Scorer.score_spans([Example(loaded(d.text), d) for d in (first, second)], "ents")
    assert overall == spacy_scores["ents_f"]
    assert per_label == {k: v["f"] for k, v in spacy_scores["ents_per_type"].items()}


def test_dev_evaluation_splits_seen_and_unseen(tmp_path: Path) -> None:
    """The seen/unseen counts of the same rule-based model: IRGC is seen, the rest are not."""
    import spacy

    from nerwb.evaluate.dev import dev_evaluation
    from nerwb.evaluate.novelty import Novelty

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "G", "pattern": "IRGC"}, {"label": "G", "pattern": "Hamas"}]
    )
    model = tmp_path / "model"
    nlp.to_disk(model)
    gold = nlp.make_doc("IRGC and Hamas and Hezbollah met.")
    gold.ents = [gold.char_span(0, 4, "G"), gold.char_span(9, 14, "G"), gold.char_span(19, 28, "G")]
    dev = tmp_path / "dev.spacy"
    DocBin(docs=[gold]).to_disk(dev)

    result = dev_evaluation(model, dev, "en", seen={"irgc"})
    assert result.novelty is not None
    seen, unseen = result.novelty[0][Novelty.SEEN], result.novelty[0][Novelty.UNSEEN]
    assert (seen.n_gold, seen.tp) == ({"G": 1}, {"G": 1})
    assert (unseen.n_gold, unseen.tp, unseen.n_pred) == ({"G": 2}, {"G": 1}, {"G": 1})
    assert dev_evaluation(model, dev, "en").novelty is None
