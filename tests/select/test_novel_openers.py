"""``select --select novel`` does not list a sentence-opening common noun as a name candidate
(issue 30, item 19: "Investigators" was listed as an unseen name)."""

from __future__ import annotations

from nerwb.corpus.model import Segment
from nerwb.select.candidates import candidate_names
from nerwb.select.strategies import SelectStrategy, rank_segments

TEXTS = {
    # the stem is written in lowercase elsewhere ("investigation")
    "stem": "Investigators said the blast was a car bomb. An investigation began on Monday.",
    # no lowercase relative at all: a plural noun of people
    "people": "Protesters blocked the road to Mosul. Residents said the army left.",
    # a name that opens sentences only, and a group's name ending like a plural noun
    "names": "Daesh claimed the attack. The Ansar Allah movement denied it.",
}


def test_sentence_opening_common_nouns_are_no_candidates() -> None:
    names = dict(zip(TEXTS, candidate_names(list(TEXTS.values())), strict=True))
    assert names["stem"] == set()
    assert names["people"] == {"mosul"}
    assert names["names"] == {"daesh", "ansar allah"}


def test_a_word_capitalised_mid_sentence_elsewhere_stays_a_candidate() -> None:
    texts = [
        "Investigators said nothing. An investigation began.",
        "A report by the Investigators Guild of Kenya was read out.",
    ]
    first, second = candidate_names(texts)
    assert "investigators" in first and "investigators guild" in second


def test_novel_ranking_does_not_give_investigators_as_why() -> None:
    pool = [Segment(key, 0, 0, len(text), text) for key, text in TEXTS.items()]
    ranked = rank_segments(pool, SelectStrategy.NOVEL, n=3, seed=1)
    whys = " ".join(r.why for r in ranked)
    assert "investigators" not in whys and "protesters" not in whys and "residents" not in whys
    assert ranked[0].article_id == "names"
