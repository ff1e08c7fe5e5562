"""Unicode line breaks (U+2028, U+2029, U+0085) inside article text are text, not JSONL lines."""

from __future__ import annotations

import json
from pathlib import Path

from nerwb.corpus.store import load_articles
from nerwb.io import read_jsonl

LS, PS, NEL = "\u2028", "\u2029", "\u0085"


def test_readers_unicode_line_breaks_round_trip_through_the_corpus(ws, cli, tmp_path: Path) -> None:
    jsonl_text = f"Militia fighters{LS}attacked a village.{PS}Four people were killed."
    txt_text = f"A cartel{NEL}was designated a terrorist organisation."
    (tmp_path / "wire.jsonl").write_text(
        json.dumps({"id": "w1", "text": jsonl_text}, ensure_ascii=False) + "\r\n",
        encoding="utf-8",
    )
    (tmp_path / "story.txt").write_text(txt_text, encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><body><p>Armed group&#8232;seized the town.</p></body></html>", encoding="utf-8"
    )
    for name in ("wire.jsonl", "story.txt", "page.html"):
        result = cli("corpus", "add", tmp_path / name, "-w", ws.root)
        assert result.exit_code == 0, result.stderr
    texts = {
        a.origin.split(":")[0].rsplit("/", 1)[-1]: a.text for a in load_articles(ws.articles_path)
    }
    assert texts["wire.jsonl"] == jsonl_text
    assert texts["story.txt"] == txt_text
    assert texts["page.html"] == f"Armed group{LS}seized the town."
    assert len(read_jsonl(ws.articles_path)) == 3
    split = cli("corpus", "split", "-w", ws.root)
    assert split.exit_code == 0, split.stderr
    stats = cli("corpus", "stats", "-w", ws.root)
    assert stats.exit_code == 0, stats.stderr
    assert [a.text for a in load_articles(ws.articles_path)] == list(texts.values())


def test_io_iter_jsonl_splits_on_newline_only(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"text": f"one{LS}two"}, ensure_ascii=False) + "\r\n" + '{"text": "b"}\n',
        encoding="utf-8",
    )
    assert [r["text"] for r in read_jsonl(path)] == [f"one{LS}two", "b"]
