"""`doccano push` checks every option before it changes the server (issue 30.7): a refused push
creates no account, adds no member and saves no password. Against a real Doccano server."""

from __future__ import annotations

import pytest

from conftest import snapshot_tree
from nerwb.doccano.connection import connect
from nerwb.doccano.push import PushOptions
from nerwb.errors import ErrorKind, NerwbError

pytestmark = pytest.mark.doccano


def _usernames(ws) -> set[str]:
    with connect(ws) as admin:
        return {u.username for u in admin.users()}


def test_push_refuses_a_bad_overlap_before_making_the_account(doccano_ws, cli) -> None:
    ws = doccano_ws
    before = snapshot_tree(ws.root)
    result = cli(
        "doccano", "push", "--overlap", "1.5", "--annotators", "chk_x2", "-w", ws.root
    )  # fmt: skip
    assert result.exit_code == 1
    assert "chk_x2" not in _usernames(ws)
    assert "--overlap 1.5: give a share of segments between 0 and 1" in result.stderr
    assert not ws.annotator_passwords_path.exists()
    assert snapshot_tree(ws.root) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"splits": ["train"], "overlap": 1.5},
            "overlap 1.5: give a share of segments between 0 and 1",
        ),
        ({"splits": ["tran"], "overlap": 0.2}, "unknown split 'tran'"),
    ],
)
def test_push_options_are_checked_when_made(doccano_ws, options, message) -> None:
    ws = doccano_ws
    name = f"chk_{options['splits'][0]}"
    before = snapshot_tree(ws.root)
    with pytest.raises(NerwbError) as refused:
        PushOptions(annotators=[name], **options)
    assert refused.value.kind is ErrorKind.BAD_SETTING
    assert name not in _usernames(ws)
    assert snapshot_tree(ws.root) == before
    assert message in str(refused.value)
