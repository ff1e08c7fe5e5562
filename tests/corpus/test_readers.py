from pathlib import Path

import pytest

from nerwb.corpus.readers import ReadOptions, read_articles
from nerwb.errors import InputError


def read(*paths: Path, **options):
    return list(read_articles(list(paths), ReadOptions(**options)))


def test_readers_txt_md_html_jsonl_csv(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Plain article text.\n")
    (tmp_path / "b.md").write_text("# The Title\n\nBody of the article.\n")
    (tmp_path / "c.html").write_text(
        "<html><head><title>Page</title><script>var x=1;</script><style>p{}</style></head>"
        "<body><nav>Home | News</nav><header>Site</header><article><h1>Headline</h1>"
        "<p>First  paragraph\nhere.</p><p>Second <b>para</b>.</p></article>"
        "<footer>Copyright</footer></body></html>"
    )
    (tmp_path / "d.jsonl").write_text(
        '{"id": "x1", "text": "JSON text", "title": "T", "source": "S", "lang": "en", "label": []}\n'
    )
    (tmp_path / "e.csv").write_text('body,headline\n"CSV, text",H\n')
    files = [tmp_path / n for n in ("a.txt", "b.md", "c.html")]
    by_name = {Path(a.origin.split(":")[0]).name: a for a in read(*files)}
    assert by_name["a.txt"].text == "Plain article text."
    assert by_name["b.md"].title == "The Title"
    html = by_name["c.html"]
    assert html.text == "Headline\n\nFirst paragraph here.\n\nSecond para."
    assert html.title == "Headline"
    csv_article = read(tmp_path / "e.csv", text_col="body", title_col="headline")[0]
    assert (csv_article.text, csv_article.title) == ("CSV, text", "H")
    jsonl = read(tmp_path / "d.jsonl")[0]
    assert (jsonl.id, jsonl.title, jsonl.source, jsonl.meta, jsonl.spans) == (
        "x1",
        "T",
        "S",
        {"lang": "en"},
        [],
    )


def test_readers_folder_is_recursive_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("B text")
    (tmp_path / "a.txt").write_text("A text")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")  # unknown types inside a folder are ignored
    assert [a.text for a in read(tmp_path)] == ["A text", "B text"]


def test_readers_malformed_jsonl_names_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "ok"}\n\n{"text": broken}\n')
    with pytest.raises(InputError, match=r"x\.jsonl, line 3: malformed JSON"):
        read(path)


def test_readers_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("café à Paris".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.txt: not valid UTF-8 \(byte 3\)"):
        read(path)


def test_readers_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("body,title\nsome text,t\n")
    with pytest.raises(InputError, match=r"x\.csv: no column 'text' \(columns: body, title\)"):
        read(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "e.jsonl",
            '{"text": "ok"}\n{"text": "   "}\n',
            r"e\.jsonl, line 2: field 'text' is empty",
        ),
        ("e.txt", "  \n\t\n", r"e\.txt: field 'file text' is empty"),
        ("e.csv", 'text\nok\n" "\n', r"e\.csv, line 3: field 'text' is empty"),
        ("e.jsonl", '{"title": "no text"}\n', r"e\.jsonl, line 1: field 'text' is missing"),
    ],
)
def test_readers_empty_text(tmp_path: Path, name: str, content: str, message: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(InputError, match=message):
        read(tmp_path / name)


def test_readers_unknown_extension_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(InputError, match=r"x\.docx: unknown file extension '\.docx'"):
        read(tmp_path / "x.docx")
    with pytest.raises(InputError, match=r"nope\.txt: no such file or folder"):
        read(tmp_path / "nope.txt")
