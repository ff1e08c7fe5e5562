"""The ids a predict run has read, on disk: the driver's memory stays flat however many articles.

A run must know, for every article, whether its id was read before (the same text: predicted
once; another text: a bad record) and whether an interrupted run already predicted it. Held in
Python sets and dicts, that is about 150 bytes an article (16 GB for 10M articles, issue 27);
held here, in an SQLite file with a bounded page cache, it is a few MB whatever the count.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

CACHE_KIB = 8 * 1024  # SQLite's page cache: what this book may hold in memory
_COMMIT_EVERY = 10_000  # rows per transaction: fast inserts, bounded journal


def text_digest(text: str) -> bytes:
    """What is kept of a text: 16 bytes of its sha256 (enough to tell two texts apart)."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


class IdBook:
    """Ids read so far (with their text's digest and where they were first read), and the ids
    done by an earlier run. ``path`` is replaced: a book lives for one read of the inputs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        for leftover in (path, path.with_name(path.name + "-journal")):
            leftover.unlink(missing_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")  # a book is rebuilt, never recovered
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self._db.execute("CREATE TABLE read (id TEXT PRIMARY KEY, digest BLOB, origin TEXT)")
        self._db.execute("CREATE TABLE done (id TEXT PRIMARY KEY)")
        self._db.execute("BEGIN")
        self._pending = 0

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._pending = 0

    def add_done(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            self._db.execute("INSERT OR IGNORE INTO done VALUES (?)", (article_id,))
            self._tick()

    def is_done(self, article_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM done WHERE id = ?", (article_id,)).fetchone()
        return found is not None

    def first_read(self, article_id: str, digest: bytes, origin: str) -> tuple[bytes, str] | None:
        """``None`` the first time ``article_id`` is read (and it is recorded); after that, the
        digest and origin of its first reading."""
        found = self._db.execute(
            "SELECT digest, origin FROM read WHERE id = ?", (article_id,)
        ).fetchone()
        if found is not None:
            return bytes(found[0]), str(found[1])
        self._db.execute("INSERT INTO read VALUES (?, ?, ?)", (article_id, digest, origin))
        self._tick()
        return None

    def close(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._db.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> IdBook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
