"""Push, label through the REST API, pull: against a real Doccano server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import (
    DEMO_ARTICLES,
    SHARED_DATA,
    annotator_login,
    gold_of,
    needs_shared,
    snapshot_tree,
)
from nerwb.corpus.readers import read_articles
from nerwb.corpus.splits import assign_splits, save_splits
from nerwb.corpus.store import add_articles, load_articles
from nerwb.demo.simulated_annotators import CAREFUL, NOISY, simulate
from nerwb.doccano.connection import connect
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.projects import ensure_project, find_project
from nerwb.doccano.push import PushOptions, push
from nerwb.labels.snapshots import load_snapshot
from nerwb.progress import ProgressEvent
from nerwb.records.pull import PullManifest, manifest_path

pytestmark = pytest.mark.doccano


def spans_by_article(units) -> dict[str, set]:
    out: dict[str, set] = {}
    for unit in units.values():
        if unit.spans:
            out.setdefault(unit.article_id, set()).update(unit.spans)
    return out


@pytest.mark.parametrize("server_ws", ["doccano_ws", "doccano_pg_ws"], ids=["sqlite", "postgres"])
def test_doccano_push_label_pull_maps_spans_exactly(server_ws, request, cli) -> None:
    ws = request.getfixturevalue(server_ws)
    result = cli(
        "doccano", "push", "--annotators", "ann_a,ann_b", "--overlap", "0.5", "-w", ws.root
    )
    assert result.exit_code == 0, result.stderr
    assert "Created annotator ann_a" in result.stdout
    assert oct(ws.annotator_passwords_path.stat().st_mode & 0o777) == "0o600"

    gold = gold_of(DEMO_ARTICLES)
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        types = {t.text: (t.background_color, t.suffix_key) for t in admin.span_types(project.id)}
    assert types["ARMED_GROUP"] == ("#e6194b", "a")
    created = {}
    for name, noise in (("ann_a", CAREFUL), ("ann_b", NOISY)):
        with annotator_login(ws, name) as client:
            report = simulate(client, project.id, name, gold, noise=noise, seed=1)
        created[name] = report
        assert report.examples > 0 and report.spans_created > 0

    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    snapshot_dir = sorted(ws.pulls_dir.iterdir())[-1]
    snapshot = load_snapshot(snapshot_dir)
    with connect(ws) as admin:
        example_ids = {e.meta["segment_id"]: e.id for e in admin.examples(project.id)}
    for name, report in created.items():
        expected = {}
        for article_id, span in report.created:
            expected.setdefault(article_id, set()).add(span)
        assert spans_by_article(snapshot[name]) == expected, name
        confirmed = sum(u.confirmed for u in snapshot[name].values())
        assert confirmed == report.examples - report.left_unconfirmed, name
        texts = {a.id: a.text for a in load_articles(ws.articles_path)}
        for unit in snapshot[name].values():
            assert unit.example_id == example_ids[unit.segment_id]
            assert texts[unit.article_id][unit.start : unit.end] == unit.text
            for span in unit.spans:  # offsets are article offsets: the text must match the corpus
                covered = texts[unit.article_id][span.start : span.end]
                assert covered.strip() == covered and covered in unit.text
    manifest = PullManifest.load(manifest_path(snapshot_dir))
    assert manifest.annotators["ann_a"].spans == created["ann_a"].spans_created
    assert set(manifest.files) == {"ann_a.jsonl", "ann_b.jsonl"}

    # progress reflects the confirmations
    result = cli("doccano", "progress", "-w", ws.root)
    assert result.exit_code == 0
    assert "ann_a" in result.stdout and "ann_b" in result.stdout

    # a second pull is a new snapshot; the first stays untouched
    before = snapshot_tree(snapshot_dir)
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0
    assert len(list(ws.pulls_dir.iterdir())) == 2
    assert snapshot_tree(snapshot_dir) == before

    # and the two annotators' labels merge into gold
    result = cli("labels", "merge", "--strategy", "union", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert ws.gold_path.exists() and ws.gold_path.stat().st_size > 0


def test_doccano_push_twice_and_interrupted_push_add_each_segment_once(doccano_ws) -> None:
    ws = doccano_ws

    class Interrupted(Exception):
        pass

    def stop_after_first_chunk(event: ProgressEvent) -> None:
        if event.done > 0:
            raise Interrupted

    with connect(ws) as client:
        with pytest.raises(Interrupted):
            push(client, ws, PushOptions(chunk_rows=10), on_progress=stop_after_first_chunk)
        project = find_project(client, ws.project_name)
        assert client.count_examples(project.id) == 10
        resumed = push(client, ws, PushOptions(chunk_rows=10))
        assert resumed.already_there == 10
        total = resumed.selected
        assert client.count_examples(project.id) == total
        again = push(client, ws, PushOptions(splits=["train", "dev", "test"]))
        assert (again.uploaded, again.already_there) == (0, total)
        # the ledger lost: the server's examples decide
        ws.push_ledger_path.unlink()
        lost = push(client, ws, PushOptions(splits=["train", "dev", "test"]))
        assert lost.reconciled_with_server and lost.uploaded == 0
        ids = [e.meta["segment_id"] for e in client.examples(project.id)]
    assert len(ids) == len(set(ids)) == total


def test_doccano_unknown_label_is_kept_and_reported(doccano_ws, cli) -> None:
    ws = doccano_ws
    assert cli("doccano", "push", "--split", "train", "-w", ws.root).exit_code == 0
    with connect(ws) as client:
        project = find_project(client, ws.project_name)
        weapon = client.create_span_type(
            project.id, {"text": "WEAPON", "background_color": "#00ff00", "text_color": "#000000"}
        )
        example = next(iter(client.examples(project.id)))
        client.create_span(project.id, example.id, weapon.id, 0, 5)
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "WEAPON (1)" in result.stdout
    snapshot = load_snapshot(sorted(ws.pulls_dir.iterdir())[-1])
    spans = [s for art in snapshot["admin"].values() for s in art.spans]
    assert [s.label for s in spans] == ["WEAPON"]


def test_doccano_span_outside_text_fails_pull_and_keeps_snapshots(doccano_ws, cli) -> None:
    ws = doccano_ws
    assert cli("doccano", "push", "--split", "dev", "-w", ws.root).exit_code == 0
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    with connect(ws) as client:
        project = find_project(client, ws.project_name)
        example = next(iter(client.examples(project.id)))
        # Doccano's import accepts out-of-range offsets: plant one on a copy of a pushed segment.
        row = {
            **example.meta,
            "text": example.text,
            "label": [[0, len(example.text) + 50, "ARMED_GROUP"]],
        }
        upload = client.upload_file("bad.jsonl", (json.dumps(row) + "\n").encode())
        client.wait_task(client.start_import(project.id, [upload]))
    before = snapshot_tree(ws.root / "labels")
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 1
    assert "lies outside its text" in result.stderr and "admin.jsonl (export)" in result.stderr
    assert snapshot_tree(ws.root / "labels") == before


def test_doccano_failed_upload_task_surfaces_server_error(doccano_ws) -> None:
    with connect(doccano_ws) as client:
        project, _ = ensure_project(client, doccano_ws.project_name)
        # Rows with different meta keys fail the whole file on the server (JSON_VALID("meta")).
        rows = '{"text": "a", "k1": 1}\n{"text": "b", "k2": {"x": [1]}}\n{"text": "c"}\n'
        upload = client.upload_file("bad.jsonl", rows.encode())
        task = client.start_import(project.id, [upload])
        with pytest.raises(DoccanoError, match="failed on the server"):
            client.wait_task(task, what="import")


def test_doccano_wrong_password_and_unreachable(doccano_ws, cli, monkeypatch) -> None:
    monkeypatch.setenv("DOCCANO_PASSWORD", "not-the-password")
    result = cli("doccano", "push", "-w", doccano_ws.root)
    assert result.exit_code == 1
    assert "login as 'admin' refused: wrong username or password" in result.stderr
    monkeypatch.setenv("DOCCANO_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    result = cli("doccano", "progress", "-w", doccano_ws.root)
    assert result.exit_code == 1
    assert "cannot reach the Doccano server" in result.stderr
    monkeypatch.delenv("DOCCANO_PASSWORD")
    result = cli("doccano", "progress", "-w", doccano_ws.root)
    assert result.exit_code == 1 and "set DOCCANO_PASSWORD" in result.stderr


def test_doccano_local_server_not_started(ws, cli) -> None:
    result = cli("doccano", "push", "-w", ws.root)
    assert result.exit_code == 1
    assert "no local Doccano server in this workspace" in result.stderr


@needs_shared
def test_doccano_conflict3_train_round_trip(ws, doccano_server, monkeypatch, cli) -> None:
    """Done-when of the Doccano issue: conflict3 train pushed without labels, two annotators
    label through REST, the pull equals exactly what they created."""
    from nerwb.records.credentials import Credentials
    from nerwb.workspace import find_workspace

    credentials = Credentials.load(doccano_server.credentials_path)
    for key, value in (
        ("URL", credentials.url),
        ("USERNAME", credentials.username),
        ("PASSWORD", credentials.password),
    ):
        monkeypatch.setenv(f"DOCCANO_{key}", value)
    source = SHARED_DATA / "conflict3" / "train.jsonl"
    add_articles(ws.articles_path, read_articles([source]))
    toml = ws.root / "nerwb.toml"
    toml.write_text(
        toml.read_text()
        .replace('project = ""', 'project = "conflict3-train"')
        .replace("train = 0.7", "train = 1.0")
        .replace("dev = 0.15", "dev = 0.0")
        .replace("test = 0.15", "test = 0.0")
    )
    ws = find_workspace(ws.root)
    result = assign_splits(
        load_articles(ws.articles_path),
        None,
        ratios=ws.config.corpus.split,
        seed=1,
        near_duplicate_threshold=0.7,
    )
    save_splits(ws.splits_path, result.splits)
    assert (
        cli(
            "doccano", "push", "--annotators", "c3_a,c3_b", "--overlap", "1.0", "-w", ws.root
        ).exit_code
        == 0
    )
    gold = gold_of(source)
    created = {}
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
    for name, noise in (("c3_a", CAREFUL), ("c3_b", NOISY)):
        with annotator_login(ws, name) as client:
            created[name] = simulate(client, project.id, name, gold, noise=noise, seed=2)
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    snapshot = load_snapshot(sorted(ws.pulls_dir.iterdir())[-1])
    for name, report in created.items():
        expected = {}
        for article_id, span in report.created:
            expected.setdefault(article_id, set()).add(span)
        assert spans_by_article(snapshot[name]) == expected
    # the careful annotator reproduces the shared gold exactly, in article offsets
    assert spans_by_article(snapshot["c3_a"]) == {a: set(s) for a, s in gold.items() if s}
    again = cli("doccano", "push", "-w", ws.root)
    assert "uploaded 0" in again.stdout


def test_doccano_server_status_loopback_and_idempotent_up(doccano_server, tmp_path) -> None:
    from nerwb.server.local import LocalServer, free_port

    status = doccano_server.status()
    assert status.healthy and status.running
    port = int(status.url.rsplit(":", 1)[1])
    listening = [
        line.split()[1]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[3] == "0A"
    ]
    assert f"0100007F:{port:04X}" in listening  # bound to 127.0.0.1
    assert f"00000000:{port:04X}" not in listening  # not to every interface
    again, started = doccano_server.up(port=port)
    assert not started and again.web_pid == status.web_pid
    assert oct(doccano_server.credentials_path.stat().st_mode & 0o777) == "0o600"
    # a busy port gives a clear error and creates nothing
    other = LocalServer(tmp_path / "other-home")
    import socket

    with socket.socket() as sock:
        busy = free_port()
        sock.bind(("127.0.0.1", busy))
        sock.listen()
        with pytest.raises(DoccanoError, match=f"port {busy} on 127.0.0.1 is already in use"):
            other.up(port=busy)
    assert not (tmp_path / "other-home").exists()


def test_doccano_cli_up_busy_port(ws, cli) -> None:
    import socket

    from nerwb.server.local import free_port

    with socket.socket() as sock:
        busy = free_port()
        sock.bind(("127.0.0.1", busy))
        sock.listen()
        result = cli("doccano", "up", "--port", busy, "-w", ws.root)
    assert result.exit_code == 1
    assert f"port {busy} on 127.0.0.1 is already in use" in result.stderr
    assert not ws.doccano_home.exists()
    shutil.rmtree(ws.root / "corpus", ignore_errors=True)
