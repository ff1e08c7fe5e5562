"""The local server's state (``server.json``) and admin credentials (``credentials.json``) are
records: a corrupt file is one line naming it, left as it is (issue 30, item 14: ``doccano
status`` was a JSONDecodeError traceback), both only ever 0600, old files still read. No server
is started."""

from __future__ import annotations

import json
import stat

import pytest

from conftest import snapshot_tree
from nerwb.server.local import LocalServer
from nerwb.workspace import DoccanoDatabase


@pytest.fixture
def home(ws, tmp_path, monkeypatch):
    """The workspace's server home, with Doccano's venv pointed at an empty folder: nothing is
    ever installed here, whatever a command does."""
    monkeypatch.setenv("NERWB_DOCCANO_VENV", str(tmp_path / "no-venv"))
    monkeypatch.delenv("DOCCANO_URL", raising=False)
    ws.doccano_home.mkdir(parents=True)
    return ws.doccano_home


@pytest.mark.parametrize("command", [("status",), ("down",), ("up",)])
def test_a_corrupt_server_json_is_one_line_naming_it(ws, cli, home, command) -> None:
    state = home / "server.json"
    state.write_text('{"port": 8000, "secret_key": ', encoding="utf-8")
    before = snapshot_tree(ws.root)
    result = cli("doccano", *command, "-w", ws.root)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert f"error: {state}: not a Doccano server state file: malformed JSON" in said
    assert "Traceback" not in said and len(result.stderr.strip().splitlines()) == 1
    assert snapshot_tree(ws.root) == before


def test_a_corrupt_credentials_file_is_one_line_naming_it(ws, cli, home) -> None:
    credentials = home / "credentials.json"
    credentials.write_text('{"url": "http://127.0.0.1:8000"}', encoding="utf-8")
    before = snapshot_tree(ws.root)
    result = cli("doccano", "progress", "-w", ws.root)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert f"error: {credentials}: not a Doccano credentials file (" in said and "password" in said
    assert snapshot_tree(ws.root) == before


def test_files_of_the_previous_nerwb_still_read(home) -> None:
    # as nerwb wrote them before records: no format field, no processes, pids in files
    (home / "server.json").write_text(
        json.dumps({"secret_key": "k", "port": 8123, "database": "postgres", "workers": 3})
    )
    (home / "credentials.json").write_text(
        json.dumps({"url": "http://127.0.0.1:8123", "username": "admin", "password": "pw"})
    )
    server = LocalServer(home)
    assert server.remembered_port() == 8123 and server.database() is DoccanoDatabase.POSTGRES
    from nerwb.records.credentials import Credentials

    credentials = Credentials.load(server.credentials_path)
    assert (credentials.username, credentials.password) == ("admin", "pw")
    assert "pw" not in repr(credentials) and "pw" not in str(credentials)


def test_state_and_credentials_are_written_0600(home) -> None:
    from nerwb.records.credentials import Credentials
    from nerwb.records.server import ServerState

    ServerState(secret_key="k", port=8000).save(home / "server.json")
    Credentials(url="u", username="admin", password="pw").save(home / "credentials.json")
    for name in ("server.json", "credentials.json"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600
