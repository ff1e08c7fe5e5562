from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import SHARED_DATA, needs_shared, snapshot_tree, write_jsonl
from nerwb.corpus.splits import load_splits
from nerwb.corpus.store import load_articles
from nerwb.labels.annotations import load_units
from nerwb.labels.readers import read_conll

CONLL = """Gunmen\tO
of\tO
the\tO
Lions\tB-ARMED_GROUP
Brigade\tI-ARMED_GROUP
killed\tO
four\tB-CASUALTY_FIGURE
people\tI-CASUALTY_FIGURE
.\tO

The\tO
PLAK\tB-ARMED_GROUP
denied\tO
it\tO
"""


def test_import_conll_spans_and_articles(tmp_path: Path) -> None:
    path = tmp_path / "x.conll"
    path.write_text(CONLL)
    articles = list(read_conll(path))
    assert [a.text for a in articles] == [
        "Gunmen of the Lions Brigade killed four people .",
        "The PLAK denied it",
    ]
    first = articles[0]
    assert [(first.text[s:e], label) for s, e, label in first.spans] == [
        ("Lions Brigade", "ARMED_GROUP"),
        ("four people", "CASUALTY_FIGURE"),
    ]


def test_import_biluo_and_space_separated(tmp_path: Path) -> None:
    path = tmp_path / "x.biluo"
    path.write_text(
        "Lions NNP B-ARMED_GROUP\nBrigade NNP L-ARMED_GROUP\nand CC O\nPLAK NNP U-ARMED_GROUP\n"
    )
    (article,) = read_conll(path)
    assert [article.text[s:e] for s, e, _ in article.spans] == ["Lions Brigade", "PLAK"]


def test_import_docstart_groups_sentences_into_documents(tmp_path: Path) -> None:
    path = tmp_path / "x.conll"
    path.write_text("-DOCSTART- O\n\nOne O\n\nTwo B-ARMED_GROUP\n\n-DOCSTART- O\n\nThree O\n")
    assert [a.text for a in read_conll(path)] == ["One\nTwo", "Three"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Gunmen\tO\nBrigade\tI-ARMED_GROUP\n", r"line 2: tag I-ARMED_GROUP follows O"),
        (
            "Lions\tB-ARMED_GROUP\nBrigade\tI-DESIGNATION\n",
            r"line 2: tag I-DESIGNATION follows an entity of type ARMED_GROUP",
        ),
        ("Gunmen\tNNS\tO\nof\tO\n", r"line 2: expected 3 columns like the first line, found 2"),
        ("Gunmen\tX-Y\n", r"line 1: 'X-Y' is not an IOB2/BILUO tag"),
    ],
)
def test_import_conll_bad_lines_name_line_and_change_nothing(
    ws, cli, tmp_path, content: str, message: str
) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(content)
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "--format", "conll", "-w", ws.root)
    assert result.exit_code == 1
    assert "bad.conll" in result.stderr
    import re

    assert re.search(message, result.stderr), result.stderr
    assert snapshot_tree(ws.root) == before


