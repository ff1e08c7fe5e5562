"""Who holds the workspace lock: ``.nerwb/workspace.lock.json``, written by ``nerwb.lock`` while
a command holds the lock and read by a second writer to say whom it waits for."""

from __future__ import annotations

from nerwb.records._base import Record


class LockHolder(Record):
    WHAT = "lock holder note"

    command: str
    pid: int
    host: str
    since: str  # ISO time, UTC

    def describe(self) -> str:
        return f"`nerwb {self.command}` (pid {self.pid} on {self.host}, since {self.since})"
