"""`doccano push --repair` keeps a copy that holds an annotator's comment (issue 30.6): against a
real Doccano server on 127.0.0.1."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import annotator_login
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project

pytestmark = pytest.mark.doccano


def test_repair_keeps_the_copy_an_annotator_commented_on(doccano_ws, cli) -> None:
    ws = doccano_ws
    pushed = cli("doccano", "push", "--annotators", "rep_c", "--overlap", "0", "-w", ws.root)
    assert pushed.exit_code == 0, pushed.stderr
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = sorted(admin.examples(project.id), key=lambda e: e.id)
        commented, idle = examples[0], examples[1]
        # what a second push racing the first leaves behind: the same rows again
        copy_commented = admin.create_example(project.id, commented.text or "", commented.meta)
        copy_idle = admin.create_example(project.id, idle.text or "", dict(idle.meta))
    with annotator_login(ws, "rep_c") as annotator:
        # no span, no confirmation: only a question for the editor, on the later copy
        annotator._post(
            f"/v1/projects/{project.id}/comments",
            {"text": "Is 'the Brigade' the same group as in paragraph 2?"},
            params={"example": copy_commented.id},
        )

    repaired = cli("doccano", "push", "--repair", "-w", ws.root)
    assert repaired.exit_code == 0, repaired.stderr
    assert "2 segment(s) were on the server more than once" in " ".join(repaired.stdout.split())
    with connect(ws) as admin:
        left = {e.id: e for e in admin.examples(project.id)}
        assert copy_commented.id in left, "the commented copy was deleted"
        listed = admin._get(f"/v1/projects/{project.id}/comments", example=copy_commented.id)
    comments = listed["results"] if isinstance(listed, dict) else listed
    assert [c["text"] for c in comments] == ["Is 'the Brigade' the same group as in paragraph 2?"]
    # one copy of each segment stays; the uncommented copies went
    counts = Counter(e.meta["segment_id"] for e in left.values())
    assert counts[commented.meta["segment_id"]] == counts[idle.meta["segment_id"]] == 1
    assert commented.id not in left and copy_idle.id not in left
