"""The workspace's local Doccano server in ``.nerwb/doccano/``: its state (settings and the
processes nerwb started, ``server.json``), only ever written 0600 as it holds Django's secret
key. Its admin credentials are ``credentials.Credentials``.
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
