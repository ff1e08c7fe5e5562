"""The committed demo corpus: in range, on token boundaries, varied."""

from collections import Counter

import spacy

from conftest import DEMO_ARTICLES
from nerwb.io import read_jsonl


def test_demo_corpus_spans_in_range_and_on_token_boundaries() -> None:
    nlp = spacy.blank("en")
    records = read_jsonl(DEMO_ARTICLES)
    assert 38 <= len(records) <= 45
    labels = Counter()
    for record in records:
        doc = nlp.make_doc(record["text"])
        previous_end = -1
        for start, end, label in sorted(record["label"]):
            assert 0 <= start < end <= len(record["text"]), record["id"]
            assert start >= previous_end, f"{record['id']}: overlapping spans"
            assert doc.char_span(start, end) is not None, (record["id"], record["text"][start:end])
            span_text = record["text"][start:end]
            assert span_text == span_text.strip() and not span_text.lower().startswith("the ")
            previous_end = end
            labels[label] += 1
    assert set(labels) == {"ARMED_GROUP", "DESIGNATION", "CASUALTY_FIGURE"}
    assert min(labels.values()) >= 15
    assert len({r["id"] for r in records}) == len(records)
