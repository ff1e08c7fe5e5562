"""Which database `doccano up` runs on, and the switches it refuses (no server started)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from nerwb.choices import DoccanoDatabase
from nerwb.cli._hints import advice
from nerwb.doccano.errors import DoccanoError
from nerwb.errors import ErrorKind, WorkspaceError
from nerwb.server.local import LocalServer
from nerwb.server.postgres import describe_url, url_for
from nerwb.workspace import find_workspace


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCCANO_DATABASE_URL", raising=False)
    return LocalServer(tmp_path / "home")


def _labelled_sqlite(server: LocalServer, examples: int, spans: int) -> None:
    server.home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(server.sqlite_path) as db:
        db.execute("CREATE TABLE examples_example (id INTEGER PRIMARY KEY)")
        db.execute("CREATE TABLE labels_span (id INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO examples_example VALUES (?)", [(i,) for i in range(examples)])
        db.executemany("INSERT INTO labels_span VALUES (?)", [(i,) for i in range(spans)])


def test_new_workspace_runs_on_sqlite_unless_postgres_is_asked_for(server) -> None:
    assert server.choose_database(None) is DoccanoDatabase.SQLITE
    assert server.choose_database(DoccanoDatabase.POSTGRES) is DoccanoDatabase.POSTGRES
    toml_says = LocalServer(server.home, default_database=DoccanoDatabase.POSTGRES)
    assert toml_says.choose_database(None) is DoccanoDatabase.POSTGRES


def test_postgres_on_a_labelled_sqlite_server_is_refused_with_what_to_do(server) -> None:
    _labelled_sqlite(server, examples=3, spans=2)
    before = server.sqlite_path.read_bytes()
    with pytest.raises(DoccanoError) as error:
        server.choose_database(DoccanoDatabase.POSTGRES)
    assert "keeps 3 example(s) and 2 span(s)" in str(error.value)
    # the library says what is wrong; the CLI adds what to run (nerwb.cli._hints)
    assert "nerwb " not in str(error.value) and error.value.kind is ErrorKind.DATA_IN_SQLITE
    assert "nerwb doccano migrate --to postgres" in advice(error.value)
    assert server.sqlite_path.read_bytes() == before
    assert server.choose_database(None) is DoccanoDatabase.SQLITE  # staying is fine
    # an empty (migrated, unlabelled) SQLite database may switch
    server.sqlite_path.unlink()
    _labelled_sqlite(server, examples=0, spans=0)
    assert server.choose_database(DoccanoDatabase.POSTGRES) is DoccanoDatabase.POSTGRES


def test_back_to_sqlite_from_postgres_is_refused(server) -> None:
    server.home.mkdir(parents=True)
    (server.home / "server.json").write_text(json.dumps({"database": "postgres"}))
    assert server.choose_database(None) is DoccanoDatabase.POSTGRES
    # a cluster that never got Doccano's tables (initdb missing, say) holds nothing to lose
    assert server.choose_database(DoccanoDatabase.SQLITE) is DoccanoDatabase.SQLITE
    server.cluster.folder.mkdir()
    (server.cluster.folder / ".migrated").write_text("1.8.4\n")
    with pytest.raises(DoccanoError, match="does not move it back to SQLite"):
        server.choose_database(DoccanoDatabase.SQLITE)


def test_database_url_in_the_environment_means_an_existing_server(server, monkeypatch) -> None:
    with pytest.raises(DoccanoError, match="set DOCCANO_DATABASE_URL"):
        server.choose_database(DoccanoDatabase.EXTERNAL)
    url = "postgres://team:s3cret@10.0.0.5:5433/doccano?sslmode=require"
    monkeypatch.setenv("DOCCANO_DATABASE_URL", url)
    assert server.choose_database(None) is DoccanoDatabase.EXTERNAL
    assert server.database_url(DoccanoDatabase.EXTERNAL) == url
    with pytest.raises(DoccanoError, match="DOCCANO_DATABASE_URL is set"):
        server.choose_database(DoccanoDatabase.SQLITE)
    assert describe_url(url) == "10.0.0.5:5433/doccano"  # what status shows: no password


def test_cluster_url_quotes_the_password_and_turns_ssl_off() -> None:
    url = url_for("a/b@c", 5999)
    assert url == "postgres://nerwb:a%2Fb%40c@127.0.0.1:5999/doccano?sslmode=disable"


def test_database_setting_in_nerwb_toml(ws) -> None:
    toml = ws.root / "nerwb.toml"
    text = toml.read_text()
    toml.write_text(text.replace("port = 8000", 'port = 8000\ndatabase = "postgres"'))
    assert find_workspace(ws.root).config.doccano.database is DoccanoDatabase.POSTGRES
    toml.write_text(text.replace("port = 8000", 'port = 8000\ndatabase = "mysql"'))
    with pytest.raises(WorkspaceError, match="database"):
        find_workspace(ws.root)
