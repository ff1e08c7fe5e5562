"""The training data summary against spaCy's own Docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import DocBin

from nerwb.errors import TrainingError


def test_data_summary_matches_spacys_docs(tmp_path: Path) -> None:
    """The summary reads token arrays, not Docs: it must count what spaCy's Docs hold."""
    import spacy
    from spacy.tokens import Doc

    from nerwb.training.data import summarise

    nlp = spacy.blank("en")
    Doc.set_extension("nerwb_test_note", default=None, force=True)
    first = nlp("IRGC and Kata'ib Hezbollah killed more than 20 people.")
    first.ents = [first.char_span(0, 4, "ARMED_GROUP"), first.char_span(34, 53, "CASUALTY_FIGURE")]
    first.user_data["nerwb_article_id"] = "a1"
    first.user_data["nerwb_split"] = "train"
    first._.nerwb_test_note = "tuple-keyed user data"
    second = nlp("No entities here.")  # no user data at all
    third = nlp("The foreign terrorist organisation list grew.")
    third.ents = [third.char_span(4, 34, "DESIGNATION")]
    third.user_data["nerwb_article_id"] = "a3"
    path = tmp_path / "train.spacy"
    DocBin(docs=[first, second, third], store_user_data=True).to_disk(path)

    summary = summarise(path, role="training")
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    expected: dict[str, int] = {}
    for doc in docs:
        for ent in doc.ents:
            expected[ent.label_] = expected.get(ent.label_, 0) + 1
    assert summary.spans == expected == {"ARMED_GROUP": 1, "CASUALTY_FIGURE": 1, "DESIGNATION": 1}
    assert summary.docs == 3 and summary.article_ids == ["a1", "a3"]
    assert summary.splits == {"train"}

    garbage = tmp_path / "garbage.spacy"
    garbage.write_bytes(b"not a docbin")
    with pytest.raises(TrainingError, match=r"garbage\.spacy is not a spaCy DocBin"):
        summarise(garbage, role="training")
