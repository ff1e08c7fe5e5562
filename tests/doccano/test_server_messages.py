"""Messages about the server that were wrong (issue 30, items 19 and 22), against a real
Doccano: status follows DOCCANO_URL, progress of a member with nothing assigned, an interrupt
while the server imports a chunk, and the review project's guideline."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import DEMO_ARTICLES, annotator_login, gold_of
from nerwb.demo.simulated_annotators import CAREFUL, NOISY, simulate
from nerwb.doccano.accounts import ensure_annotators
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.doccano.push import PushInterrupted, PushOptions
from nerwb.doccano.push import push as push_segments
from nerwb.records.doccano import PushLedger

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


def test_an_interrupt_while_the_server_imports_says_so(doccano_ws, monkeypatch) -> None:
    ws = doccano_ws
    with connect(ws) as client:
        real_wait = client.wait_task

        def ctrl_c_as_the_import_ends(task, what):
            real_wait(task, what=what)  # the server holds the chunk now
            raise KeyboardInterrupt

        monkeypatch.setattr(client, "wait_task", ctrl_c_as_the_import_ends)
        with pytest.raises(PushInterrupted) as stopped:
            push_segments(client, ws, PushOptions(splits=["train"], chunk_rows=5))
        monkeypatch.undo()
        message = str(stopped.value)
        total = stopped.value.report.to_upload
        assert f"push interrupted after uploading 0 of {total} segment(s)" in message
        assert "a chunk of 5 more was handed to the server, which may have imported it" in message
        project = find_project(client, ws.project_name)
        assert client.count_examples(project.id) == 5
        # the next push counts what the server holds: nothing twice
        again = push_segments(client, ws, PushOptions(splits=["train"]))
        assert again.already_there == 5 and again.uploaded == total - 5
        assert client.count_examples(project.id) == total
        assert len(PushLedger(ws.push_ledger_path).segments(client.url, project.id)) == total


def test_the_review_project_gets_the_guideline(doccano_ws, cli) -> None:
    ws = doccano_ws
    push = cli(
        "doccano", "push", "--split", "train", "--annotators", "gl_a,gl_b", "--overlap", "1",
        "-w", ws.root,
    )  # fmt: skip
    assert push.exit_code == 0, push.stderr
    gold = gold_of(DEMO_ARTICLES)
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
    for name, noise in (("gl_a", CAREFUL), ("gl_b", NOISY)):
        with annotator_login(ws, name) as client:
            simulate(client, project.id, name, gold, noise=noise, seed=5)
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    assert cli("labels", "merge", "--strategy", "intersection", "-w", ws.root).exit_code == 0
    result = cli("labels", "review", "--adjudicator", "gl_lead", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Guidelines set from" in " ".join(result.stdout.split())
    with connect(ws) as admin:
        review = next(p for p in admin.projects() if p.name == f"{ws.project_name}-review")
    guidelines = (ws.schema_path.parent / "GUIDELINES.md").read_text(encoding="utf-8").strip()
    assert review.guideline.strip() == guidelines and guidelines
    # and the pull snapshot has the workspace's folder mode, not 0700 (item 22)
    snapshot = max(p for p in ws.pulls_dir.iterdir() if not p.name.startswith("."))
    assert stat.S_IMODE(snapshot.stat().st_mode) == stat.S_IMODE(ws.root.stat().st_mode)
