"""Article fields from the readers: a .txt title, a JSONL record's own meta."""

from __future__ import annotations

import json
from pathlib import Path

from nerwb.corpus.readers import ReadOptions, read_articles


def test_readers_txt_title_is_first_non_blank_line(tmp_path: Path) -> None:
    (tmp_path / "story-17.txt").write_text("\n\n   Militia seizes town  \n\nBody text here.\n")
    (tmp_path / "long.txt").write_text("x" * 500 + "\nBody.")
    by_name = {Path(a.origin).name: a for a in read_articles([tmp_path], ReadOptions())}
    assert by_name["story-17.txt"].title == "Militia seizes town"
    assert len(by_name["long.txt"].title) <= 201


def test_readers_jsonl_meta_object_is_the_article_meta(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"text": "Some text.", "meta": {"lang": "en", "desk": "world"}, "score": 3})
        + "\n"
    )
    (article,) = read_articles([path], ReadOptions())
    assert article.meta == {"lang": "en", "desk": "world", "score": 3}
