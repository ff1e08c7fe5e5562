"""`labels import` into an annotator's existing labels, and --add-labels keeping labels.yml (24.2, 3, 6)."""

from __future__ import annotations

from pathlib import Path

from conftest import snapshot_tree, write_jsonl
from nerwb.labels.annotations import load_units
from nerwb.labels.schema import load_schema

TEXT = "Gunmen of the Lions Brigade killed four people near Tal Afar."
THREE = [[14, 27, "ARMED_GROUP"], [35, 46, "CASUALTY_FIGURE"], [0, 6, "ARMED_GROUP"]]


def first_import(ws, cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "first.jsonl", [{"id": "x1", "text": TEXT, "label": THREE}])
    assert cli("labels", "import", path, "--annotator", "amira", "-w", ws.root).exit_code == 0


def spans_of(ws, annotator: str) -> list:
    (unit,) = load_units(ws.imports_dir / f"{annotator}.jsonl").values()
    return [list(s) for s in unit.spans]


def test_same_text_under_another_id_with_other_spans_is_refused(ws, cli, tmp_path) -> None:
    first_import(ws, cli, tmp_path)
    again = write_jsonl(
        tmp_path / "again.jsonl", [{"id": "y9", "text": TEXT, "label": [[14, 27, "ARMED_GROUP"]]}]
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", again, "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert (
        "annotator 'amira' already labelled 1 article(s) of this file with other spans" in message
    )
    assert "article 'x1' (id 'y9' in the file; same text)" in message
    assert "3 span(s) before, 1 now" in message and "--replace" in message
    assert snapshot_tree(ws.root) == before


def test_replace_replaces_and_says_what_per_article(ws, cli, tmp_path) -> None:
    first_import(ws, cli, tmp_path)
    again = write_jsonl(
        tmp_path / "again.jsonl", [{"id": "y9", "text": TEXT, "label": [[14, 27, "ARMED_GROUP"]]}]
    )
    result = cli("labels", "import", again, "--annotator", "amira", "--replace", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Replaced amira's labels of article 'x1'" in " ".join(result.stdout.split())
    assert spans_of(ws, "amira") == [[14, 27, "ARMED_GROUP"]]


def test_same_spans_again_or_another_annotator_is_no_replacement(ws, cli, tmp_path) -> None:
    first_import(ws, cli, tmp_path)
    same = write_jsonl(tmp_path / "same.jsonl", [{"id": "y9", "text": TEXT, "label": THREE}])
    result = cli("labels", "import", same, "--annotator", "amira", "-w", ws.root)
    assert result.exit_code == 0, result.stderr and "Replaced" not in result.stdout
    other = write_jsonl(tmp_path / "ben.jsonl", [{"text": TEXT, "label": []}])
    result = cli("labels", "import", other, "--annotator", "ben", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert len(spans_of(ws, "amira")) == 3 and spans_of(ws, "ben") == []


def test_add_labels_keeps_the_users_labels_yml_and_appends(ws, cli, tmp_path) -> None:
    schema_path = ws.schema_path
    written = schema_path.read_text() + "# our own note, kept\n"
    schema_path.write_text(written)
    path = write_jsonl(
        tmp_path / "w.jsonl",
        [{"text": "AK-47 rifles and ON", "label": [[0, 5, "WEAPON"], [17, 19, "ON"]]}],
    )
    result = cli("labels", "import", path, "--add-labels", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    now = schema_path.read_text()
    assert now.startswith(written)  # every comment and line as the user wrote it
    assert "- name: 'WEAPON'" in now[len(written) :]
    names = load_schema(schema_path).names
    assert names[-2:] == ["ON", "WEAPON"]  # 'ON' stays a name, not YAML's boolean


def test_add_labels_with_an_invalid_name_is_one_line(ws, cli, tmp_path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl", [{"text": "AK-47 rifles", "label": [[0, 5, "B WEAPON"]]}]
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "--add-labels", "-w", ws.root)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "bad.jsonl: label 'B WEAPON' is not a valid label name" in result.stderr
    assert snapshot_tree(ws.root) == before
