"""A CSV quote that never closes: refused with the line it opened on, never swallowed (issue 24.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import snapshot_tree
from nerwb.corpus.readers import ReadOptions, read_articles
from nerwb.corpus.store import load_articles
from nerwb.errors import InputError, PredictError
from nerwb.predict.inputs import BadRecord, InputSource
from nerwb.predict.options import OnError

# line 3 opens a quote that never closes: lenient csv reads rows 3-5 as one article
BROKEN = (
    "id,text\n"
    "a1,The Lions Brigade took the town.\n"
    'a2,"Officials said the Desert Hawks\n'
    "a3,Four people died on Monday.\n"
    "a4,The ministry issued a statement.\n"
)
OPENED_ON = r"broken\.csv, line 3: a quoted field starts on this line and is never closed"


def write(tmp_path: Path, text: str = BROKEN) -> Path:
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reader_refuses_an_unclosed_quote_with_its_line_and_row_count(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=OPENED_ON) as caught:
        list(read_articles([write(tmp_path)]))
    assert "the 2 line(s) after it" in str(caught.value)
    assert "the file would have 4 row(s)" in str(caught.value)


def test_reader_refuses_text_after_a_closing_quote(tmp_path: Path) -> None:
    text = 'id,text\na1,"Opened here\na2,"closed" and more\n'
    with pytest.raises(InputError, match=r"line 2: a quoted field .* text after its closing quote"):
        list(read_articles([write(tmp_path, text)]))


def test_quoted_fields_over_several_lines_still_read_with_their_first_line(tmp_path: Path) -> None:
    text = 'id,text\n\na1,"Two\nlines"\n\na2,one line\n'
    articles = list(read_articles([write(tmp_path, text)], ReadOptions()))
    assert [(a.text, a.origin.rsplit(":", 1)[1]) for a in articles] == [
        ("Two\nlines", "3"),
        ("one line", "6"),
    ]


def test_corpus_add_refuses_and_changes_nothing(ws, cli, tmp_path: Path) -> None:
    path = write(tmp_path)
    before = snapshot_tree(ws.root)
    result = cli("corpus", "add", path, "-w", ws.root)
    assert result.exit_code == 1
    assert "line 3: a quoted field starts on this line and is never closed" in result.stderr
    assert "would have 4 row(s)" in result.stderr
    assert "nothing was added: pass --on-error skip" in " ".join(result.stderr.split())
    assert snapshot_tree(ws.root) == before


def test_corpus_add_on_error_skip_adds_the_rows_before_and_lists_it(ws, cli, tmp_path) -> None:
    result = cli("corpus", "add", write(tmp_path), "--on-error", "skip", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert [a.id for a in load_articles(ws.articles_path)] == ["a1"]
    assert "1 bad input record(s) skipped" in result.stderr
    assert "line 3: a quoted field starts on this line" in " ".join(result.stderr.split())


def test_predict_reads_csv_through_the_same_check(tmp_path: Path) -> None:
    source = InputSource(paths=(write(tmp_path),))
    with pytest.raises(PredictError, match=OPENED_ON):
        list(source.read(on_error=OnError.FAIL, bad=[]))
    bad: list[BadRecord] = []
    read = list(source.read(on_error=OnError.SKIP, bad=bad))
    assert [a.id for a in read] == ["a1"]
    assert len(bad) == 1 and bad[0].line == 3 and "never closed" in bad[0].error
