"""Messages about the server that were wrong (issue 30, items 19 and 22), against a real
Doccano: status follows DOCCANO_URL, progress of a member with nothing assigned, an interrupt
while the server imports a chunk, and the review project's guideline."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.doccano


def test_status_follows_doccano_url(doccano_ws, cli, monkeypatch) -> None:
    ws = doccano_ws  # DOCCANO_URL names the session's server; this workspace has none of its own
    url = os.environ["DOCCANO_URL"]
    result = cli("doccano", "status", "-w", ws.root)
    assert result.exit_code == 0, result.stdout + result.stderr
    said = " ".join(result.stdout.split())
    assert f"url │ {url} (remote: DOCCANO_URL or [doccano] url)" in said
    assert "health │ healthy" in said
    monkeypatch.setenv("DOCCANO_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    result = cli("doccano", "status", "-w", ws.root)
    assert result.exit_code == 1
    assert "http://127.0.0.1:9 (remote" in result.stdout and "not healthy" in result.stdout
