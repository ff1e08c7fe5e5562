"""The workspace lock: two writers at once lose nothing; a second one waits, or fails with
--no-wait, naming who holds it; a dead holder's lock is taken over; readers never block."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from _concurrency import Holder, run_two_at_once
from conftest import snapshot_tree, write_jsonl
from nerwb.corpus.store import load_articles
from nerwb.errors import WorkspaceBusyError, WorkspaceError
from nerwb.labels.annotations import load_units
from nerwb.lock import WAIT_ENV, default_wait, read_holder, workspace_lock


def articles(path: Path, tag: str, n: int, *, labels: bool = False) -> Path:
    records = []
    for i in range(n):
        text = f"Report {tag}-{i}: fighters of group {tag}{i} held the town of {tag}ville {i}."
        record: dict = {"id": f"{tag}-{i}", "text": text}
        if labels:
            start = text.index("group")
            record["label"] = [[start, start + len(f"group {tag}{i}"), "ARMED_GROUP"]]
        records.append(record)
    return write_jsonl(path, records)


def test_two_corpus_adds_at_once_keep_every_article(ws, tmp_path) -> None:
    a = articles(tmp_path / "a.jsonl", "a", 300)
    b = articles(tmp_path / "b.jsonl", "b", 300)
    run_two_at_once(
        ws, tmp_path, [["corpus", "add", a, "-w", ws.root], ["corpus", "add", b, "-w", ws.root]]
    )
    ids = {x.id for x in load_articles(ws.articles_path)}
    assert len(ids) == 600
    assert {"a-0", "a-299", "b-0", "b-299"} <= ids
    assert not ws.lock_holder_path.exists()  # the last holder cleaned up after itself


def test_two_label_imports_at_once_keep_both_annotators(ws, tmp_path) -> None:
    alice = articles(tmp_path / "alice.jsonl", "al", 300, labels=True)
    bob = articles(tmp_path / "bob.jsonl", "bo", 300, labels=True)
    run_two_at_once(
        ws,
        tmp_path,
        [
            ["labels", "import", alice, "--annotator", "alice", "-w", ws.root],
            ["labels", "import", bob, "--annotator", "bob", "-w", ws.root],
        ],
    )
    assert len(load_articles(ws.articles_path)) == 600
    assert len(load_units(ws.imports_dir / "alice.jsonl")) == 300
    assert len(load_units(ws.imports_dir / "bob.jsonl")) == 300


def test_no_wait_fails_at_once_naming_the_holder(cli, ws, tmp_path) -> None:
    source = articles(tmp_path / "a.jsonl", "a", 3)
    holder = Holder(ws.root)
    try:
        before = snapshot_tree(ws.root)
        result = cli("corpus", "add", source, "--no-wait", "-w", ws.root)
        assert result.exit_code == 1
        assert f"being written by `nerwb holder test` (pid {holder.proc.pid}" in result.stderr
        assert "--no-wait" in result.stderr
        assert snapshot_tree(ws.root) == before
        # a reader does not take the lock
        stats = cli("corpus", "stats", "-w", ws.root)
        assert "being written" not in stats.stderr
    finally:
        holder.release()
    assert cli("corpus", "add", source, "--no-wait", "-w", ws.root).exit_code == 0


def test_a_bounded_wait_gives_up_and_changes_nothing(cli, ws, tmp_path) -> None:
    source = articles(tmp_path / "a.jsonl", "a", 3)
    holder = Holder(ws.root)
    try:
        before = snapshot_tree(ws.root)
        result = cli("corpus", "add", source, "--wait", "0.5", "-w", ws.root)
        assert result.exit_code == 1
        assert "waiting up to 0.5 s for `nerwb holder test`" in result.stderr
        assert "still being written by `nerwb holder test`" in result.stderr
        assert "after waiting 0.5 s" in result.stderr
        assert snapshot_tree(ws.root) == before
    finally:
        holder.release()


def test_the_lock_of_a_killed_process_is_taken_over(cli, ws, tmp_path) -> None:
    holder = Holder(ws.root)
    held_by = read_holder(ws)
    assert held_by is not None and held_by.pid == holder.proc.pid
    holder.kill()  # kill -9: no chance to clean up; its holder file stays behind
    assert ws.lock_holder_path.exists()
    source = articles(tmp_path / "a.jsonl", "a", 3)
    result = cli("corpus", "add", source, "--no-wait", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert len(load_articles(ws.articles_path)) == 3
    assert not ws.lock_holder_path.exists()


def test_holder_file_reentry_and_release(ws) -> None:
    with workspace_lock(ws, "outer"):
        holder = json.loads(ws.lock_holder_path.read_text())
        assert (holder["command"], holder["pid"]) == ("outer", os.getpid())
        with workspace_lock(ws, "inner", wait=0):  # the same process: no deadlock
            assert read_holder(ws).command == "outer"
        assert ws.lock_holder_path.exists()
    assert not ws.lock_holder_path.exists()


def test_wait_from_the_environment(monkeypatch, cli, ws, tmp_path) -> None:
    monkeypatch.setenv(WAIT_ENV, "12.5")
    assert default_wait() == 12.5
    monkeypatch.setenv(WAIT_ENV, "soon")
    with pytest.raises(WorkspaceError, match=f"{WAIT_ENV}='soon'"):
        default_wait()
    monkeypatch.setenv(WAIT_ENV, "0")
    holder = Holder(ws.root)
    try:
        with pytest.raises(WorkspaceBusyError, match="not waiting"), workspace_lock(ws, "x"):
            pass
    finally:
        holder.release()
