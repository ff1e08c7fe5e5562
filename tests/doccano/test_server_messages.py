"""Messages about the server that were wrong (issue 30, items 19 and 22), against a real
Doccano: status follows DOCCANO_URL, progress of a member with nothing assigned, an interrupt
while the server imports a chunk, and the review project's guideline."""

from __future__ import annotations

import os

import pytest

from nerwb.doccano.accounts import ensure_annotators
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project

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


def test_progress_of_a_member_with_nothing_assigned(doccano_ws, cli) -> None:
    ws = doccano_ws
    push = cli("doccano", "push", "--split", "train", "--annotators", "pg_a,pg_b", "-w", ws.root)
    assert push.exit_code == 0, push.stderr
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        ensure_annotators(admin, project.id, ["pg_late"], ws.annotator_passwords_path)
        examples = admin.count_examples(project.id)
    result = cli("doccano", "progress", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    late = [cell.strip() for cell in rows["pg_late"].split("│")[1:-1]]
    assert late == ["pg_late", "none", "0", "-", "-"]
    assert "pg_late: member(s) of the project with no segment assigned" in result.stdout
    a = [cell.strip() for cell in rows["pg_a"].split("│")[1:-1]]
    assert 0 < int(a[1]) < examples  # a share of the project, as the plan gives it
