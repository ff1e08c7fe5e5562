"""Doccano on PostgreSQL: the round trip on the workspace's own cluster, and moving a labelled
project from SQLite to PostgreSQL with nothing lost. Real servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, annotator_login, gold_of
from nerwb.choices import DoccanoDatabase
from nerwb.corpus.readers import read_articles
from nerwb.corpus.splits import split_workspace
from nerwb.corpus.store import add_articles
from nerwb.demo.simulated_annotators import CAREFUL, NOISY, simulate
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.labels.snapshots import load_snapshot
from nerwb.records.credentials import Credentials
from nerwb.server.local import free_port, local_server
from nerwb.workspace import find_workspace

pytestmark = pytest.mark.doccano


def _command_lines() -> str:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                out.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue
    return "\n".join(out)


def test_postgres_cluster_is_private_and_on_loopback(doccano_pg_server):
    """The round trip itself runs on this server in test_doccano_roundtrip.py (postgres)."""
    server = doccano_pg_server
    credentials = Credentials.load(server.credentials_path)
    assert credentials.database_password
    assert oct(server.credentials_path.stat().st_mode & 0o777) == "0o600"
    assert credentials.database_password not in _command_lines()
    status = server.status()
    assert status.healthy and status.database is DoccanoDatabase.POSTGRES
    assert status.database_pid is not None and status.workers == 3
    assert status.database_where.startswith("127.0.0.1:")
    lines = (server.cluster.data / "postmaster.pid").read_text().splitlines()
    assert lines[4] == "" and lines[5] == "127.0.0.1"  # no Unix socket; loopback only


@pytest.fixture
def local_ws(ws, monkeypatch):
    """A workspace with the demo corpus, on its own local Doccano (SQLite), stopped at the end."""
    for name in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DOCCANO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    add_articles(ws.articles_path, read_articles([DEMO_ARTICLES]))
    split_workspace(ws)
    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace("port = 8000", f"port = {free_port()}"))
    ws = find_workspace(ws.root)
    yield ws
    local_server(ws).down()


def test_migrate_sqlite_project_of_two_annotators_to_postgres_keeps_everything(local_ws, cli):
    ws = local_ws
    assert cli("doccano", "up", "-w", ws.root, "--workers", "2").exit_code == 0
    result = cli(
        "doccano", "push", "--annotators", "ann_a,ann_b", "--overlap", "0.5", "-w", ws.root
    )
    assert result.exit_code == 0, result.stderr
    gold = gold_of(DEMO_ARTICLES)
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
    created = {}
    for name, noise in (("ann_a", CAREFUL), ("ann_b", NOISY)):
        with annotator_login(ws, name) as client:
            created[name] = simulate(client, project.id, name, gold, noise=noise, seed=1)
        assert created[name].spans_created > 0

    # Asking for PostgreSQL on a labelled SQLite server is refused, with what to do.
    server = local_server(ws)
    settings_before = (ws.doccano_home / "server.json").read_bytes()
    result = cli("doccano", "up", "--database", "postgres", "-w", ws.root)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "nerwb doccano migrate --to postgres" in message and "span(s)" in message
    assert (ws.doccano_home / "server.json").read_bytes() == settings_before
    assert not server.cluster.folder.exists()
    assert server.status().healthy  # still serving on SQLite

    holds = server.sqlite_holds()
    assert holds[1] == sum(r.spans_created for r in created.values())
    result = cli("doccano", "migrate", "--to", "postgres", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Switched to postgres" in " ".join(result.stdout.split())
    status = server.status()
    assert status.healthy and status.database is DoccanoDatabase.POSTGRES
    assert server.sqlite_holds() == holds  # SQLite's file is kept as it was
    assert not (ws.doccano_home / "migration-dump.json").exists()
    # The annotators' logins and tokens came along; their work is all there.
    with connect(ws) as admin:
        assert find_project(admin, ws.project_name).id == project.id
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    snapshot = load_snapshot(sorted(ws.pulls_dir.iterdir())[-1])
    for name, report in created.items():
        expected: dict[str, set] = {}
        for article_id, span in report.created:
            expected.setdefault(article_id, set()).add(span)
        got: dict[str, set] = {}
        for unit in snapshot[name].values():
            if unit.spans:
                got.setdefault(unit.article_id, set()).update(unit.spans)
        assert got == expected, name
        confirmed = sum(u.confirmed for u in snapshot[name].values())
        assert confirmed == report.examples - report.left_unconfirmed, name
    # Labelling goes on, on PostgreSQL: an annotator's new span lands there.
    with annotator_login(ws, "ann_a") as client:
        example = next(iter(client.examples(project.id)))
        before = len(client.spans(project.id, example.id))
        label = client.span_types(project.id)[0].id
        client.create_span(project.id, example.id, label, 0, 1)
        assert len(client.spans(project.id, example.id)) == before + 1
    result = cli("doccano", "status", "-w", ws.root)
    assert "postgres" in result.stdout
    stopped = cli("doccano", "down", "-w", ws.root)
    assert "postgres" in stopped.stdout and server.cluster.pid() is None


def test_migrate_when_already_on_postgres_or_without_sqlite_is_refused(ws, cli, monkeypatch):
    monkeypatch.delenv("DOCCANO_DATABASE_URL", raising=False)
    result = cli("doccano", "migrate", "--to", "postgres", "-w", ws.root)
    assert result.exit_code == 1
    assert "no SQLite database to move" in " ".join(result.stderr.split())
    assert not (ws.root / ".nerwb" / "doccano" / "postgres").exists()
    home = ws.root / ".nerwb" / "doccano"
    home.mkdir(parents=True, exist_ok=True)
    (home / "server.json").write_text(json.dumps({"database": "postgres", "secret_key": "x"}))
    result = cli("doccano", "migrate", "--to", "postgres", "-w", ws.root)
    assert result.exit_code == 1
    assert "already keeps its data in postgres" in " ".join(result.stderr.split())
    assert os.listdir(home) == ["server.json"]
