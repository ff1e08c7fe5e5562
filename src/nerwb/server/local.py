"""The embedded local Doccano server: install once, start bound to 127.0.0.1, stop by pid.

Doccano 1.8.4 lives in its own virtual environment (it needs numpy < 2 and marshmallow < 4,
which cannot sit beside spaCy). Its web app runs under gunicorn bound to loopback (Doccano's own
``webserver`` command binds 0.0.0.0), and its import/export worker is ``doccano task`` (celery on
the SQLite broker), without which imports and exports never finish.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nerwb.choices import DoccanoDatabase
from nerwb.doccano.errors import DoccanoError
from nerwb.errors import SETTING, ErrorKind, bad_setting
from nerwb.io import atomic_write_text
from nerwb.progress import OnProgress, Steps
from nerwb.records.credentials import Credentials
from nerwb.records.server import ServerProcess, ServerState
from nerwb.server import postgres
from nerwb.workspace import DOCCANO_CREDENTIALS, Workspace

__all__ = ["Credentials", "LocalServer", "ServerStatus", "free_port", "port_is_free"]

DOCCANO_VERSION = "1.8.4"
DOCCANO_PINS = (f"doccano=={DOCCANO_VERSION}", "numpy<2", "marshmallow<4")
# Doccano's `postgresql` extra, added to the venv only when a workspace first runs on PostgreSQL.
POSTGRES_DRIVER = "psycopg2-binary==2.9.13"
DATABASE_URL_ENV = "DOCCANO_DATABASE_URL"  # an existing PostgreSQL server instead of our own
VENV_ENV = "NERWB_DOCCANO_VENV"
HOST = "127.0.0.1"
MIN_PORT, MAX_PORT = 1, 65535  # 0 would mean "any free port" to bind(), not a port to remember
ADMIN = "admin"
HEALTH_TIMEOUT_S = 180.0  # cold start measured at ~20 s; slow CI machines get headroom
WORKER_RESTARTS = 2  # a worker that lost the start-up race for the broker table restarts
STOP_TIMEOUT_S = 25.0  # the celery worker takes up to ~15 s to stop on SIGTERM
INSTALL_WAIT_S = 1800  # for another process's install (~90 s; far longer on a slow network)
INSTALL_LOG_LINES = 12  # of pip's output, quoted when an install fails
SECRET_MODE = 0o600
# the stages of the set-up steps the server reports (nerwb.progress.Steps)
UP_STAGE = "Starting Doccano"
INSTALL_STAGE = "Installing Doccano"
DATABASE_STAGE = "Starting PostgreSQL"

# Runs inside Doccano's venv: migrations, roles, then the admin user, with the password read
# from the environment so that it never appears in a process list.
_SETUP_SCRIPT = """
import os, sys
sys.path.insert(0, os.environ["NERWB_BACKEND"])
import django
django.setup()
from django.core import management
if os.environ.get("NERWB_MIGRATE") == "1":
    management.call_command("migrate", verbosity=0)
    management.call_command("create_roles")
if os.environ.get("NERWB_ADMIN_PASSWORD"):
    from django.contrib.auth import get_user_model
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=os.environ["NERWB_ADMIN_USER"])
    user.is_superuser = user.is_staff = True
    user.set_password(os.environ["NERWB_ADMIN_PASSWORD"])
    user.save()
"""

# Runs inside Doccano's venv against the cluster's maintenance database: makes Doccano's
# database (NERWB_PG_RECREATE=1: drops it first; only `migrate` asks, for a database that is
# not the workspace's live one).
_CREATE_DB_SCRIPT = """
import os, sys, psycopg2
from psycopg2 import sql
conn = psycopg2.connect(os.environ["NERWB_PG_MAINTENANCE_URL"])
conn.autocommit = True
name = os.environ["NERWB_PG_DATABASE"]
cur = conn.cursor()
cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
exists = cur.fetchone() is not None
if exists and os.environ.get("NERWB_PG_RECREATE") == "1":
    cur.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
    exists = False
if not exists:
    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
"""


def default_workers() -> int:
    """Gunicorn's own advice, 2 x cores + 1: a sync worker waits on the database half the time."""
    return 2 * (os.cpu_count() or 1) + 1


