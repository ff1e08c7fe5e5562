"""The local server's SQLite database runs in write-ahead-log mode (issue 34, item 2): commits
append to one log instead of syncing a journal and the database, and a pull reads while
annotators write. Checked on the session's real server, started by nerwb's own ``up``."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

pytestmark = pytest.mark.doccano


def test_up_puts_the_sqlite_database_in_wal_mode(doccano_server) -> None:
    with contextlib.closing(
        sqlite3.connect(f"file:{doccano_server.sqlite_path}?mode=ro", uri=True)
    ) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
