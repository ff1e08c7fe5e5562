"""Name propagation (``--propagate``): the names the team confirmed, and the names list, as one
suggestion source whose spans say where they came from; ``labels suggestions`` counts them."""

from __future__ import annotations

import pytest

from conftest import prepare_demo_gold
from nerwb.choices import NameSource
from nerwb.corpus.splits import load_splits
from nerwb.errors import InputError
from nerwb.labels.annotations import AnnotatedSegment, LabeledSpan, load_annotated
from nerwb.labels.patterns import GENERATED_ID, propagation_patterns
from nerwb.labels.schema import load_schema
from nerwb.labels.suggestions import judge_offers, suggestion_report
from nerwb.predict.suggest import load_suggester
from nerwb.records.suggestions import SpanOrigin, Suggestion, SuggestionState
from nerwb.text import blank


def words(pattern: dict) -> tuple[str, ...]:
    return tuple(t["LOWER"] for t in pattern["pattern"])


def gold_names(ws, split: str) -> set[tuple[str, tuple[str, ...]]]:
    ids = load_splits(ws.splits_path).ids(split)
    tokenizer = blank("en").tokenizer
    return {
        (s.label, tuple(t.lower_ for t in tokenizer(a.text[s.start : s.end])))
        for a in load_annotated(ws.gold_path).values()
        if a.article_id in ids
        for s in a.spans
    }


def test_propagation_of_gold_is_every_confirmed_training_name_but_numbers(ws) -> None:
    prepare_demo_gold(ws)
    gold = propagation_patterns(ws, NameSource.GOLD)
    got = {(p["label"], words(p)) for p in gold.patterns}
    train = gold_names(ws, "train")
    assert got == {(label, w) for label, w in train if label != "CASUALTY_FIGURE"}
    assert gold.confirmed == len(got) > 10 and gold.listed == 0
    assert "CASUALTY_FIGURE" in gold.left_out_labels  # number phrases: not names
    assert all(p["id"] == GENERATED_ID for p in gold.patterns)
    only_test = {n for n in gold_names(ws, "test") if n[0] != "CASUALTY_FIGURE"} - train
    assert only_test and not only_test & got  # never a name only the test split holds
    assert gold.ledger_source == "names:gold"


def test_propagation_of_the_list_and_of_both(ws) -> None:
    prepare_demo_gold(ws)
    listed = propagation_patterns(ws, NameSource.LIST)
    assert listed.confirmed == 0 and listed.listed == len(listed.patterns) > 100
    both = propagation_patterns(ws, NameSource.BOTH)
    gold = propagation_patterns(ws, NameSource.GOLD)
    keys = [(p["label"], words(p)) for p in both.patterns]
    assert len(keys) == len(set(keys))  # a name in gold and in the list is proposed once
    assert set(keys) == {(p["label"], words(p)) for p in [*gold.patterns, *listed.patterns]}


def test_propagation_before_any_gold_is_empty_not_an_error(ws) -> None:
    assert propagation_patterns(ws, NameSource.GOLD).patterns == []


