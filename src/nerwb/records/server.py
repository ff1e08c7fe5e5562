"""The workspace's local Doccano server in ``.nerwb/doccano/``: its state (settings and the
processes nerwb started, ``server.json``) and its admin credentials (``credentials.json``).

Both hold secrets (Django's secret key; the admin's and the PostgreSQL cluster's passwords), so
both are only ever written 0600.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nerwb.records._base import Record

SECRET_MODE = 0o600


class ServerProcess(BaseModel):
    """One program nerwb started for the server (the web server, the task worker).

    Each starts in a session of its own, so its process group (and session) id is its pid, and
    every process it forks (gunicorn's workers, celery's) shares that group. ``started`` tells
    the process from another one that later got the same pid.
    """

    model_config = ConfigDict(extra="forbid")

    pid: int
    group: int  # process group and session id: the pid, as it led a new session
    started: int | None = None  # start time, clock ticks after boot (/proc/PID/stat, field 22)


class ServerState(Record):
    """``server.json``: the port, database, worker count and Django secret key the server runs
    with, and the processes of the last ``up``.

    Format 1, the file before records, is the same layout without ``processes`` (its pids were
    in ``web.pid`` and ``worker.pid``, still read by the server manager).
    """

    MODE = SECRET_MODE
    WHAT = "Doccano server state"

    secret_key: str | None = None
    port: int | None = None
    database: str = "sqlite"  # a nerwb.workspace.DoccanoDatabase value
    workers: int | None = None
    external_database: str | None = None  # host:port/name of DOCCANO_DATABASE_URL, no password
    postgres_port: int | None = None  # the workspace cluster's
    processes: dict[str, ServerProcess] = Field(default_factory=dict)  # "web", "worker"


class Credentials(Record):
    """``credentials.json``: how to log in to the local server as its admin (and the workspace
    PostgreSQL cluster's password, once it has one)."""

    MODE = SECRET_MODE
    WHAT = "Doccano credentials"

    url: str
    username: str
    password: str
    database_password: str = ""

    def __repr__(self) -> str:  # never a password in a log or a traceback
        return f"Credentials(url={self.url!r}, username={self.username!r})"

    __str__ = __repr__
