"""Two pushes or two suggests at once, and segments the server holds twice: against a real
Doccano server on 127.0.0.1."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from _concurrency import run_two_at_once
from conftest import annotator_login, snapshot_tree
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.labels.annotations import LabeledSpan
from nerwb.labels.snapshots import latest_snapshot, load_snapshot
from nerwb.records.pull import PullManifest, manifest_path

pytestmark = pytest.mark.doccano


def segment_counts(ws) -> Counter:
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        return Counter(e.meta["segment_id"] for e in admin.examples(project.id))


def test_two_pushes_at_once_upload_each_segment_once(doccano_ws, tmp_path) -> None:
    ws = doccano_ws
    push = ["doccano", "push", "--annotators", "race_a", "--overlap", "0", "-w", ws.root]
    (first_out, _), (second_out, _) = run_two_at_once(ws, tmp_path, [push, push])
    counts = segment_counts(ws)
    assert counts and max(counts.values()) == 1  # before the lock: every segment twice
    uploaded = sorted("uploaded 0 " in out for out in (first_out, second_out))
    assert uploaded == [False, True], (first_out, second_out)


def test_two_suggests_at_once_both_succeed(doccano_ws, tmp_path, cli) -> None:
    ws = doccano_ws
    assert (
        cli("doccano", "push", "--annotators", "race_sg", "--overlap", "0", "-w", ws.root).exit_code
        == 0
    )
    patterns = tmp_path / "patterns.jsonl"
    names = ["Lions Brigade", "Desert Hawks", "Kata'ib Hezbollah", "IRGC"]
    patterns.write_text(
        "".join(json.dumps({"label": "ARMED_GROUP", "pattern": n}) + "\n" for n in names)
    )
    suggest = ["doccano", "suggest", "--patterns", patterns, "-w", ws.root]
    outs = run_two_at_once(ws, tmp_path, [suggest, suggest])
    assert not any("overlapping is not allowed" in err for _, err in outs)
    found = [
        re.search(r"(\d+) span\(s\) on (\d+) .* already suggested (\d+)", out) for out, _ in outs
    ]
    assert all(found), outs
    spans, pairs, already = zip(*((int(x) for x in m.groups()) for m in found), strict=True)
    # one of them suggested; the other found every pair done and added nothing
    assert sorted(spans)[0] == 0 and sorted(spans)[1] > 0
    assert max(already) == max(pairs) > 0


def test_duplicated_segment_pull_takes_the_confirmed_copy_push_reports_repair_removes(
    doccano_ws, cli
) -> None:
    ws = doccano_ws
    assert (
        cli("doccano", "push", "--annotators", "dup_a", "--overlap", "0", "-w", ws.root).exit_code
        == 0
    )
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = sorted(admin.examples(project.id), key=lambda e: e.id)
        worked, idle = examples[0], examples[1]
        # what a second push racing the first leaves behind: the same rows again
        copy_worked = admin.create_example(project.id, worked.text or "", dict(worked.meta))
        copy_idle = admin.create_example(project.id, idle.text or "", dict(idle.meta))
        label = admin.span_types(project.id)[0]
    text = worked.text or ""
    start = worked.meta["segment_start"]
    with annotator_login(ws, "dup_a") as alice:
        # confirmed work on the first copy; a different, unconfirmed span on the later copy
        alice.create_span(project.id, worked.id, label.id, 0, 4)
        alice.confirm(project.id, worked.id)
        alice.create_span(project.id, copy_worked.id, label.id, 5, 9)

    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "2 segment(s) are on the server more than once" in result.stdout
    unit = load_snapshot(latest_snapshot(ws.pulls_dir))["dup_a"][worked.meta["segment_id"]]
    assert unit.confirmed and unit.example_id == worked.id
    assert unit.spans == [LabeledSpan(start, start + 4, label.text)]
    manifest = PullManifest.load(manifest_path(latest_snapshot(ws.pulls_dir)))
    assert manifest.duplicate_segments[worked.meta["segment_id"]] == [worked.id, copy_worked.id]
    assert text  # the segment had text to label

    pushed = cli("doccano", "push", "-w", ws.root)
    assert pushed.exit_code == 0, pushed.stderr
    assert "2 segment(s) are on the server more than once" in pushed.stdout
    assert "uploaded 0" in pushed.stdout

    # both copies confirmed with different spans: pull refuses and writes nothing
    with annotator_login(ws, "dup_a") as alice:
        alice.confirm(project.id, copy_worked.id)
    before = snapshot_tree(ws.root)
    refused = cli("doccano", "pull", "-w", ws.root)
    assert refused.exit_code == 1
    assert "dup_a confirmed both with different spans" in refused.stderr
    assert snapshot_tree(ws.root) == before

    repaired = cli("doccano", "push", "--repair", "-w", ws.root)
    assert repaired.exit_code == 0, repaired.stderr
    assert "removed 1 copy(ies) nobody labelled, commented on or confirmed" in " ".join(
        repaired.stdout.split()
    )
    counts = segment_counts(ws)
    assert counts[idle.meta["segment_id"]] == 1
    assert counts[worked.meta["segment_id"]] == 2  # both copies hold work: kept
    with connect(ws) as admin:
        left = {e.id for e in admin.examples(project.id)}
    assert idle.id in left and copy_idle.id not in left
