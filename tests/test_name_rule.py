"""Names that become file names are checked: an annotator name never escapes its folder."""

from __future__ import annotations

import pytest

from conftest import snapshot_tree, write_jsonl
from nerwb.errors import InvalidNameError
from nerwb.names import MAX_LENGTH, NAME_RULE, check_name

BAD = [
    "",
    ".hidden",
    "..",
    "../gold/gold",
    "../../../../../outside/x",
    "/tmp/abs",
    "sub/dir",
    "back\\slash",
    "with space",
    "bob@example.org",
    "-starts-with-hyphen",
    "a" * (MAX_LENGTH + 1),
    "nul\x00byte",
    "ünï",
]


@pytest.mark.parametrize("name", ["alice", "Bob.Smith", "a_b-1", "7", "x" * MAX_LENGTH])
def test_good_names_pass(name: str) -> None:
    assert check_name(name, what="annotator") == name


@pytest.mark.parametrize("name", BAD)
def test_bad_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InvalidNameError) as err:
        check_name(name, what="--annotator")
    assert NAME_RULE in str(err.value)
    assert str(err.value).startswith("--annotator ")


@pytest.mark.parametrize("name", ["../gold/gold", "../../../../../outside/x", "/tmp/x", ""])
def test_labels_import_refuses_a_path_as_annotator(cli, ws, tmp_path, name) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "Gunmen killed four.", "label": []}])
    # a gold file an earlier merge wrote: `--annotator ../gold/gold` overwrote it before
    ws.gold_path.parent.mkdir(parents=True, exist_ok=True)
    ws.gold_path.write_text('{"kept": true}\n', encoding="utf-8")
    before = snapshot_tree(tmp_path)
    result = cli("labels", "import", source, "--annotator", name, "-w", ws.root)
    assert result.exit_code == 1
    assert "--annotator" in result.stderr
    assert "ASCII letters, digits" in result.stderr
    assert snapshot_tree(tmp_path) == before  # nothing written, inside or outside the workspace


def test_existing_file_with_a_bad_name_is_left_alone(cli, ws, tmp_path) -> None:
    odd = ws.imports_dir / "old name@x.jsonl"
    odd.parent.mkdir(parents=True, exist_ok=True)
    odd.write_text("", encoding="utf-8")
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "Gunmen killed four.", "label": []}])
    result = cli("labels", "import", source, "--annotator", "alice", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert odd.read_text(encoding="utf-8") == ""
    assert (ws.imports_dir / "alice.jsonl").is_file()


def test_push_and_review_refuse_bad_account_names_before_any_server(cli, ws, monkeypatch) -> None:
    # no server configured or started: the name is refused first
    monkeypatch.setenv("DOCCANO_URL", "http://127.0.0.1:9")
    before = snapshot_tree(ws.root)
    pushed = cli("doccano", "push", "--annotators", "alice,../x", "-w", ws.root)
    assert pushed.exit_code == 1
    assert "annotator '../x' is not allowed" in pushed.stderr
    reviewed = cli("labels", "review", "--adjudicator", ".lead", "-w", ws.root)
    assert reviewed.exit_code == 1
    assert "--adjudicator '.lead' is not allowed" in reviewed.stderr
    assert snapshot_tree(ws.root) == before


def test_init_keeps_a_quote_in_the_folder_name_inside_the_toml(tmp_path) -> None:
    from nerwb.workspace import find_workspace, init_workspace

    init_workspace(tmp_path / 'odd"name', name=None)
    assert find_workspace(tmp_path / 'odd"name').config.project.name == 'odd"name'
