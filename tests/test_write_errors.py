"""A write that fails midway names the file (issue 30, item 22: "No space left on device" without
a path), and a symlinked workspace file stays a link when nerwb rewrites it (item 22: it was
silently replaced by a plain file)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess

import pytest

from _concurrency import CLI
from conftest import DEMO_ARTICLES, snapshot_tree
from nerwb.corpus.store import load_articles

LIMIT = 16 * 1024  # bytes any one file may grow to: the demo corpus needs far more


def _small_files_only() -> None:
    # The kernel refuses a write past RLIMIT_FSIZE with EFBIG, as a full disk refuses one with
    # ENOSPC: an error of the write itself, which names no file. SIGXFSZ would kill us first.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.mark.slow  # runs nerwb in a child process with a file size limit
def test_a_failed_write_names_the_file_and_leaves_nothing(ws) -> None:
    before = snapshot_tree(ws.root)
    result = subprocess.run(
        [*CLI, "corpus", "add", str(DEMO_ARTICLES), "-w", str(ws.root)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
        preexec_fn=_small_files_only,
        timeout=300,
    )
    assert result.returncode == 1
    assert f"error: {ws.articles_path}: File too large" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert snapshot_tree(ws.root) == before  # no temp file left beside it


def test_a_symlinked_articles_file_stays_a_link(ws, cli, tmp_path) -> None:
    kept = tmp_path / "shared" / "articles.jsonl"
    kept.parent.mkdir()
    kept.write_text("", encoding="utf-8")
    ws.articles_path.parent.mkdir(parents=True, exist_ok=True)
    ws.articles_path.symlink_to(kept)
    result = cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert ws.articles_path.is_symlink() and ws.articles_path.resolve() == kept
    assert len(load_articles(kept)) == 42
    assert not [p for p in kept.parent.iterdir() if p.name != "articles.jsonl"]  # no temp files
