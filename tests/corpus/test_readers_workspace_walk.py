"""`corpus add .` inside a workspace reads the user's articles, not nerwb's own files."""

from __future__ import annotations

from pathlib import Path

from nerwb.corpus.store import load_articles


def test_readers_folder_walk_skips_workspace_and_hidden_folders(ws, cli) -> None:
    root = ws.root
    (root / "news").mkdir()
    (root / "news" / "a.txt").write_text("Militia fighters attacked a village, killing four.")
    (root / "news" / ".drafts").mkdir()
    (root / "news" / ".drafts" / "b.txt").write_text("A hidden draft article.")
    (root / "README.md").write_text("# The project\n\nNotes about it.")
    for rel in ("evaluate/run1/report.md", "training/run1/notes.txt", ".nerwb/doccano/x.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("nerwb's own output")
    result = cli("corpus", "add", ".", cwd=root)
    assert result.exit_code == 0, result.stderr
    origins = [Path(a.origin).name for a in load_articles(ws.articles_path)]
    assert origins == ["a.txt"]
    assert "Added 1 article(s)" in result.stdout
    said = " ".join(result.stdout.split())
    assert "Skipped 7 file(s)" in said and "labels/GUIDELINES.md" in said
    assert "labels/names.csv" in said  # the starter names list `init` writes
    # a file named explicitly is still read
    named = cli("corpus", "add", "labels/GUIDELINES.md", cwd=root)
    assert named.exit_code == 0, named.stderr
    assert "Added 1 article(s)" in named.stdout


def test_readers_folder_walk_skips_the_own_folders_of_a_workspace_inside(ws, cli, tmp_path) -> None:
    # issue 30.8: `corpus add .` ingested an inner workspace's labels/GUIDELINES.md as an article
    from nerwb.workspace import init_workspace

    root = ws.root
    (root / "news").mkdir()
    (root / "news" / "a.txt").write_text("Militia fighters attacked a village, killing four.")
    inner = init_workspace(root / "old" / "pilot").root  # a nested workspace, two levels down
    (inner / "news").mkdir()
    (inner / "news" / "b.txt").write_text("Gunmen of the Desert Hawks burned two trucks.")
    (inner / "evaluate" / "run1").mkdir(parents=True)
    (inner / "evaluate" / "run1" / "report.md").write_text("# nerwb's own report")
    (inner / "README.md").write_text("# The pilot project")
    result = cli("corpus", "add", ".", cwd=root)
    assert result.exit_code == 0, result.stderr
    origins = sorted(Path(a.origin).name for a in load_articles(ws.articles_path))
    assert origins == ["a.txt", "b.txt"]  # the inner workspace's own articles folder is read
    said = " ".join(result.stdout.split())
    assert "Skipped 6 file(s)" in said and "old/pilot/README.md" in said, said

    # walking a folder that is no workspace but holds one: its own folders are skipped too
    outside = tmp_path / "shared-drive"
    (outside / "reports").mkdir(parents=True)
    (outside / "reports" / "c.txt").write_text("Four people died when the convoy was hit.")
    nested = init_workspace(outside / "team-ws").root
    (nested / "labels" / "notes.md").write_text("labelling notes, not an article")
    again = cli("corpus", "add", outside, "-w", root)
    assert again.exit_code == 0, again.stderr
    origins = sorted(Path(a.origin).name for a in load_articles(ws.articles_path))
    assert origins == ["a.txt", "b.txt", "c.txt"]
    # a file named explicitly is the user's choice
    chosen = cli("corpus", "add", nested / "labels" / "notes.md", "-w", root)
    assert chosen.exit_code == 0, chosen.stderr
    assert "notes.md" in {Path(a.origin).name for a in load_articles(ws.articles_path)}
