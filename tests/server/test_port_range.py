"""``doccano up --port`` and ``demo --port`` take a TCP port: 0 and 70000 are refused before any
work (issue 30, item 12: 70000 was an OverflowError, 0 started the server on 8000)."""

from __future__ import annotations

import socket

import pytest

from conftest import snapshot_tree
from nerwb.doccano.errors import DoccanoError
from nerwb.server.local import LocalServer


@pytest.fixture
def no_install(tmp_path, monkeypatch):
    """Doccano's venv pointed at an empty folder, and 127.0.0.1:8000 (the workspace's default)
    held by this test: whatever happens, nothing is installed and no server starts."""
    monkeypatch.setenv("NERWB_DOCCANO_VENV", str(tmp_path / "no-venv"))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        try:
            held.bind(("127.0.0.1", 8000))
            held.listen()
        except OSError:
            pass  # someone else holds it: as good
        yield tmp_path / "no-venv"


@pytest.mark.parametrize("command", [("doccano", "up"), ("demo",)])
@pytest.mark.parametrize(
    ("port", "bound"),
    [
        ("0", "greater than or equal to 1"),
        ("-1", "greater than or equal to 1"),
        ("70000", "less than or equal to 65535"),
    ],
)
def test_port_out_of_range_is_refused_before_any_work(
    ws, cli, no_install, command, port, bound
) -> None:
    before = snapshot_tree(ws.root)
    result = cli(*command, "--port", port, "-w", ws.root)
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert f"Invalid value for '--port': Input should be {bound}" in said
    assert snapshot_tree(ws.root) == before
    assert not no_install.exists()


def test_library_refuses_a_port_out_of_range(tmp_path, no_install) -> None:
    server = LocalServer(tmp_path / "home", venv=no_install)
    for port in (0, 65536):
        with pytest.raises(DoccanoError, match=rf"^port {port} is not a TCP port \(1 to 65535\)"):
            server.up(port=port)
    assert not (tmp_path / "home").exists() and not no_install.exists()
