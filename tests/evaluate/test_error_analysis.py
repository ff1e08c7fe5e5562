"""Error kinds and the confusion table."""

from __future__ import annotations

from nerwb.evaluate.error_analysis import confusion_pairs, find_errors


def test_error_kinds_and_confusion() -> None:
    text = "aaa bbb ccc ddd eee fff ggg"
    gold = [(0, 3, "A"), (4, 11, "B"), (12, 15, "C"), (16, 19, "A")]
    pred = [(0, 3, "A"), (4, 7, "B"), (12, 15, "A"), (20, 23, "C")]
    kinds = sorted(e.kind for e in find_errors(0, "d", text, gold, pred))
    assert kinds == ["missed", "spurious", "wrong_boundary", "wrong_type"]
    pairs = sorted(confusion_pairs(gold, pred))
    assert pairs == sorted([("A", "A"), ("B", "B"), ("C", "A"), ("(none)", "C"), ("A", "(none)")])
