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
