"""`doccano up` keeps the port the workspace's server runs on; a conflicting --port is refused."""

from __future__ import annotations

import pytest

from conftest import snapshot_tree
from nerwb.server.local import free_port

pytestmark = pytest.mark.doccano


def test_server_up_refuses_another_port_and_plain_up_reuses_it(doccano_server, ws, cli) -> None:
    ws.doccano_home.parent.mkdir(parents=True, exist_ok=True)
    ws.doccano_home.symlink_to(doccano_server.home, target_is_directory=True)
    port = int(doccano_server.status().url.rsplit(":", 1)[1])
    before = (
        snapshot_tree(doccano_server.home / "logs").keys(),
        (doccano_server.home / "server.json").read_bytes(),
    )
    other = free_port()
    refused = cli("doccano", "up", "--port", other, "-w", ws.root)
    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert f"already running on {port}" in said and "`nerwb doccano down` first" in said
    plain = cli("doccano", "up", "-w", ws.root)
    assert plain.exit_code == 0, plain.stderr
    assert f"127.0.0.1:{port}" in plain.stdout and "Already running" in plain.stdout
    after = (
        snapshot_tree(doccano_server.home / "logs").keys(),
        (doccano_server.home / "server.json").read_bytes(),
    )
    assert after == before
    # stopped, a plain `up` starts again on the port it ran on, not the default
    doccano_server.down()
    status, started = doccano_server.up()
    assert started and status.healthy and status.url == f"http://127.0.0.1:{port}"
