"""The workspace lock: one writer of shared workspace state at a time.

Commands that write what several people or jobs share (the corpus, splits, imports, gold, the
DocBins, the push ledger, the Doccano project, training's run folders) hold an advisory lock,
``.nerwb/workspace.lock``, while they read-modify-write it. A second writer waits a bounded time,
then gives up with a message naming the holder; readers (stats, evaluate, predict) never take it.

The lock is an OS file lock (``flock`` through ``filelock``): the OS drops it when its process
dies, however it dies, so a stale lock is never left behind. Beside it, ``workspace.lock.json``
says who holds it (command, pid, host, since); a dead holder's file is simply overwritten.
"""

from __future__ import annotations

import functools
import inspect
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from nerwb.errors import ErrorKind, NerwbError, WorkspaceBusyError, WorkspaceError
from nerwb.progress import OnProgress, ProgressEvent, emit

if TYPE_CHECKING:  # annotations only: the CLI's error hints import this module at start-up
    from nerwb.records.lock import LockHolder
    from nerwb.workspace import Workspace

WAIT_ENV = "NERWB_LOCK_WAIT"
# Long enough for another command's import, pull or push to finish; short enough that a cron
# job stuck behind a forgotten session gives up the same hour.
DEFAULT_WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.2


# The stage of the one event a second writer reports before it waits: ``item`` is who holds
# the lock (None: not known yet), ``limit_s`` how long it waits at most.
WAIT_STAGE = "Waiting for the workspace lock"


def read_holder(ws: Workspace) -> LockHolder | None:
    """Who holds (or last held) the lock; None where the note is missing or unreadable (it is
    advice for the user, never a reason to fail)."""
    from nerwb.records.lock import LockHolder  # pydantic: only when a second writer waits

    try:
        return LockHolder.load(ws.lock_holder_path)
    except (NerwbError, OSError):
        return None


def default_wait() -> float:
    """Seconds a second writer waits: ``$NERWB_LOCK_WAIT`` or ``DEFAULT_WAIT_SECONDS``.

    Raises:
        WorkspaceError: the variable is set but not a number of seconds >= 0.
    """
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also NaN
        raise WorkspaceError(f"{WAIT_ENV}={raw!r}: must be a number of seconds, 0 or more")
    return value


# Re-entrant within a process: a command that holds the lock may call library code that takes
# it again (push --suggest, train's two short holds inside a locked caller).
_held: dict[Path, int] = {}
_held_guard = threading.Lock()


@contextmanager
def workspace_lock(
    ws: Workspace,
    command: str,
    *,
    wait: float | None = None,
    on_wait: OnProgress | None = None,
) -> Iterator[None]:
    """Hold the workspace lock for the ``with`` block.

    Args:
        command: What this process does, as the user typed it (``"corpus add"``); shown to a
            second writer.
        wait: Seconds to wait when another process holds it (None: ``default_wait()``;
            0: fail at once).
        on_wait: Hears once, before waiting, who holds the lock and how long we will wait.

    Raises:
        WorkspaceBusyError: another process holds the lock and did not let go within ``wait``.
    """
    path = ws.lock_path.resolve()
    with _held_guard:
        nested = path in _held
        if nested:
            _held[path] += 1
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[path] -= 1
        return

    # here, not at the top: the CLI's advice names WAIT_ENV, and every command imports that
    from filelock import FileLock, Timeout

    seconds = default_wait() if wait is None else max(0.0, wait)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = read_holder(ws)
        who = holder.describe() if holder else "another nerwb command"
        if seconds <= 0:
            raise WorkspaceBusyError(
                f"{ws.root} is being written by {who}; not waiting",
                kind=ErrorKind.WORKSPACE_BUSY,
                path=ws.root,
            ) from None
        held_by = holder.describe() if holder else None
        emit(on_wait, ProgressEvent(WAIT_STAGE, 0, None, "s", item=held_by, limit_s=seconds))
        try:
            lock.acquire(timeout=seconds, poll_interval=_POLL_SECONDS)
        except Timeout:
            holder = read_holder(ws) or holder
            who = holder.describe() if holder else "another nerwb command"
            raise WorkspaceBusyError(
                f"{ws.root} is still being written by {who} after waiting {seconds:g} s; "
                "nothing was changed",
                kind=ErrorKind.WORKSPACE_BUSY_TOO_LONG,
                path=ws.root,
            ) from None
    try:
        from nerwb.records.lock import LockHolder

        # The lock is ours now; a holder file left by a dead process is simply replaced.
        me = LockHolder(
            command=command,
            pid=os.getpid(),
            host=socket.gethostname(),
            since=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        me.save(ws.lock_holder_path)
        with _held_guard:
            _held[path] = 1
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(path, None)
            # removed while still held: after release it may already be the next holder's
            ws.lock_holder_path.unlink(missing_ok=True)
    finally:
        lock.release()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def writes_workspace(command: str) -> Callable[[Callable[_P, _R]], Callable[..., _R]]:
    """Marks a use case that writes shared workspace state: it runs under the workspace lock,
    held for ``command`` (what a second writer is told), on its argument named ``ws``.

    The use case gains two keywords: ``lock_wait``, the seconds to wait while another process
    writes (None: ``default_wait()``; 0: fail at once), and ``on_lock_wait``, which hears once,
    before waiting, who holds the lock (a ``ProgressEvent`` of ``WAIT_STAGE``).

    Raises (the use case):
        WorkspaceBusyError: another process held the lock past ``lock_wait``.
    """

    def decorate(use_case: Callable[_P, _R]) -> Callable[..., _R]:
        signature = inspect.signature(use_case)

        @functools.wraps(use_case)
        def locked(
            *args: Any,
            lock_wait: float | None = None,
            on_lock_wait: OnProgress | None = None,
            **kwargs: Any,
        ) -> _R:
            ws = signature.bind_partial(*args, **kwargs).arguments["ws"]
            with workspace_lock(ws, command, wait=lock_wait, on_wait=on_lock_wait):
                return use_case(*args, **kwargs)

        return locked

    return decorate
