"""A JSONL record nested 100,000 levels deep or holding a lone surrogate is one bad record with
a one-line message, with or without ``--on-error skip`` (issue 30, item 11)."""

from __future__ import annotations

import json

from conftest import snapshot_tree
from nerwb.corpus.store import load_articles

DEEP = '{"id": "deep", "text": "Nested.", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}"
# json.dumps spells the lone surrogate as the escape "\ud800", as a hostile file would
SURROGATE = json.dumps({"id": "half", "text": "A lone \ud800 half of a pair."})
PAIR = json.dumps({"id": "pair", "text": "A whole pair \U0001f600 is fine."})


def _hostile_file(tmp_path):
    path = tmp_path / "hostile.jsonl"
    lines = [
        json.dumps({"id": "first", "text": "Gunmen attacked a village."}),
        DEEP,
        SURROGATE,
        PAIR,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_deeply_nested_record_fails_with_one_line_and_changes_nothing(ws, cli, tmp_path) -> None:
    source = _hostile_file(tmp_path)
    before = snapshot_tree(ws.root)
    result = cli("corpus", "add", source, "-w", ws.root)
    assert result.exit_code == 1
    assert f"{source}, line 2: objects or arrays nested more than 100 levels deep" in result.stderr
    said = result.stderr.strip().splitlines()  # the error, then its advice (issue 31, item 4)
    assert len(said) == 2 and "Pass --on-error skip to leave bad records out" in said[1]
    assert snapshot_tree(ws.root) == before


def test_a_lone_surrogate_fails_with_one_line_and_changes_nothing(ws, cli, tmp_path) -> None:
    source = tmp_path / "half.jsonl"
    source.write_text(f"{PAIR}\n{SURROGATE}\n", encoding="utf-8")
    before = snapshot_tree(ws.root)
    result = cli("corpus", "add", source, "-w", ws.root)
    assert result.exit_code == 1
    assert f"{source}, line 2: holds a lone surrogate \\ud800" in result.stderr
    said = result.stderr.strip().splitlines()  # the error, then its advice (issue 31, item 4)
    assert len(said) == 2 and "Pass --on-error skip to leave bad records out" in said[1]
    assert snapshot_tree(ws.root) == before


def test_hostile_records_are_skipped_one_line_each(ws, cli, tmp_path) -> None:
    source = _hostile_file(tmp_path)
    result = cli("corpus", "add", source, "--on-error", "skip", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Added 2 article(s)" in result.stdout
    said = result.stderr.splitlines()
    assert "2 bad input record(s) skipped" in said[0]
    assert f"{source}, line 2: objects or arrays nested" in said[1]
    assert f"{source}, line 3: holds a lone surrogate \\ud800" in said[2]
    assert len(said) == 3
    texts = {a.id: a.text for a in load_articles(ws.articles_path)}
    assert texts == {
        "first": "Gunmen attacked a village.",
        "pair": "A whole pair \U0001f600 is fine.",
    }


def test_a_record_just_under_the_limit_is_read(ws, cli, tmp_path) -> None:
    source = tmp_path / "nested.jsonl"
    meta = "[" * 99 + "]" * 99
    source.write_text('{"id": "ok", "text": "Nested a little.", "meta": ' + meta + "}\n")
    result = cli("corpus", "add", source, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert [a.id for a in load_articles(ws.articles_path)] == ["ok"]
