"""`nerwb init`: language, folder, name and --labels checked; nerwb.toml written safely (issue 24)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from conftest import snapshot_tree, write_jsonl
from nerwb.labels.schema import load_schema
from nerwb.workspace import CONFIG_NAME, find_workspace


def test_init_refuses_a_language_spacy_does_not_know(cli, tmp_path: Path) -> None:
    result = cli("init", tmp_path / "w", "--language", "xx_klingon")
    assert result.exit_code == 1
    assert "language 'xx_klingon' is not one spaCy knows" in result.stderr
    assert not (tmp_path / "w").exists()
    assert cli("init", tmp_path / "de", "--language", "de").exit_code == 0


def test_config_with_an_unknown_language_is_refused_on_load(ws, cli) -> None:
    path = ws.root / CONFIG_NAME
    path.write_text(path.read_text().replace('language = "en"', 'language = "xx_klingon"'))
    before = snapshot_tree(ws.root)
    result = cli("corpus", "stats", "-w", ws.root)
    assert result.exit_code == 1
    assert "invalid setting: project.language" in result.stderr
    assert "'xx_klingon' is not one spaCy knows" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_init_on_a_file_is_one_line(cli, tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    result = cli("init", target)
    assert result.exit_code == 1
    assert "notes.txt is a file, not a folder" in result.stderr
    assert target.read_text() == "mine\n"


def test_init_name_with_quotes_and_backslashes_reads_back(cli, tmp_path: Path) -> None:
    name = 'Ben\'s "conflict" \\ news\tdesk'
    result = cli("init", tmp_path / "w", "--name", name)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((tmp_path / "w" / CONFIG_NAME).read_text())
    assert data["project"]["name"] == name
    assert find_workspace(tmp_path / "w").config.project.name == name
    assert "# nerwb workspace settings" in (tmp_path / "w" / CONFIG_NAME).read_text()


def test_init_labels_from_names(cli, tmp_path: Path) -> None:
    result = cli("init", tmp_path / "w", "--labels", "ORG, PERSON,WEAPON")
    assert result.exit_code == 0, result.stderr
    assert load_schema(tmp_path / "w" / "labels" / "labels.yml").names == [
        "ORG",
        "PERSON",
        "WEAPON",
    ]
    bad = cli("init", tmp_path / "v", "--labels", "ORG,two words")
    assert bad.exit_code == 1 and "'two words' is not a valid label name" in bad.stderr
    assert not (tmp_path / "v").exists()


def test_init_labels_from_a_file_copies_it_as_written(cli, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yml"
    mine.write_text("# ours\nlabels:\n  - name: LOC\n    color: '#ff0000'\n")
    assert cli("init", tmp_path / "w", "--labels", mine).exit_code == 0
    assert (tmp_path / "w" / "labels" / "labels.yml").read_text() == mine.read_text()
    missing = cli("init", tmp_path / "v", "--labels", tmp_path / "none.yml")
    assert missing.exit_code == 1 and "none.yml: label schema not found" in missing.stderr


def test_init_empty_schema_is_filled_by_import(cli, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "w", "--labels", "").exit_code == 0
    root = tmp_path / "w"
    shown = cli("labels", "show", "-w", root)
    assert shown.exit_code == 1 and "no labels yet" in shown.stderr
    data = write_jsonl(
        tmp_path / "a.jsonl",
        [{"text": "Acme hired Bob.", "label": [[0, 4, "ORG"], [11, 14, "PER"]]}],
    )
    result = cli("labels", "import", data, "--add-labels", "-w", root)
    assert result.exit_code == 0, result.stderr
    schema_text = (root / "labels" / "labels.yml").read_text()
    assert schema_text.startswith("# Label schema")
    assert load_schema(root / "labels" / "labels.yml").names == ["ORG", "PER"]


def test_workspace_gitignore_versions_the_teams_annotations(cli, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "w").exit_code == 0
    ignored = (tmp_path / "w" / ".gitignore").read_text().splitlines()
    for team_work in ("/labels/pulls/", "/labels/imports/", "/labels/gold/"):
        assert team_work not in ignored
    assert "/.nerwb/" in ignored and "/training/" in ignored


def test_init_adds_nerwb_entries_to_the_folders_own_gitignore(cli, tmp_path: Path) -> None:
    # issue 30.9: a folder with its own .gitignore never got .nerwb/ (annotator passwords)
    import subprocess

    folder = tmp_path / "project"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    own = "# my rules\n*.pyc\ntraining/"  # no final newline; training/ already ignored
    (folder / ".gitignore").write_text(own)
    result = cli("init", folder)
    assert result.exit_code == 0, result.stderr
    text = (folder / ".gitignore").read_text()
    assert "/.nerwb/\n" in text and "/evaluate/\n" in text and "/training/" not in text
    assert text.startswith(own + "\n")  # the user's lines stay as they were
    said = " ".join(result.stdout.split())
    assert "Added /.nerwb/" not in said  # entries are named as nerwb lists them
    assert (
        "Added .nerwb/, labels/audit/" in said
        and f"to the existing {folder / '.gitignore'}" in said
    )
    secret = folder / ".nerwb" / "doccano" / "annotators.json"
    secret.parent.mkdir(parents=True)
    secret.write_text("{}")
    ignored = subprocess.run(
        ["git", "-C", str(folder), "check-ignore", "-q", str(secret)], check=False
    )
    assert ignored.returncode == 0, "annotator passwords would be committed"
    # a second workspace's init there is refused; nothing is appended twice
    again = cli("init", folder)
    assert again.exit_code == 1
    assert (folder / ".gitignore").read_text() == text


def test_init_leaves_a_gitignore_that_has_every_entry_alone(cli, tmp_path: Path) -> None:
    from nerwb.workspace import WORKSPACE_GITIGNORE

    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".gitignore").write_text(WORKSPACE_GITIGNORE + "*.log\n")
    result = cli("init", folder)
    assert result.exit_code == 0, result.stderr
    assert (folder / ".gitignore").read_text() == WORKSPACE_GITIGNORE + "*.log\n"
    assert "existing" not in result.stdout