def test_propagation_of_a_bad_names_list_names_its_line(ws) -> None:
    ws.names_path.write_text("name,label,source\nIRGC,WEAPON,me\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"names\.csv, line 2: label 'WEAPON' is not in"):
        propagation_patterns(ws, NameSource.LIST)
    ws.names_path.unlink()
    with pytest.raises(InputError, match="the names list does not exist"):
        propagation_patterns(ws, NameSource.BOTH)


def test_suggester_says_what_proposed_each_span(ws, tiny_model, tmp_path) -> None:
    prepare_demo_gold(ws)
    schema = load_schema(ws.schema_path)
    known = propagation_patterns(ws, NameSource.BOTH)
    confirmed = next(p for p in known.patterns if p["id"] == GENERATED_ID and len(words(p)) == 1)
    listed = next(p for p in known.patterns if p["id"] != GENERATED_ID and len(words(p)) == 1)
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text('{"label": "DESIGNATION", "pattern": "zzyzx"}\n', encoding="utf-8")
    text = f"{words(confirmed)[0]} met {words(listed)[0]} near zzyzx ."
    ruler = load_suggester(schema, lang="en", patterns=patterns, propagation=known)
    (offers,) = ruler.offers([text])
    assert [(text[o.start : o.end], o.label, o.origin) for o in offers] == [
        (words(confirmed)[0], confirmed["label"], SpanOrigin.CONFIRMED_NAMES),
        (words(listed)[0], listed["label"], SpanOrigin.NAMES_LIST),
        ("zzyzx", "DESIGNATION", SpanOrigin.PATTERNS),  # the user's line had no id
    ]
    assert ruler.source == f"patterns:{patterns}+names:both"
    _, model = tiny_model
    both = load_suggester(schema, lang="en", model=model, propagation=known)
    by_model = load_suggester(schema, lang="en", model=model)
    texts = [a.text[:400] for a in list(load_annotated(ws.gold_path).values())[:8]]
    model_spans = by_model.spans(texts)
    for offers, own in zip(both.offers(texts), model_spans, strict=True):
        # the model's spans stay the model's; the confirmed names fill in around them
        assert {o[:3] for o in offers if o.origin is SpanOrigin.MODEL} == set(own)
        assert all(
            o.origin in (SpanOrigin.MODEL, SpanOrigin.CONFIRMED_NAMES, SpanOrigin.NAMES_LIST)
            for o in offers
        )
    assert any(o.origin is not SpanOrigin.MODEL for offers in both.offers(texts) for o in offers)


def test_judge_offers_by_hand() -> None:
    offered = [LabeledSpan(20, 25, "A"), LabeledSpan(0, 5, "A"), LabeledSpan(10, 15, "A")]
    confirmed = [LabeledSpan(0, 5, "A"), LabeledSpan(10, 15, "B"), LabeledSpan(40, 45, "A")]
    verdicts, added = judge_offers(offered, confirmed)
    assert verdicts == ["deleted", "accepted", "label_changed"]  # in the offers' own order
    assert added == [LabeledSpan(40, 45, "A")]


def test_labels_suggestions_counts_offers_by_origin() -> None:
    text = "Boko Haram and ISWAP and the army and Ansaru"
    record = Suggestion(
        state=SuggestionState.DONE,
        source="model:m+names:gold",
        source_hash="h",
        example_id=1,
        segment_start=100,
        spans=[(0, 10, "ARMED_GROUP"), (15, 20, "ARMED_GROUP"), (25, 33, "ARMED_GROUP")],
        origins=[SpanOrigin.CONFIRMED_NAMES, SpanOrigin.CONFIRMED_NAMES, SpanOrigin.MODEL],
    )
    old = record.model_copy(update={"origins": []})  # a record made before origins
    # the annotator kept both names, deleted "the army" and added Ansaru
    confirmed = [
        LabeledSpan(100, 110, "ARMED_GROUP"),
        LabeledSpan(115, 120, "ARMED_GROUP"),
        LabeledSpan(138, 144, "ARMED_GROUP"),
    ]
    unit = AnnotatedSegment("a", "a#0", 100, text, confirmed, confirmed=True)
    (row,) = suggestion_report({"a#0": {"x": record}}, {"x": {"a#0": unit}})
    names, model = row.per_origin["confirmed-names"], row.per_origin["model"]
    assert (names.offered, names.accepted, model.offered, model.deleted) == (2, 2, 1, 1)
    assert row.total.added == 1 and names.added == 0  # an added span is nobody's offer
    (row,) = suggestion_report({"a#0": {"x": old}}, {"x": {"a#0": unit}})
    assert set(row.per_origin) == {"unknown"} and row.per_origin["unknown"].offered == 3