def default_venv() -> Path:
    """Where Doccano is installed: ``$NERWB_DOCCANO_VENV``, else a per-user cache folder."""
    if os.environ.get(VENV_ENV):
        return Path(os.environ[VENV_ENV]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "nerwb" / f"doccano-{DOCCANO_VERSION}"


@dataclass
class ServerStatus:
    url: str
    web_pid: int | None
    worker_pid: int | None
    healthy: bool
    home: Path
    database: DoccanoDatabase = DoccanoDatabase.SQLITE
    database_where: str = ""  # the file, or host:port/name (never a password)
    database_pid: int | None = None  # the workspace cluster's postmaster
    workers: int | None = None
    # role -> pids of processes nerwb started (a dead web server's gunicorn workers) that still
    # run after their main process died: they may keep the port
    left_behind: dict[str, list[int]] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.web_pid is not None and self.worker_pid is not None


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # reaps our own children that have exited
        if finished == pid:
            return False
    except ChildProcessError:
        pass  # not our child: ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
        return state != "Z"
    except (OSError, IndexError):
        return True


ROLES = ("web", "worker")
PROC = Path("/proc")


def _stat(pid: int) -> list[str] | None:
    """Fields 3 on of ``/proc/PID/stat`` (state, ppid, pgrp, session, ...), or None."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (OSError, ValueError):
        return None
    return text.rsplit(") ", 1)[-1].split()  # the command name may hold spaces or ")"


def _start_ticks(pid: int) -> int | None:
    """When the process started, in clock ticks after boot; None where /proc cannot say."""
    fields = _stat(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def _is_running(process: ServerProcess) -> bool:
    """Whether the process nerwb started still runs (not another one that got its pid since)."""
    if not _alive(process.pid):
        return False
    started = _start_ticks(process.pid)
    return process.started is None or started is None or started == process.started


def _others_in_group(process: ServerProcess) -> list[int]:
    """The live processes of ``process``'s group other than itself: what it forked (gunicorn's
    workers), found even after it died (then they are left behind, and may keep the port).

    Only processes nerwb started can be among them: each has the group's session id, which
    only a process that led a new session with that pid could hand down, and started no
    earlier than the one nerwb recorded. A group id taken by another program since (its leader
    got the pid back after all of ours had gone) is told by its leader's start time.
    """
    if not PROC.is_dir():  # no /proc: what a plain signal to the group can tell
        try:
            os.killpg(process.group, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [] if _alive(process.pid) else [process.group]
    leader = _stat(process.group)
    if leader is not None and process.started is not None and int(leader[19]) != process.started:
        return []  # another program's group now
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == process.pid:
            continue
        fields = _stat(int(entry.name))
        if (
            fields is not None
            and fields[0] != "Z"
            and int(fields[2]) == process.group
            and int(fields[3]) == process.group
            and (process.started is None or int(fields[19]) >= process.started)
        ):
            found.append(int(entry.name))
    return sorted(found)


def _signal_all(process: ServerProcess, signum: int) -> None:
    """``signum`` to the process and to what it left behind, each by pid: never to a group
    that another program may have by now."""
    targets = _others_in_group(process) + ([process.pid] if _is_running(process) else [])
    for pid in targets:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _stopped(process: ServerProcess) -> bool:
    return not _is_running(process) and not _others_in_group(process)


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """One workspace's Doccano server; its state lives in ``home`` (``.nerwb/doccano/``)."""

    def __init__(
        self,
        home: Path,
        *,
        venv: Path | None = None,
        default_port: int = 8000,
        default_database: DoccanoDatabase | None = None,
    ):
        self.home = Path(home)
        self.venv = venv or default_venv()
        self.default_port = default_port  # nerwb.toml's [doccano] port
        self.default_database = default_database  # nerwb.toml's [doccano] database
        self.cluster = postgres.Cluster(self.home / "postgres")

    # ---------------------------------------------------------------- paths
    @property
    def credentials_path(self) -> Path:
        return self.home / DOCCANO_CREDENTIALS

    @property
    def annotators_path(self) -> Path:
        return self.home / "annotators.json"

    @property
    def state_path(self) -> Path:
        """``server.json``: the ``ServerState`` record (0600: it holds Django's secret key)."""
        return self.home / "server.json"

    def _legacy_pid_path(self, role: str) -> Path:
        # where nerwb before the server state record kept each process's pid
        return self.home / f"{role}.pid"

    def log_path(self, role: str) -> Path:
        return self.home / "logs" / f"{role}.log"

    @property
    def _python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def _backend(self) -> Path:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        candidates = sorted((self.venv / "lib").glob("python3*/site-packages/backend"))
        return (
            candidates[0]
            if candidates
            else self.venv / "lib" / version / "site-packages" / "backend"
        )

    @property
    def sqlite_path(self) -> Path:
        return self.home / "db.sqlite3"

    @property
    def _template_db(self) -> Path:
        # A migrated, empty database kept beside the install: copying it saves ~13 s per new home.
        return self.venv / "nerwb-template-db.sqlite3"

    # ---------------------------------------------------------------- install
    @property
    def _install_stamp(self) -> Path:
        return self.venv / "nerwb-installed.txt"

    def is_installed(self) -> bool:
        return self._install_stamp.exists() and (self.venv / "bin" / "gunicorn").exists()

    @property
    def install_lock_path(self) -> Path:
        """Beside the venv: held by the one process that installs into it (venvs are shared by
        every workspace of the user, so two `doccano up` in two workspaces may meet here)."""
        return self.venv.with_name(self.venv.name + ".lock")

    @property
    def install_log_path(self) -> Path:
        """Beside the venv (which an install removes first): pip's whole output."""
        return self.venv.with_name(self.venv.name + "-install.log")

    @contextlib.contextmanager
    def _install_lock(self, step: Steps) -> Iterator[None]:
        """The venv to this process alone; another process installing into it is waited for.

        Raises:
            DoccanoError: the other process held it for more than ``INSTALL_WAIT_S``.
        """
        from filelock import FileLock, Timeout  # only when something is to be installed

        self.venv.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.install_lock_path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            step(
                f"Waiting for another nerwb to finish installing into {self.venv} "
                f"(lock {self.install_lock_path})"
            )
            try:
                lock.acquire(timeout=INSTALL_WAIT_S)
            except Timeout:
                raise DoccanoError(
                    f"another process has been installing into {self.venv} for over "
                    f"{INSTALL_WAIT_S // 60} minutes (lock {self.install_lock_path}); see "
                    f"{self.install_log_path}",
                    path=self.install_log_path,
                ) from None
        try:
            yield
        finally:
            lock.release()

    def ensure_postgres_driver(self, on_progress: OnProgress | None = None) -> None:
        """Add psycopg2 to Doccano's venv when it lacks it (one wheel; nothing is removed)."""
        step = Steps(on_progress, INSTALL_STAGE)
        if self._has_postgres_driver():
            return
        with self._install_lock(step):
            if self._has_postgres_driver():  # another process added it while this one waited
                return
            step(f"Installing {POSTGRES_DRIVER} into Doccano's venv")
            self._run_logged(
                [str(self._python), "-m", "pip", "install", "--progress-bar", "off",
                 POSTGRES_DRIVER],
                "installing PostgreSQL's driver for Doccano",
                fresh_log=False,
            )  # fmt: skip

    def _has_postgres_driver(self) -> bool:
        probe = subprocess.run(
            [str(self._python), "-c", "import psycopg2"], capture_output=True, check=False
        )
        return probe.returncode == 0

    def install(self, on_progress: OnProgress | None = None) -> None:
        """Create Doccano's venv and install the pinned server into it (~90 s, ~700 MB, once).

        One process at a time (a lock beside the venv): another one waits, then finds it
        installed and installs nothing. The stamp file is written last, so an interrupted
        install is redone from scratch. pip's output goes to ``install_log_path``.

        Raises:
            DoccanoError: venv or pip failed (the log and its last lines named), or another
                process held the install lock too long.
        """
        step = Steps(on_progress, INSTALL_STAGE)
        with self._install_lock(step):
            if self.is_installed():
                step(f"Doccano is installed in {self.venv} (by another nerwb meanwhile)")
                return
            step(f"Creating Doccano's virtual environment in {self.venv}")
            shutil.rmtree(self.venv, ignore_errors=True)
            self._run_logged(
                [sys.executable, "-m", "venv", str(self.venv)],
                "creating Doccano's venv",
                fresh_log=True,
            )
            step(f"Installing {', '.join(DOCCANO_PINS)} (about 90 s the first time)")
            self._run_logged(
                [str(self._python), "-m", "pip", "install", "--progress-bar", "off",
                 *DOCCANO_PINS],
                "installing Doccano",
                fresh_log=False,
            )  # fmt: skip
            atomic_write_text(self._install_stamp, " ".join(DOCCANO_PINS) + "\n")

    def _run_logged(self, argv: list[str], what: str, *, fresh_log: bool) -> None:
        """Run an install step with its whole output in ``install_log_path``.

        Raises:
            DoccanoError: it failed; names the log and quotes its last lines (pip's own
                "see above" then has something above it).
        """
        log_path = self.install_log_path
        with open(log_path, "w" if fresh_log else "a", encoding="utf-8") as log:
            log.write(f"$ {' '.join(argv)}\n")
            log.flush()
            start = log.tell()
            result = subprocess.run(
                argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
            )
        if result.returncode == 0:
            return
        with open(log_path, encoding="utf-8", errors="replace") as log:
            log.seek(start)
            lines = [line.rstrip() for line in log if line.strip()]
        tail = "\n".join(f"  {line}" for line in lines[-INSTALL_LOG_LINES:])
        raise DoccanoError(
            f"{what} failed (exit {result.returncode}); the whole output is in {log_path}, "
            f"ending:\n{tail}",
            kind=ErrorKind.INSTALL_FAILED,
            path=log_path,
        )

    @staticmethod
    def _run(argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
        result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-8:]
            raise DoccanoError(f"{what} failed (exit {result.returncode}): " + " / ".join(tail))

    # ---------------------------------------------------------------- settings and environment
    def _state(self) -> ServerState:
        """The server's state; an empty one before the first ``up``.

        Raises:
            InputError: ``server.json`` is corrupt or foreign (named; left as it is).
        """
        return ServerState.load_or_new(self.state_path)

    def remembered_port(self) -> int | None:
        """The port this workspace's server runs on, or last ran on."""
        return self._state().port

    def url(self, port: int | None = None) -> str:
        return f"http://{HOST}:{port or self.remembered_port() or self.default_port}"

    def database(self) -> DoccanoDatabase:
        """The database this workspace's server uses (or last used)."""
        return DoccanoDatabase(self._state().database)

    def database_url(self, database: DoccanoDatabase) -> str:
        """Doccano's DATABASE_URL for ``database`` (holds a password: never print it)."""
        if database is DoccanoDatabase.SQLITE:
            return f"sqlite:///{self.sqlite_path}"
        if database is DoccanoDatabase.EXTERNAL:
            url = os.environ.get(DATABASE_URL_ENV, "")
            if not url:
                raise DoccanoError(
                    f"this workspace's Doccano uses an existing PostgreSQL server: set "
                    f"{DATABASE_URL_ENV} (postgres://USER:PASSWORD@HOST:PORT/NAME?sslmode=...)"
                )
            return url
        credentials = Credentials.load(self.credentials_path)
        port = self._state().postgres_port
        if not credentials.database_password or not port:
            raise DoccanoError(
                f"the workspace's PostgreSQL cluster has no password or port in "
                f"{self.credentials_path} / {self.state_path}",
                kind=ErrorKind.NO_POSTGRES_SETTINGS,
                path=self.credentials_path,
            )
        return postgres.url_for(credentials.database_password, port)

    def _env(self, state: ServerState, database_url: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCCANO_", "NERWB_"))}
        env.update(
            DOCCANO_HOME=str(self.home),
            DATABASE_URL=database_url or f"sqlite:///{self.sqlite_path}",
            MEDIA_ROOT=str(self.home / "media"),
            DJANGO_SETTINGS_MODULE="config.settings.production",
            STANDALONE="True",
            DEBUG="False",
            SECRET_KEY=str(state.secret_key),
            CSRF_TRUSTED_ORIGINS=f"http://{HOST}:{state.port},http://localhost:{state.port}",
            NERWB_BACKEND=str(self._backend),
            PYTHONUNBUFFERED="1",
        )
        return env

    # ---------------------------------------------------------------- status
    def _processes(self) -> dict[str, ServerProcess]:
        """The processes of the last ``up``: from ``server.json``, else from the pid file an
        older nerwb wrote (its process, too, led a session of its own)."""
        processes = dict(self._state().processes)
        for role in ROLES:
            if role in processes:
                continue
            try:
                pid = int(self._legacy_pid_path(role).read_text().strip())
            except (OSError, ValueError):
                continue
            processes[role] = ServerProcess(pid=pid, group=pid)
        return processes

    def status(self) -> ServerStatus:
        """URL, processes, health and database of the workspace's server.

        Raises:
            InputError: ``server.json`` or ``credentials.json`` is corrupt (named).
        """
        from nerwb.doccano.client import DoccanoClient  # httpx: only to ask a running server

        state = self._state()
        url = self.url()
        pids: dict[str, int | None] = dict.fromkeys(ROLES)
        left: dict[str, list[int]] = {}
        for role, process in self._processes().items():
            if _is_running(process):
                pids[role] = process.pid
            elif others := _others_in_group(process):
                left[role] = others
        healthy = False
        if pids["web"] is not None:
            with DoccanoClient(url, timeout=5) as client:
                healthy = client.health()
        database = DoccanoDatabase(state.database)
        if database is DoccanoDatabase.SQLITE:
            where = str(self.sqlite_path)
        elif database is DoccanoDatabase.POSTGRES:
            where = f"{postgres.HOST}:{state.postgres_port}/{postgres.DATABASE}"
        else:
            where = state.external_database or ""
        return ServerStatus(
            url,
            pids["web"],
            pids["worker"],
            healthy,
            self.home,
            database=database,
            database_where=where,
            database_pid=self.cluster.pid(),
            workers=state.workers,
            left_behind=left,
        )

    def sqlite_holds(self) -> tuple[int, int]:
        """(examples, spans) in the SQLite database: (0, 0) when it has none."""
        if not self.sqlite_path.exists():
            return 0, 0
        with contextlib.closing(
            sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True)
        ) as db:
            try:
                examples = db.execute("SELECT COUNT(*) FROM examples_example").fetchone()[0]
                spans = db.execute("SELECT COUNT(*) FROM labels_span").fetchone()[0]
            except sqlite3.OperationalError:  # not migrated yet: nothing in it
                return 0, 0
        return int(examples), int(spans)

    def choose_database(self, requested: DoccanoDatabase | None) -> DoccanoDatabase:
        """The database ``up`` runs on: the one asked for (``--database``, else nerwb.toml),
        else the one the workspace already uses; ``DOCCANO_DATABASE_URL`` means an existing
        PostgreSQL server.

        Raises:
            DoccanoError: a switch that would leave labels behind (SQLite holding examples,
                or back from PostgreSQL to SQLite): the message says what to do.
        """
        requested = requested or self.default_database
        current = self.database()
        if os.environ.get(DATABASE_URL_ENV):
            if requested is DoccanoDatabase.SQLITE:
                raise DoccanoError(
                    f"{DATABASE_URL_ENV} is set (an existing PostgreSQL server) but {SETTING} "
                    f"sqlite was asked for; unset {DATABASE_URL_ENV}, or ask for another database",
                    kind=ErrorKind.BAD_SETTING,
                    setting="database",
                )
            requested = DoccanoDatabase.EXTERNAL
        elif requested is DoccanoDatabase.EXTERNAL:
            self.database_url(requested)  # raises: says to set DOCCANO_DATABASE_URL
        if requested is None or requested is current:
            return current
        if current is DoccanoDatabase.POSTGRES and not (self.cluster.folder / ".migrated").exists():
            return requested  # the cluster never got as far as holding Doccano's tables
        if current is DoccanoDatabase.SQLITE:
            examples, spans = self.sqlite_holds()
            if examples or spans:
                raise DoccanoError(
                    f"this workspace's Doccano keeps {examples} example(s) and {spans} span(s) "
                    f"in SQLite ({self.sqlite_path}); starting on {requested} would leave them "
                    f"behind",
                    kind=ErrorKind.DATA_IN_SQLITE,
                    path=self.sqlite_path,
                    setting="database",
                )
            return requested
        if requested is DoccanoDatabase.SQLITE:
            raise DoccanoError(
                f"this workspace's Doccano keeps its data in PostgreSQL ({current}); nerwb does "
                "not move it back to SQLite",
                kind=ErrorKind.POSTGRES_DATA,
                setting="database",
            )
        raise DoccanoError(
            f"this workspace's Doccano keeps its data in {current}, not {requested}; "
            f"{'set' if requested is DoccanoDatabase.EXTERNAL else 'unset'} {DATABASE_URL_ENV} "
            "to match",
            kind=ErrorKind.BAD_WORKSPACE_SETTINGS,
            setting="database",
        )

    # ---------------------------------------------------------------- up / down
    def up(
        self,
        *,
        port: int | None = None,
        database: DoccanoDatabase | None = None,
        workers: int | None = None,
        on_progress: OnProgress | None = None,
    ) -> tuple[ServerStatus, bool]:
        """Install if needed, initialise, start web app and worker, wait until healthy.

        Without a ``port`` (or with ``default_port``, which is what a plain ``doccano up``
        passes) the server runs on the port it runs or last ran on, so its URL, the stored
        credentials and the annotators' bookmarks stay valid.

        Returns:
            The status and whether this call started anything (``False``: it was already up).

        ``database`` (else nerwb.toml's, else the one in use) picks SQLite or PostgreSQL, see
        ``choose_database``; ``workers`` is the web server's process count (default: from
        the cores).

        Raises:
            DoccanoError: the server already runs on another port or database than asked, the
                port is taken by another program, a switch of database would leave labels
                behind, a step failed, or the server did not become healthy in time (the log
                files are named).
        """
        step = Steps(on_progress, UP_STAGE)
        if port is not None and not MIN_PORT <= port <= MAX_PORT:
            raise bad_setting(
                DoccanoError, "port", f"{port} is not a TCP port ({MIN_PORT} to {MAX_PORT})"
            )
        requested = None if port in (None, self.default_port) else port
        remembered = self.remembered_port()
        current = self.status()
        chosen = self.choose_database(database)
        if current.running and current.healthy:
            if requested is not None and remembered is not None and requested != remembered:
                raise DoccanoError(
                    f"the workspace's Doccano is already running on {remembered}, so it cannot "
                    f"move to port {requested}",
                    kind=ErrorKind.SERVER_RUNNING,
                    setting="port",
                )
            if chosen is not current.database:
                raise DoccanoError(
                    f"the workspace's Doccano is running on {current.database}, so it cannot "
                    f"start on {chosen}",
                    kind=ErrorKind.SERVER_RUNNING,
                    setting="database",
                )
            return current, False
        port = requested or remembered or self.default_port
        if current.web_pid or current.worker_pid or current.left_behind:
            step("A previous server is half running (or left processes behind); stopping it")
            self.down()
        if not port_is_free(port):
            raise DoccanoError(
                f"port {port} on {HOST} is already in use by another program",
                kind=ErrorKind.PORT_IN_USE,
                setting="port",
            )
        if not self.is_installed():
            self.install(on_progress)
        settings, credentials = self._prepare_home(port, chosen, workers)
        try:
            env = self._env(settings, self.start_database(chosen, on_progress))
            self._init_database(env, step)
            if chosen is DoccanoDatabase.SQLITE:
                self._write_ahead_log()
            step("Setting the admin password")
            self._set_admin(env, credentials)
        except BaseException:
            self.cluster.stop()
            raise
        step(f"Starting the web app on {credentials.url} and the import/export worker")
        worker = self._start(port, env, settings.workers or default_workers())
        step("Waiting for /v1/health/")
        return self._wait_healthy(worker, env, step), True

    def start_database(
        self, database: DoccanoDatabase, on_progress: OnProgress | None = None
    ) -> str:
        """Make the database ready (for the workspace cluster: initdb once, start it, create
        Doccano's database); returns its DATABASE_URL."""
        step = Steps(on_progress, DATABASE_STAGE)
        if database is DoccanoDatabase.SQLITE:
            return self.database_url(database)
        self.ensure_postgres_driver(on_progress)
        if database is DoccanoDatabase.EXTERNAL:
            return self.database_url(database)
        credentials = Credentials.load(self.credentials_path)
        if not self.cluster.exists() or not credentials.database_password:
            step(f"Creating the workspace's PostgreSQL cluster in {self.cluster.folder}")
            credentials = credentials.model_copy(
                update={"database_password": postgres.new_password()}
            )
            credentials.save(self.credentials_path)  # before initdb: never a cluster without it
            self.cluster.init(credentials.database_password)
        port = self._postgres_port()
        step(f"Starting PostgreSQL on {postgres.HOST}:{port}")
        self.cluster.start(port)
        self.create_postgres_database(recreate=False)
        return self.database_url(database)

    def env_for(self, database_url: str) -> dict[str, str]:
        """The environment Doccano's programs run in, on ``database_url``.

        Raises:
            DoccanoError: the server was never set up in this workspace (no settings).
        """
        state = self._state()
        if not state.secret_key:
            raise DoccanoError(
                f"{self.home} has no server settings",
                kind=ErrorKind.SERVER_NEVER_STARTED,
                path=self.home,
            )
        state.port = state.port or self.default_port
        return self._env(state, database_url)

    def switch_database(self, database: DoccanoDatabase) -> None:
        """Record that the workspace's data now lives in ``database`` (after a migration)."""
        state = self._state()
        state.database = str(database)
        if database is DoccanoDatabase.EXTERNAL:
            state.external_database = postgres.describe_url(os.environ[DATABASE_URL_ENV])
        if database is DoccanoDatabase.POSTGRES:
            atomic_write_text(self.cluster.folder / ".migrated", f"{DOCCANO_VERSION}\n")
        state.save(self.state_path)

    def _postgres_port(self) -> int:
        """The cluster's port: the one it had, while free; else a new free one (remembered)."""
        state = self._state()
        port = state.postgres_port
        if self.cluster.pid() is not None and port:
            return port
        if not port or not port_is_free(port):
            port = state.postgres_port = free_port()
            state.save(self.state_path)
        return port

    def create_postgres_database(self, *, recreate: bool) -> None:
        """Create Doccano's database in the running cluster (``recreate``: drop it first)."""
        credentials = Credentials.load(self.credentials_path)
        port = int(self._state().postgres_port or 0)
        self._run(
            [str(self._python), "-c", _CREATE_DB_SCRIPT],
            "creating Doccano's PostgreSQL database",
            {
                **os.environ,
                "NERWB_PG_MAINTENANCE_URL": postgres.url_for(
                    credentials.database_password, port, "postgres"
                ),
                "NERWB_PG_DATABASE": postgres.DATABASE,
                "NERWB_PG_RECREATE": "1" if recreate else "0",
            },
        )

    def _prepare_home(
        self, port: int, database: DoccanoDatabase, workers: int | None
    ) -> tuple[ServerState, Credentials]:
        """The home folder (0700), its settings with this port, database and worker count,
        and the admin credentials: kept from an earlier run, so bookmarks and stored logins
        stay valid."""
        self.home.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        (self.home / "media").mkdir(exist_ok=True)
        (self.home / "logs").mkdir(exist_ok=True)
        state = self._state()
        state.secret_key = state.secret_key or secrets.token_urlsafe(50)
        state.port = port
        state.database = str(database)
        state.workers = workers or default_workers()
        if database is DoccanoDatabase.EXTERNAL:
            state.external_database = postgres.describe_url(os.environ[DATABASE_URL_ENV])
        state.save(self.state_path)
        if self.credentials_path.exists():
            old = Credentials.load(self.credentials_path)
            credentials = old.model_copy(update={"url": self.url(port)})
        else:
            credentials = Credentials(
                url=self.url(port), username=ADMIN, password=secrets.token_urlsafe(18)
            )
        credentials.save(self.credentials_path)
        return state, credentials

    def _write_ahead_log(self) -> None:
        """Put the SQLite database in write-ahead-log mode (it stays so: the mode is stored in
        the file). Under many annotators a web worker spends most of its time committing span
        and confirm inserts (a profile of the closed-loop load bench: a third of the samples in
        SQLite's execute); in the default rollback-journal mode each commit syncs the journal and
        the database and blocks every reader, in WAL mode it appends to one log and readers (a
        pull) go on. Run while no server holds the file."""
        with contextlib.closing(sqlite3.connect(self.sqlite_path)) as db:
            db.execute("PRAGMA journal_mode=WAL")

    def _init_database(self, env: dict[str, str], step: Steps) -> None:
        """Migrate a new database once: from the template copy when there is one (fast),
        otherwise by running the migrations and keeping the result as the template.
        PostgreSQL: migrate once per cluster; an external server every time (idempotent)."""
        database = self.database()
        if database is not DoccanoDatabase.SQLITE:
            marker = self.cluster.folder / ".migrated"
            if database is DoccanoDatabase.POSTGRES and marker.exists():
                return
            step("Initialising the PostgreSQL database (migrations and roles)")
            self._run(
                [str(self._python), "-c", _SETUP_SCRIPT],
                "initialising Doccano",
                {**env, "NERWB_MIGRATE": "1"},
            )
            if database is DoccanoDatabase.POSTGRES:
                atomic_write_text(marker, f"{DOCCANO_VERSION}\n")
            return
        db = self.sqlite_path
        migrated_marker = self.home / ".migrated"
        if not db.exists() and self._template_db.exists():
            shutil.copyfile(self._template_db, db)  # already migrated, roles created
            atomic_write_text(migrated_marker, f"{DOCCANO_VERSION}\n")
        if db.exists() and migrated_marker.exists():
            return
        step("Initialising the database (migrations and roles)")
        fresh = not db.exists()
        self._run(
            [str(self._python), "-c", _SETUP_SCRIPT],
            "initialising Doccano",
            {**env, "NERWB_MIGRATE": "1"},
        )
        if fresh and not self._template_db.exists():
            # beside the shared install: another workspace's `up` may copy it at any moment,
            # so it appears whole or not at all
            partial = self._template_db.with_name(f".{self._template_db.name}.{os.getpid()}")
            shutil.copyfile(db, partial)
            os.replace(partial, self._template_db)
        atomic_write_text(migrated_marker, f"{DOCCANO_VERSION}\n")

    def _set_admin(self, env: dict[str, str], credentials: Credentials) -> None:
        self._run(
            [str(self._python), "-c", _SETUP_SCRIPT],
            "creating the admin user",
            {
                **env,
                "NERWB_MIGRATE": "0",
                "NERWB_ADMIN_USER": credentials.username,
                "NERWB_ADMIN_PASSWORD": credentials.password,
            },
        )

    def _start(self, port: int, env: dict[str, str], workers: int) -> list[str]:
        """Spawn the web app and the worker; returns the worker's argv (to restart it)."""
        gunicorn = [
            str(self.venv / "bin" / "gunicorn"),
            "--chdir",
            str(self._backend),
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--capture-output",
            "config.wsgi",
        ]
        # Two task processes: a pull's two exports (all, confirmed-only) run side by side.
        worker = [str(self.venv / "bin" / "doccano"), "task", "--concurrency", "2"]
        self._spawn("web", gunicorn, env)
        self._spawn("worker", worker, env)
        return worker

    def _wait_healthy(self, worker: list[str], env: dict[str, str], step: Steps) -> ServerStatus:
        """Poll until healthy; stop everything and raise if a process dies or time runs out."""
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        worker_restarts = 0
        while time.monotonic() < deadline:
            status = self.status()
            if status.healthy:
                return status
            if (
                status.web_pid is not None
                and status.worker_pid is None
                and worker_restarts < WORKER_RESTARTS
                and self._lost_queue_race()
            ):
                # The web app and the worker both create kombu's queue row on an empty broker
                # table; the loser exits with a UNIQUE error. The row exists now: start again.
                worker_restarts += 1
                step("Restarting the import/export worker (it lost a start-up race)")
                self._spawn("worker", worker, env)
                continue
            if status.web_pid is None or status.worker_pid is None:
                role = "web" if status.web_pid is None else "worker"
                self.down()
                raise DoccanoError(
                    f"the Doccano {role} process exited during start; see {self.log_path(role)}"
                )
            time.sleep(0.5)
        self.down()
        raise DoccanoError(
            f"Doccano did not become healthy within {HEALTH_TIMEOUT_S:.0f} s; "
            f"see {self.log_path('web')} and {self.log_path('worker')}"
        )

    def _lost_queue_race(self) -> bool:
        log = self.log_path("worker")
        tail = log.read_bytes()[-20_000:].decode("utf-8", "replace") if log.exists() else ""
        return (
            "UNIQUE constraint failed: kombu_queue.name" in tail  # SQLite
            or 'unique constraint "kombu_queue_name_key"' in tail  # PostgreSQL
        )

    def _spawn(self, role: str, argv: list[str], env: dict[str, str]) -> None:
        with open(self.log_path(role), "ab") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.home,
                start_new_session=True,  # outlives the CLI; its own process group for `down`
            )
        state = self._state()
        state.processes[role] = ServerProcess(
            pid=process.pid, group=process.pid, started=_start_ticks(process.pid)
        )
        state.save(self.state_path)
        self._legacy_pid_path(role).unlink(missing_ok=True)

    def down(self) -> list[str]:
        """Stop web app and worker: SIGTERM to each and to every process it started, then
        SIGKILL after a while; then the workspace's PostgreSQL cluster, when it runs. Processes
        a dead web server or worker left behind (its gunicorn workers, which keep the port) are
        stopped too; no other program's process ever is.

        Returns:
            What was running and is now stopped: "web", "worker" (with the number of processes
            left behind by a dead one), "postgres".
        """
        processes = self._processes()
        found = {
            role: (_is_running(process), len(_others_in_group(process)))
            for role, process in processes.items()
        }
        targets = {r: p for r, p in processes.items() if found[r][0] or found[r][1]}
        for process in targets.values():
            _signal_all(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        stopped = []
        for role, process in targets.items():
            while not _stopped(process) and time.monotonic() < deadline:
                time.sleep(0.2)
            while not _stopped(process):
                _signal_all(process, signal.SIGKILL)
                time.sleep(0.1)
            running, left = found[role]
            stopped.append(role if running else f"{role} ({left} process(es) left behind)")
        if processes and self.state_path.exists():
            state = self._state()
            state.processes.clear()
            state.save(self.state_path)
        for role in ROLES:
            self._legacy_pid_path(role).unlink(missing_ok=True)
        if self.cluster.stop():
            stopped.append("postgres")
        return stopped


def local_server(ws: Workspace) -> LocalServer:
    """The workspace's own server, with nerwb.toml's port and database as its defaults."""
    return LocalServer(
        ws.doccano_home,
        default_port=ws.config.doccano.port,
        default_database=ws.config.doccano.database,
    )
