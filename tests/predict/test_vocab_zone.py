"""Prediction at spaCy's own speed with a vocabulary that stays bounded (issue 34, item 1).

A memory zone around every batch kept the vocabulary flat but switched off spaCy's tokenizer
cache for every word (one-process predict ran at 0.67x a bare ``nlp.pipe``). Now the first words
run outside any zone, so the common words stay learnt, and later words run in long zones. The
speed itself is measured by bench/predict_speed.py; these tests check the mechanism and that the
entities are those of a bare ``nlp.pipe``.
"""

from __future__ import annotations

from pathlib import Path

from nerwb.predict.local import annotate, annotate_in_processes
from nerwb.predict.model import load_pipeline

# Each text brings two words no other text has (its numbers), as a stream of news would, and
# all share one word that the model never saw (Qaryatayn).
TEXTS = [
    f"Gunmen of the Lions Brigade attacked Qaryatayn on day {i}, leaving {1000 + i} dead."
    for i in range(120)
]


def bare_entities(model: Path, texts: list[str]) -> list[list[tuple[int, int, str, str]]]:
    nlp = load_pipeline(model)
    return [
        [(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents] for doc in nlp.pipe(texts)
    ]


def test_the_common_words_stay_learnt_after_a_run(model: Path) -> None:
    # a zone around every batch freed every word it had learnt, "Qaryatayn" included, so the
    # next batch looked it up and tokenized it again
    nlp = load_pipeline(model)
    assert "Qaryatayn" not in nlp.vocab.strings
    found = list(annotate(nlp, TEXTS, str, batch_size=8))
    assert "Qaryatayn" in nlp.vocab.strings and "Qaryatayn" in nlp.vocab
    assert [ents for _, ents in found] == bare_entities(model, TEXTS)
    assert any(ents for _, ents in found)  # the tiny model finds entities in these texts


def test_after_the_warm_up_what_the_texts_add_is_freed(model: Path) -> None:
    from nerwb.predict.local import VocabZone

    nlp = load_pipeline(model)
    words_per_text = len(TEXTS[0].split())
    # the vocabulary grows by more than one entry in the first batch: zones from the second on
    zone = VocabZone(nlp, warm=1, limit=25 * words_per_text)
    found = list(
        annotate(nlp, TEXTS, str, batch_size=64, batch_words=5 * words_per_text, zone=zone)
    )
    zone.close()
    assert [ents for _, ents in found] == bare_entities(model, TEXTS)
    # the first five texts ran outside any zone: their numbers stay; every later one is freed
    kept = [i for i in range(len(TEXTS)) if str(1000 + i) in nlp.vocab.strings]
    assert kept == list(range(5))
    assert "Qaryatayn" in nlp.vocab.strings  # learnt during the warm-up


def test_a_zone_outlives_each_call_and_closes_at_its_limit(model: Path) -> None:
    """A worker process or a Ray actor annotates chunk after chunk with one zone."""
    from nerwb.predict.local import VocabZone

    nlp = load_pipeline(model)
    words_per_text = len(TEXTS[0].split())
    zone = VocabZone(nlp, warm=0, limit=30 * words_per_text)
    chunks = [TEXTS[i : i + 10] for i in range(0, 40, 10)]
    open_after: list[bool] = []
    found = []
    for chunk in chunks:
        found += [ents for _, ents in annotate(nlp, chunk, str, batch_size=5, zone=zone)]
        open_after.append(zone.words > 0)
    # 10 texts per chunk: the zone stays open across chunks 1-2, closes at 30 texts (chunk 3)
    assert open_after == [True, True, False, True]
    assert found == bare_entities(model, TEXTS[:40])
    assert not any(str(1000 + i) in nlp.vocab.strings for i in range(30))  # freed at the limit
    assert str(1000 + 35) in nlp.vocab.strings  # the open zone still holds chunk 4's
    zone.close()
    assert str(1000 + 35) not in nlp.vocab.strings


def test_worker_processes_find_the_entities_of_a_bare_pipe(model: Path) -> None:
    found = annotate_in_processes(str(model), TEXTS, str, n_process=2, batch_size=16)
    assert [ents for _, ents in found] == bare_entities(model, TEXTS)
