"""`labels import`: one article twice in a file with different spans is refused, naming both
lines (issue 30.3); a refused import leaves labels.yml as it was, --add-labels or not (30.4)."""

from __future__ import annotations

from conftest import snapshot_tree, write_jsonl
from nerwb.labels.annotations import load_units

TEXT = "Gunmen of the Lions Brigade killed four people near Tal Afar."
GROUP = [14, 27, "ARMED_GROUP"]
FIGURE = [35, 46, "CASUALTY_FIGURE"]
OTHER = "The ministry said the Desert Hawks left the city on Monday."


def _said(result) -> str:
    return " ".join(result.stderr.split())


def test_one_id_twice_in_a_file_with_other_spans_is_refused_naming_both_lines(
    ws, cli, tmp_path
) -> None:
    path = write_jsonl(
        tmp_path / "twice.jsonl",
        [
            {"id": "x1", "text": TEXT, "label": [GROUP, FIGURE]},
            {"id": "x2", "text": OTHER, "label": []},
            {"id": "x1", "text": TEXT, "label": [GROUP]},
        ],
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 1
    assert (
        f"{path} holds 1 article(s) twice with different spans: article 'x1' (the same id) "
        "at line 1 with 2 span(s) and at line 3 with 1"
    ) in _said(result)
    assert "Keep one record of each in the file, or pass --replace" in _said(result)
    assert snapshot_tree(ws.root) == before


def test_one_text_under_two_ids_in_a_file_with_other_spans_is_refused(ws, cli, tmp_path) -> None:
    path = write_jsonl(
        tmp_path / "twice.jsonl",
        [{"id": "x1", "text": TEXT, "label": [GROUP]}, {"id": "y9", "text": TEXT, "label": []}],
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 1
    assert (
        "article 'x1' (the same text under ids 'x1' and 'y9') at line 1 with 1 span(s) and at "
        "line 2 with 0"
    ) in _said(result)
    assert snapshot_tree(ws.root) == before


def test_a_repeat_with_the_same_spans_is_fine_and_replace_keeps_the_later(
    ws, cli, tmp_path
) -> None:
    same = write_jsonl(
        tmp_path / "same.jsonl",
        [
            {"id": "x1", "text": TEXT, "label": [GROUP]},
            {"id": "x1", "text": TEXT, "label": [GROUP]},
        ],
    )
    result = cli("labels", "import", same, "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Replaced" not in result.stdout
    twice = write_jsonl(
        tmp_path / "twice.jsonl",
        [
            {"id": "x1", "text": TEXT, "label": [GROUP]},
            {"id": "x1", "text": TEXT, "label": [FIGURE]},
        ],
    )
    result = cli("labels", "import", twice, "--annotator", "ben", "--replace", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert (
        f"Replaced ben's labels of article 'x1' from {twice}:2: 1 span(s) in line 1 of the file, "
        "1 now"
    ) in " ".join(result.stdout.split())
    (unit,) = load_units(ws.imports_dir / "ben.jsonl").values()
    assert [list(s) for s in unit.spans] == [FIGURE]


def test_a_failed_add_labels_import_leaves_labels_yml_as_it_was(ws, cli, tmp_path) -> None:
    # issue 30.4: an id clash with the corpus (exit 1) still appended NEW_GROUP to labels.yml
    first = write_jsonl(tmp_path / "corpus.jsonl", [{"id": "x1", "text": OTHER}])
    assert cli("corpus", "add", first, "-w", ws.root).exit_code == 0
    clash = write_jsonl(
        tmp_path / "clash.jsonl", [{"id": "x1", "text": TEXT, "label": [[14, 27, "NEW_GROUP"]]}]
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", clash, "--add-labels", "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 1
    assert "article id 'x1' is already in the corpus with a different text" in _said(result)
    assert snapshot_tree(ws.root) == before
    assert "NEW_GROUP" not in ws.schema_path.read_text()


def test_a_file_twice_with_add_labels_adds_no_label(ws, cli, tmp_path) -> None:
    twice = write_jsonl(
        tmp_path / "twice.jsonl",
        [
            {"id": "x1", "text": TEXT, "label": [[14, 27, "NEW_GROUP"]]},
            {"id": "x1", "text": TEXT, "label": []},
        ],
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", twice, "--add-labels", "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 1
    assert snapshot_tree(ws.root) == before
