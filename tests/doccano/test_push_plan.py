"""`doccano push` is a plan, then its application (issue 31, item 2): the plan is computed from
the workspace and the server's state before anything changes, so a refused push changes nothing
and `--dry-run` shows the plan for free. Against a real Doccano server on 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from conftest import snapshot_tree
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.doccano.push import PushOptions, apply_push, plan_push
from nerwb.workspace import find_workspace

pytestmark = pytest.mark.doccano

LOCK_FILES = ("workspace.lock",)  # the lock's own (empty) file: made by the first writer


def _files(root) -> dict[str, bytes]:
    return {k: v for k, v in snapshot_tree(root).items() if not k.endswith(LOCK_FILES)}


def _server(ws) -> tuple[set[str], set[str]]:
    """The server's project names and user names."""
    with connect(ws) as admin:
        return {p.name for p in admin.projects()}, {u.username for u in admin.users()}


def test_push_dry_run_says_what_a_push_would_do_and_changes_nothing(doccano_ws, cli) -> None:
    ws = doccano_ws
    before = _files(ws.root)
    args = ("doccano", "push", "--split", "train", "--annotators", "dry_a,dry_b", "-w", ws.root)
    dry = cli(*args, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    said = " ".join(dry.stdout.split())
    assert f"Would create project {ws.project_name!r}." in said
    assert "Accounts to create: dry_a, dry_b; members to add: dry_a, dry_b." in said
    planned = int(re.search(r"would upload (\d+) in \d+ chunk", said).group(1))
    assert planned > 0
    assert "Dry run: nothing was changed on the server or in the workspace." in said
    projects, users = _server(ws)
    assert ws.project_name not in projects and not {"dry_a", "dry_b"} & users
    assert _files(ws.root) == before
    # the plan was the push: the real one uploads what the dry run said
    real = cli(*args)
    assert real.exit_code == 0, real.stderr
    assert f"uploaded {planned} in" in " ".join(real.stdout.split())
    again = cli(*args, "--dry-run")
    said = " ".join(again.stdout.split())
    assert "exists." in said and "Accounts to create: none; members to add: none." in said
    assert re.search(r"would upload 0 in 0 chunk", said)


def test_a_push_the_plan_refuses_changes_nothing_on_the_server(doccano_ws, cli) -> None:
    ws = doccano_ws
    assert cli("doccano", "push", "--split", "dev", "-w", ws.root).exit_code == 0
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        types_before = sorted(t.text for t in admin.span_types(project.id))
    # a new label for the server, and segments cut otherwise than those it holds
    schema = ws.schema_path
    schema.write_text(schema.read_text() + "  - name: WEAPON\n    color: '#3cb44b'\n")
    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace("segment_length = 2000", "segment_length = 300"))
    ws = find_workspace(ws.root)
    state = _files(ws.state_dir)
    result = cli("doccano", "push", "--split", "dev", "--annotators", "cut_a", "-w", ws.root)
    assert result.exit_code == 1 and "were cut at 2000" in result.stderr
    with connect(ws) as admin:
        # the span types are synced only once every check has passed: none was added
        assert sorted(t.text for t in admin.span_types(project.id)) == types_before
    assert "cut_a" not in _server(ws)[1]
    assert _files(ws.state_dir) == state


def test_plan_then_apply_in_the_library(doccano_ws) -> None:
    ws = doccano_ws
    options = PushOptions(splits=["test"], annotators=["lib_a", "lib_b"], overlap=1.0)
    with connect(ws) as client:
        plan = plan_push(client, ws, options)
        assert plan.project is None and plan.project_created
        assert plan.accounts is not None and plan.accounts.create == ["lib_a", "lib_b"]
        assert plan.span_types.created == ["ARMED_GROUP", "DESIGNATION", "CASUALTY_FIGURE"]
        # overlap 1: every segment goes to both
        assert plan.assigned_per_annotator() == {"lib_a": len(plan.rows), "lib_b": len(plan.rows)}
        assert ws.project_name not in {p.name for p in client.projects()}
        report = apply_push(client, ws, plan)
        assert report.uploaded == len(plan.rows) == report.to_upload
        assert set(report.annotators_created) == {"lib_a", "lib_b"}
        assert report.span_types_created == plan.span_types.created
        assert client.count_examples(report.project.id) == len(plan.rows)