def test_import_doccano_offsets_past_end(ws, cli, tmp_path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl", [{"text": "Short text.", "label": [[0, 40, "ARMED_GROUP"]]}]
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "-w", ws.root)
    assert result.exit_code == 1
    assert "span [0, 40, 'ARMED_GROUP'] lies outside the text (length 11)" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_import_unknown_labels_named_unless_added(ws, cli, tmp_path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl", [{"text": "AK-47 rifles", "label": [[0, 5, "WEAPON"]]}]
    )
    result = cli("labels", "import", path, "-w", ws.root)
    assert result.exit_code == 1 and "labels not in labels.yml: WEAPON" in result.stderr
    result = cli("labels", "import", path, "--add-labels", "--annotator", "x", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "WEAPON" in (ws.root / "labels" / "labels.yml").read_text()
    assert [
        s.label
        for s in load_units(ws.imports_dir / "x.jsonl")[load_articles(ws.articles_path)[0].id].spans
    ] == ["WEAPON"]


def test_import_split_pins_articles_and_refuses_moving_test(ws, cli, tmp_path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [{"id": "t1", "text": "Test article.", "label": []}])
    assert cli("labels", "import", path, "--split", "test", "-w", ws.root).exit_code == 0
    assert load_splits(ws.splits_path).assignments == {"t1": "test"}
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "--split", "train", "-w", ws.root)
    assert result.exit_code == 1 and "already in the test split" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_import_docbin_round_trip_and_other_language_refused(ws, cli, tmp_path) -> None:
    nlp = spacy.blank("en")
    doc = nlp.make_doc("Gunmen of the Lions Brigade killed four people.")
    doc.ents = [doc.char_span(14, 27, label="ARMED_GROUP")]
    DocBin(docs=[doc]).to_disk(tmp_path / "en.spacy")
    assert (
        cli("labels", "import", tmp_path / "en.spacy", "--format", "spacy", "-w", ws.root).exit_code
        == 0
    )
    (unit,) = load_units(ws.imports_dir / "import.jsonl").values()
    assert [s.text(unit.text) for s in unit.spans] == ["Lions Brigade"]

    german = spacy.blank("de").make_doc("Am 3. Okt. kamen 40 Menschen im Jahr 2020 um.")
    DocBin(docs=[german]).to_disk(tmp_path / "de.spacy")
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", tmp_path / "de.spacy", "--format", "spacy", "-w", ws.root)
    assert result.exit_code == 1
    assert "de.spacy: doc 0: its tokens differ from the 'en' tokenizer's" in result.stderr
    assert snapshot_tree(ws.root) == before


@pytest.mark.slow  # the whole re3d corpus
@needs_shared
def test_import_re3d_conll_and_convert(ws, cli) -> None:
    for split in ("train", "dev"):
        result = cli(
            "labels",
            "import",
            SHARED_DATA / "re3d" / f"{split}.txt",
            "--format",
            "conll",
            "--split",
            split,
            "--annotator",
            "re3d",
            "--add-labels",
            # train.txt holds 8 documents twice with other spans (issue 30.3), and two dev
            # documents repeat train ones with other spans (issue 24.2): say so, replace
            "--replace",
            "-w",
            ws.root,
        )
        assert result.exit_code == 0, result.stderr
        replaced = result.stdout.count("Replaced re3d's labels of article")
        assert replaced == (8 if split == "train" else 2), result.stdout
        if split == "train":
            assert "span(s) in line 569 of the file" in " ".join(result.stdout.split())
    assert cli("labels", "merge", "-w", ws.root).exit_code == 0
    result = cli("labels", "convert", "--on-misaligned", "expand", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    nlp = spacy.blank("en")
    labels = set()
    for split in ("train", "dev"):
        docs = list(DocBin().from_disk(ws.labels_dir / f"{split}.spacy").get_docs(nlp.vocab))
        assert len(docs) > 100
        labels |= {e.label_ for d in docs for e in d.ents}
    assert len(labels) == 10
    assert len(list(DocBin().from_disk(ws.labels_dir / "test.spacy").get_docs(nlp.vocab))) == 0


def test_labels_read_annotated_picks_the_format_by_suffix(tmp_path) -> None:
    from nerwb.errors import LabelsError
    from nerwb.labels.readers import format_of, read_annotated

    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"text": "IRGC spoke.", "label": [[0, 4, "ARMED_GROUP"]]}\n')
    conll = tmp_path / "a.iob2"
    conll.write_text("IRGC B-ARMED_GROUP\nspoke O\n. O\n")
    assert (format_of(jsonl), format_of(conll), format_of(tmp_path / "a.pdf")) == (
        "doccano",
        "conll",
        None,
    )
    (by_suffix,) = read_annotated(jsonl)
    (named,) = read_annotated(jsonl, "doccano")
    assert by_suffix.spans == named.spans == [(0, 4, "ARMED_GROUP")]
    (from_conll,) = read_annotated(conll)
    assert from_conll.text == "IRGC spoke ." and from_conll.spans == [(0, 4, "ARMED_GROUP")]
    with pytest.raises(LabelsError, match=r"a\.pdf: no annotation format for the suffix '\.pdf'"):
        read_annotated(tmp_path / "a.pdf")
    with pytest.raises(LabelsError, match="unknown format 'xml'"):
        read_annotated(jsonl, "xml")
