"""``nerwb labels patterns``: a gazetteer from confirmed gold, the user's lines kept."""

from __future__ import annotations

import json

import pytest

from conftest import prepare_demo_gold, snapshot_tree
from nerwb.corpus.splits import load_splits
from nerwb.errors import InputError
from nerwb.labels.annotations import load_annotated
from nerwb.labels.patterns import GENERATED_ID, read_patterns
from nerwb.labels.schema import load_schema


def names_in(ws, split: str) -> dict[str, set[str]]:
    ids = load_splits(ws.splits_path).ids(split)
    out: dict[str, set[str]] = {}
    for article in load_annotated(ws.gold_path).values():
        if article.article_id in ids:
            for s in article.spans:
                out.setdefault(s.label, set()).add(article.text[s.start : s.end].lower())
    return out


def phrase(pattern: dict) -> str:
    return " ".join(t["LOWER"] for t in pattern["pattern"])


def test_patterns_from_train_gold_keep_user_lines(ws, cli) -> None:
    prepare_demo_gold(ws)
    user = {"label": "ARMED_GROUP", "pattern": "Wagner Group"}
    ws.patterns_path.write_text(json.dumps(user) + "\n", encoding="utf-8")
    result = cli("labels", "patterns", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in ws.patterns_path.read_text().splitlines()]
    assert lines[0] == user  # the user's own line, untouched and first
    generated = lines[1:]
    assert generated and all(p["id"] == GENERATED_ID for p in generated)
    train, test = names_in(ws, "train"), names_in(ws, "test")
    written = {phrase(p) for p in generated if p["label"] == "ARMED_GROUP"}
    # every distinct training name once (tokens joined by spaces, as the tokenizer split them)
    assert len(written) == len(train["ARMED_GROUP"])
    only_in_test = test["ARMED_GROUP"] - train["ARMED_GROUP"]
    assert only_in_test and not any(
        name.replace(" ", "") in {w.replace(" ", "") for w in written} for name in only_in_test
    )
    # number phrases are left out by default, and said so
    assert not any(p["label"] == "CASUALTY_FIGURE" for p in generated)
    assert "left out CASUALTY_FIGURE" in result.stdout
    # a rebuild replaces only nerwb's lines: same file again
    before = ws.patterns_path.read_text()
    assert cli("labels", "patterns", "-w", ws.root).exit_code == 0
    assert ws.patterns_path.read_text() == before
    # asking for the label lists it
    assert cli("labels", "patterns", "--labels", "CASUALTY_FIGURE", "-w", ws.root).exit_code == 0
    labels = {p["label"] for p in read_patterns(ws.patterns_path, load_schema(ws.schema_path))}
    assert labels == {"ARMED_GROUP", "CASUALTY_FIGURE"}  # the user's ARMED_GROUP line stays


def test_patterns_bad_input_names_the_line_and_keeps_the_file(ws, cli) -> None:
    prepare_demo_gold(ws)
    good = json.dumps({"label": "ARMED_GROUP", "pattern": "IRGC"})
    for bad, message in (
        ("{not json", "line 2"),
        (
            json.dumps({"label": "WEAPON", "pattern": "AK-47"}),
            "label 'WEAPON' is not in labels.yml",
        ),
        (json.dumps({"pattern": "x"}), "expected an entity-ruler pattern"),
    ):
        ws.patterns_path.write_text(f"{good}\n{bad}\n", encoding="utf-8")
        before = snapshot_tree(ws.labels_dir)
        result = cli("labels", "patterns", "-w", ws.root)
        assert result.exit_code == 1, bad
        assert message in result.stderr and "patterns.jsonl" in result.stderr
        assert snapshot_tree(ws.labels_dir) == before
    with pytest.raises(InputError, match="line 2"):
        read_patterns(ws.patterns_path, load_schema(ws.schema_path))
    ws.patterns_path.unlink()
    result = cli("labels", "patterns", "--labels", "WEAPON", "-w", ws.root)
    assert result.exit_code == 1 and "--labels WEAPON: not in labels.yml" in result.stderr
    assert not ws.patterns_path.exists()


def test_patterns_need_gold(ws, cli) -> None:
    result = cli("labels", "patterns", "-w", ws.root)
    assert result.exit_code == 1 and "no gold yet" in result.stderr
