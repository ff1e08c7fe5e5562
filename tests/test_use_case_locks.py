"""Use cases that write shared workspace state take the workspace lock themselves (issue 31,
item 2), so a library caller (the demo, a notebook) is as safe as the CLI: another process
holding the lock makes them wait, or fail at once with ``lock_wait=0``, changing nothing."""

from __future__ import annotations

import pytest

from _concurrency import Holder
from conftest import DEMO_ARTICLES, prepare_demo_gold, snapshot_tree
from nerwb.corpus.add import AddOptions, add_to_corpus
from nerwb.corpus.splits import split_workspace
from nerwb.errors import ErrorKind, WorkspaceBusyError
from nerwb.labels.docbin import convert_workspace
from nerwb.labels.merge import MergeOptions, Strategy, merge_workspace
from nerwb.labels.policies import ConvertOptions
from nerwb.lock import WAIT_STAGE, writes_workspace
from nerwb.progress import ProgressEvent


@pytest.mark.parametrize(
    "use_case",
    [
        lambda ws, **lock: split_workspace(ws, **lock),
        lambda ws, **lock: merge_workspace(ws, MergeOptions(Strategy.MAJORITY), **lock),
        lambda ws, **lock: convert_workspace(
            ws, ConvertOptions(lock_wait=lock["lock_wait"]), on_progress=lock["on_lock_wait"]
        ),
        lambda ws, **lock: add_to_corpus(
            ws,
            AddOptions((DEMO_ARTICLES,), lock_wait=lock["lock_wait"]),
            on_progress=lock["on_lock_wait"],
        ),
    ],
    ids=["split", "merge", "convert", "corpus-add"],
)
def test_a_use_case_refuses_while_another_process_writes(ws, use_case) -> None:
    prepare_demo_gold(ws)
    before = snapshot_tree(ws.root)
    heard: list[ProgressEvent] = []
    holder = Holder(ws.root)
    try:
        with pytest.raises(WorkspaceBusyError) as busy:
            use_case(ws, lock_wait=0, on_lock_wait=heard.append)
        assert busy.value.kind is ErrorKind.WORKSPACE_BUSY
        assert "holder test" in str(busy.value)  # who holds it
        with pytest.raises(WorkspaceBusyError) as waited:
            use_case(ws, lock_wait=0.3, on_lock_wait=heard.append)
        assert waited.value.kind is ErrorKind.WORKSPACE_BUSY_TOO_LONG
        assert [e.stage for e in heard] == [WAIT_STAGE] and heard[0].limit_s == 0.3
    finally:
        holder.release()
    assert {k: v for k, v in snapshot_tree(ws.root).items() if "lock" not in k} == {
        k: v for k, v in before.items() if "lock" not in k
    }
    use_case(ws, lock_wait=0, on_lock_wait=heard.append)  # free again: it runs


def test_the_marker_finds_the_workspace_by_name(ws) -> None:
    calls = []

    @writes_workspace("probe")
    def probe(client: object, ws, *, flag: bool = False) -> str:
        calls.append((client, flag))
        return "done"

    assert probe("c", ws, flag=True, lock_wait=0) == "done"
    assert probe("c", ws=ws) == "done" and calls == [("c", True), ("c", False)]
