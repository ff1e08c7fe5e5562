from pathlib import Path

import pytest

from conftest import REPO, snapshot_tree
from nerwb.errors import WorkspaceError
from nerwb.workspace import find_workspace, init_workspace, load_config


def test_workspace_init_creates_stage_folders_and_schema(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "w", name="demo")
    for folder in ("corpus", "labels", "configs", "training", "evaluate"):
        assert (ws.root / folder).is_dir()
    assert (ws.root / "labels" / "labels.yml").read_text().count("- name:") == 3
    assert (ws.root / "labels" / "GUIDELINES.md").exists()
    assert sorted(p.name for p in (ws.root / "configs").glob("*.cfg")) == [
        "ner-accuracy.cfg",
        "ner-fast.cfg",
        "ner-pretrained.cfg",
        "ner-stacked.cfg",
        "ner-transfer.cfg",
        "ner-transformer.cfg",
    ]
    assert ws.config.project.name == "demo"


def test_workspace_init_refuses_existing_workspace(tmp_path: Path) -> None:
    init_workspace(tmp_path / "w")
    before = snapshot_tree(tmp_path / "w")
    with pytest.raises(WorkspaceError, match="already exists"):
        init_workspace(tmp_path / "w")
    assert snapshot_tree(tmp_path / "w") == before


def test_workspace_found_from_subfolder(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "w")
    assert find_workspace(ws.root / "corpus").root == ws.root


def test_workspace_outside_any_gives_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not inside a nerwb workspace"):
        find_workspace(tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("train = 0.7", "train = 0.9"), "must add up to 1"),
        (
            lambda t: t.replace("segment_length = 2000", "segment_length = 10"),
            "corpus.segment_length",
        ),
        (lambda t: t + "\n[bogus]\nx = 1\n", "bogus"),
        (lambda t: t.replace("[project]", "[project"), "not valid TOML"),
        (lambda t: t.replace('url = ""', 'url = "ftp://x"'), "doccano.url"),
    ],
)
def test_workspace_invalid_config_names_setting(tmp_path: Path, edit, message: str) -> None:
    ws = init_workspace(tmp_path / "w")
    path = ws.root / "nerwb.toml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(WorkspaceError, match=message) as info:
        find_workspace(ws.root)
    assert str(path) in str(info.value)


def test_workspace_repository_root_is_a_workspace_with_packaged_files() -> None:
    config = load_config(REPO / "nerwb.toml")
    assert config.project.name == "conflict-news-demo"
    packaged = REPO / "src" / "nerwb" / "resources"
    assert (REPO / "labels" / "labels.yml").read_text() == (packaged / "labels.yml").read_text()
    assert (REPO / "labels" / "GUIDELINES.md").read_text() == (
        packaged / "GUIDELINES.md"
    ).read_text()
    assert (REPO / "labels" / "names.csv").read_text() == (packaged / "names.csv").read_text()
    for cfg in (packaged / "configs").glob("*.cfg"):
        assert (REPO / "configs" / cfg.name).read_text() == cfg.read_text(), cfg.name


def test_workspace_paths_are_ignored_where_generated(ws) -> None:
    from nerwb.workspace import GENERATED_PATHS, TEAM_WORK_PATHS

    template = (ws.root / ".gitignore").read_text().splitlines()
    repository = (Path(__file__).resolve().parents[1] / ".gitignore").read_text().splitlines()
    for path in GENERATED_PATHS:
        assert f"/{path}" in template, path
        # the repository keeps a README in each stage folder: "/training/*" ignores the rest
        assert f"/{path}" in repository or f"/{path}*" in repository, path
    # pulls, imports and gold are the team's work: versioned in a workspace (issue 24.22e),
    # not in nerwb's own repository, whose root is a demo workspace
    for path in TEAM_WORK_PATHS:
        assert f"/{path}" not in template, path
        assert f"/{path}" in repository, path
    # every generated file the Workspace names lies under a generated path
    for generated in (
        ws.push_ledger_path,
        ws.assignments_path,
        ws.annotator_passwords_path,
        ws.problems_path,
        ws.agreement_path,
        ws.conflicts_path,
        ws.conversion_report_path,
        ws.gold_path,
    ):
        relative = generated.relative_to(ws.root).as_posix()
        ignored = GENERATED_PATHS + TEAM_WORK_PATHS
        assert any(relative.startswith(p) or relative == p for p in ignored), relative


def test_workspace_missing_folder_says_it_does_not_exist(cli, tmp_path) -> None:
    result = cli("corpus", "stats", "-w", tmp_path / "no-such-folder")
    assert result.exit_code == 1
    assert "no-such-folder does not exist" in result.stderr
    assert "not inside" not in result.stderr


def test_workspace_run_folder_names_runs_by_utc_stamp(ws) -> None:
    import re

    from nerwb.workspace import STAMP_FORMAT, utc_stamp

    stamp = utc_stamp()
    assert re.fullmatch(r"\d{8}T\d{6}Z", stamp) and STAMP_FORMAT == "%Y%m%dT%H%M%SZ"
    run = ws.run_folder(ws.training_dir, "ner-fast")
    assert run.parent == ws.training_dir and re.fullmatch(r"ner-fast-\d{8}T\d{6}Z", run.name)
    assert re.fullmatch(r"\d{8}T\d{6}Z", ws.run_folder(ws.pulls_dir).name)
    named = ws.run_folder(ws.training_dir, "demo", "ner-fast", "round-1", stamped=False)
    assert named == ws.training_dir / "demo-ner-fast-round-1"
    assert not run.exists()  # naming a run creates nothing
