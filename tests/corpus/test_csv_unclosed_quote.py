"""A CSV quote that never closes: refused with the line it opened on, never swallowed (issue
24.1); with --on-error skip only its own record is skipped, reading goes on at the next row
(issue 30.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import snapshot_tree
from nerwb.choices import OnError
from nerwb.corpus.readers import ReadOptions, read_articles, read_file_tolerant
from nerwb.corpus.store import load_articles
from nerwb.errors import InputError, PredictError
from nerwb.predict.inputs import BadRecord, InputSource

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
    said = " ".join(result.stderr.split())
    assert "nothing was added Pass --on-error skip to leave bad records out" in said
    assert snapshot_tree(ws.root) == before


def test_corpus_add_on_error_skip_skips_only_the_bad_record_and_lists_it(ws, cli, tmp_path) -> None:
    result = cli("corpus", "add", write(tmp_path), "--on-error", "skip", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert [a.id for a in load_articles(ws.articles_path)] == ["a1", "a3", "a4"]
    said = " ".join(result.stderr.split())
    assert "1 bad input record(s) skipped" in said
    assert (
        "line 3: a quoted field starts on this line and is never closed; the bad record is "
        "line 3; line 4 is the next that reads as a row of 2 columns"
    ) in said


def test_corpus_add_on_error_skip_keeps_the_98_rows_after_a_broken_quote(ws, cli, tmp_path) -> None:
    # issue 30.2: one unclosed quote on row 2 of 100 lost the 98 rows after it
    rows = [f"r{i},Report {i}: fighters of group G{i} held the town." for i in range(1, 101)]
    rows[1] = 'r2,"Report 2: the quote opens here and never closes.'
    path = tmp_path / "hundred.csv"
    path.write_text("id,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = cli("corpus", "add", path, "--on-error", "skip", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    ids = [a.id for a in load_articles(ws.articles_path)]
    assert len(ids) == 99 and "r2" not in ids and ids[-1] == "r100"
    said = " ".join(result.stderr.split())
    assert "1 bad input record(s) skipped" in said
    assert "hundred.csv, line 3: a quoted field starts on this line and is never closed" in said
    assert "Added 99 article(s)" in " ".join(result.stdout.split())


def test_skip_resynchronises_after_each_broken_record_and_never_on_a_field_tail(tmp_path) -> None:
    text = (
        "id,text\n"
        "a1,one\n"
        'a2,"He said "hi" and left,\n'  # text after a closing quote ...
        'then more, here"\n'  # ... and the tail of that field: two cells, but an odd quote
        'a3,"multi\nline ok"\n'
        'a4,"never closed\n'
        "a5,five\n"
    )
    items = list(read_file_tolerant(write(tmp_path, text), ReadOptions()))
    articles = [i for i in items if not isinstance(i, InputError)]
    errors = [str(i) for i in items if isinstance(i, InputError)]
    assert [(a.id, a.text) for a in articles] == [
        ("a1", "one"),
        ("a3", "multi\nline ok"),
        ("a5", "five"),
    ]
    assert len(errors) == 2
    assert (
        "line 3: a quoted field starts on this line and has text after its closing quote"
        in (errors[0])
    )
    assert "the bad record is lines 3-4; line 5 is the next" in errors[0]
    assert "line 7: a quoted field starts on this line and is never closed" in errors[1]
    assert "the bad record is line 7; line 8 is the next" in errors[1]


def test_skip_with_no_row_after_the_broken_quote_says_it_runs_to_the_end(tmp_path) -> None:
    items = list(
        read_file_tolerant(write(tmp_path, 'id,text\na1,ok\na2,"open\nx\n'), ReadOptions())
    )
    assert [i.id for i in items if not isinstance(i, InputError)] == ["a1"]
    (error,) = [str(i) for i in items if isinstance(i, InputError)]
    assert "no later line reads as a row of 2 columns, so the bad record is lines 3-4" in error


def test_skip_refuses_a_one_column_file_whole(ws, cli, tmp_path) -> None:
    # every line of a one-column file reads as a row: where the bad record ends is unknowable
    path = write(tmp_path, 'text\nfirst article\n"broken\nthird article\n')
    result = cli("corpus", "add", path, "--on-error", "skip", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert load_articles(ws.articles_path) == []
    said = " ".join(result.stderr.split())
    assert "broken.csv, line 3: a quoted field starts on this line and is never closed" in said
    assert "no row of the file was read" in said


def test_predict_reads_csv_through_the_same_check(tmp_path: Path) -> None:
    source = InputSource(paths=(write(tmp_path),))
    with pytest.raises(PredictError, match=OPENED_ON):
        list(source.read(on_error=OnError.FAIL, bad=[]))
    bad: list[BadRecord] = []
    read = list(source.read(on_error=OnError.SKIP, bad=bad))
    assert [a.id for a in read] == ["a1", "a3", "a4"]  # as corpus add --on-error skip reads it
    assert len(bad) == 1 and bad[0].line == 3 and "never closed" in bad[0].error
