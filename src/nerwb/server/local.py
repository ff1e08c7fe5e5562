"""The embedded local Doccano server: install once, start bound to 127.0.0.1, stop by pid.

Doccano 1.8.4 lives in its own virtual environment (it needs numpy < 2 and marshmallow < 4,
which cannot sit beside spaCy). Its web app runs under gunicorn bound to loopback (Doccano's own
``webserver`` command binds 0.0.0.0), and its import/export worker is ``doccano task`` (celery on
the SQLite broker), without which imports and exports never finish.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from nerwb.doccano.errors import DoccanoError
from nerwb.errors import ErrorKind
from nerwb.io import atomic_write_json, atomic_write_text
from nerwb.records.credentials import Credentials
from nerwb.server import postgres
from nerwb.workspace import DOCCANO_CREDENTIALS, DoccanoDatabase, Workspace

DOCCANO_VERSION = "1.8.4"
DOCCANO_PINS = (f"doccano=={DOCCANO_VERSION}", "numpy<2", "marshmallow<4")
# Doccano's `postgresql` extra, added to the venv only when a workspace first runs on PostgreSQL.
POSTGRES_DRIVER = "psycopg2-binary==2.9.13"
DATABASE_URL_ENV = "DOCCANO_DATABASE_URL"  # an existing PostgreSQL server instead of our own
VENV_ENV = "NERWB_DOCCANO_VENV"
HOST = "127.0.0.1"
ADMIN = "admin"
HEALTH_TIMEOUT_S = 180.0  # cold start measured at ~20 s; slow CI machines get headroom
WORKER_RESTARTS = 2  # a worker that lost the start-up race for the broker table restarts
STOP_TIMEOUT_S = 25.0  # the celery worker takes up to ~15 s to stop on SIGTERM
SECRET_MODE = 0o600

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
    def _settings_path(self) -> Path:
        return self.home / "server.json"

    def _pid_path(self, role: str) -> Path:
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

    def ensure_postgres_driver(self, on_step: Callable[[str], None] = lambda _: None) -> None:
        """Add psycopg2 to Doccano's venv when it lacks it (one wheel; nothing is removed)."""
        probe = subprocess.run(
            [str(self._python), "-c", "import psycopg2"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return
        on_step(f"Installing {POSTGRES_DRIVER} into Doccano's venv")
        self._run(
            [str(self._python), "-m", "pip", "install", "--quiet", POSTGRES_DRIVER],
            "installing PostgreSQL's driver for Doccano",
        )

    def install(self, on_step: Callable[[str], None] = lambda _: None) -> None:
        """Create Doccano's venv and install the pinned server into it (~90 s, ~700 MB, once).

        The stamp file is written last, so an interrupted install is redone from scratch.
        """
        on_step(f"Creating Doccano's virtual environment in {self.venv}")
        shutil.rmtree(self.venv, ignore_errors=True)
        self.venv.parent.mkdir(parents=True, exist_ok=True)
        self._run([sys.executable, "-m", "venv", str(self.venv)], "creating Doccano's venv")
        on_step(f"Installing {', '.join(DOCCANO_PINS)} (about 90 s the first time)")
        self._run(
            [str(self._python), "-m", "pip", "install", "--quiet", *DOCCANO_PINS],
            "installing Doccano",
        )
        atomic_write_text(self._install_stamp, " ".join(DOCCANO_PINS) + "\n")

    @staticmethod
    def _run(argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
        result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-8:]
            raise DoccanoError(f"{what} failed (exit {result.returncode}): " + " / ".join(tail))

    # ---------------------------------------------------------------- settings and environment
    def _settings(self) -> dict:
        if self._settings_path.exists():
            return json.loads(self._settings_path.read_text(encoding="utf-8"))
        return {}

    def remembered_port(self) -> int | None:
        """The port this workspace's server runs on, or last ran on."""
        port = self._settings().get("port")
        return int(port) if port else None

    def url(self, port: int | None = None) -> str:
        return f"http://{HOST}:{port or self.remembered_port() or self.default_port}"

    def database(self) -> DoccanoDatabase:
        """The database this workspace's server uses (or last used)."""
        return DoccanoDatabase(self._settings().get("database", DoccanoDatabase.SQLITE))

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
        port = self._settings().get("postgres_port")
        if not credentials.database_password or not port:
            raise DoccanoError(
                f"the workspace's PostgreSQL cluster has no password or port in "
                f"{self.credentials_path} / {self._settings_path}",
                kind=ErrorKind.NO_POSTGRES_SETTINGS,
                path=self.credentials_path,
            )
        return postgres.url_for(credentials.database_password, int(port))

    def _env(self, settings: dict, database_url: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCCANO_", "NERWB_"))}
        env.update(
            DOCCANO_HOME=str(self.home),
            DATABASE_URL=database_url or f"sqlite:///{self.sqlite_path}",
            MEDIA_ROOT=str(self.home / "media"),
            DJANGO_SETTINGS_MODULE="config.settings.production",
            STANDALONE="True",
            DEBUG="False",
            SECRET_KEY=settings["secret_key"],
            CSRF_TRUSTED_ORIGINS=f"http://{HOST}:{settings['port']},http://localhost:{settings['port']}",
            NERWB_BACKEND=str(self._backend),
            PYTHONUNBUFFERED="1",
        )
        return env

    # ---------------------------------------------------------------- status
    def _pid(self, role: str) -> int | None:
        path = self._pid_path(role)
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def status(self) -> ServerStatus:
        from nerwb.doccano.client import DoccanoClient  # httpx: only to ask a running server

        url = self.url()
        web, worker = self._pid("web"), self._pid("worker")
        healthy = False
        if web is not None:
            with DoccanoClient(url, timeout=5) as client:
                healthy = client.health()
        settings = self._settings()
        database = self.database()
        if database is DoccanoDatabase.SQLITE:
            where = str(self.sqlite_path)
        elif database is DoccanoDatabase.POSTGRES:
            where = f"{postgres.HOST}:{settings.get('postgres_port')}/{postgres.DATABASE}"
        else:
            where = settings.get("external_database", "")
        return ServerStatus(
            url,
            web,
            worker,
            healthy,
            self.home,
            database=database,
            database_where=where,
            database_pid=self.cluster.pid(),
            workers=settings.get("workers"),
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
                    f"{DATABASE_URL_ENV} is set (an existing PostgreSQL server) but SQLite was "
                    f"asked for; unset {DATABASE_URL_ENV} or drop --database sqlite"
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
                    setting="--database",
                )
            return requested
        if requested is DoccanoDatabase.SQLITE:
            raise DoccanoError(
                f"this workspace's Doccano keeps its data in PostgreSQL ({current}); nerwb does "
                "not move it back to SQLite. Drop --database sqlite (and `database` in nerwb.toml)"
            )
        raise DoccanoError(
            f"this workspace's Doccano keeps its data in {current}, not {requested}; "
            f"{'set' if requested is DoccanoDatabase.EXTERNAL else 'unset'} {DATABASE_URL_ENV} "
            "to match"
        )

    # ---------------------------------------------------------------- up / down
    def up(
        self,
        *,
        port: int | None = None,
        database: DoccanoDatabase | None = None,
        workers: int | None = None,
        on_step: Callable[[str], None] = lambda _: None,
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
                    setting="--port",
                )
            if chosen is not current.database:
                raise DoccanoError(
                    f"the workspace's Doccano is running on {current.database}, so it cannot "
                    f"start on {chosen}",
                    kind=ErrorKind.SERVER_RUNNING,
                    setting="--database",
                )
            return current, False
        port = requested or remembered or self.default_port
        if current.web_pid or current.worker_pid:
            on_step("A previous server is half running; stopping it first")
            self.down()
        if not port_is_free(port):
            raise DoccanoError(
                f"port {port} on {HOST} is already in use by another program",
                kind=ErrorKind.PORT_IN_USE,
                setting="--port",
            )
        if not self.is_installed():
            self.install(on_step)
        settings, credentials = self._prepare_home(port, chosen, workers)
        try:
            env = self._env(settings, self.start_database(chosen, on_step))
            self._init_database(env, on_step)
            on_step("Setting the admin password")
            self._set_admin(env, credentials)
        except BaseException:
            self.cluster.stop()
            raise
        on_step(f"Starting the web app on {credentials.url} and the import/export worker")
        worker = self._start(port, env, settings["workers"])
        on_step("Waiting for /v1/health/")
        return self._wait_healthy(worker, env, on_step), True

    def start_database(
        self, database: DoccanoDatabase, on_step: Callable[[str], None] = lambda _: None
    ) -> str:
        """Make the database ready (for the workspace cluster: initdb once, start it, create
        Doccano's database); returns its DATABASE_URL."""
        if database is DoccanoDatabase.SQLITE:
            return self.database_url(database)
        self.ensure_postgres_driver(on_step)
        if database is DoccanoDatabase.EXTERNAL:
            return self.database_url(database)
        credentials = Credentials.load(self.credentials_path)
        if not self.cluster.exists() or not credentials.database_password:
            on_step(f"Creating the workspace's PostgreSQL cluster in {self.cluster.folder}")
            credentials = replace(credentials, database_password=postgres.new_password())
            credentials.save(self.credentials_path)  # before initdb: never a cluster without it
            self.cluster.init(credentials.database_password)
        port = self._postgres_port()
        on_step(f"Starting PostgreSQL on {postgres.HOST}:{port}")
        self.cluster.start(port)
        self.create_postgres_database(recreate=False)
        return self.database_url(database)

    def env_for(self, database_url: str) -> dict[str, str]:
        """The environment Doccano's programs run in, on ``database_url``.

        Raises:
            DoccanoError: the server was never set up in this workspace (no settings).
        """
        settings = self._settings()
        if "secret_key" not in settings:
            raise DoccanoError(
                f"{self.home} has no server settings",
                kind=ErrorKind.SERVER_NEVER_STARTED,
                path=self.home,
            )
        return self._env(
            {**settings, "port": settings.get("port", self.default_port)}, database_url
        )

    def switch_database(self, database: DoccanoDatabase) -> None:
        """Record that the workspace's data now lives in ``database`` (after a migration)."""
        settings = self._settings()
        settings["database"] = str(database)
        if database is DoccanoDatabase.EXTERNAL:
            settings["external_database"] = postgres.describe_url(os.environ[DATABASE_URL_ENV])
        if database is DoccanoDatabase.POSTGRES:
            atomic_write_text(self.cluster.folder / ".migrated", f"{DOCCANO_VERSION}\n")
        atomic_write_json(self._settings_path, settings, mode=SECRET_MODE)

    def _postgres_port(self) -> int:
        """The cluster's port: the one it had, while free; else a new free one (remembered)."""
        settings = self._settings()
        port = settings.get("postgres_port")
        if self.cluster.pid() is not None and port:
            return int(port)
        if not port or not port_is_free(int(port)):
            port = free_port()
            settings["postgres_port"] = port
            atomic_write_json(self._settings_path, settings, mode=SECRET_MODE)
        return int(port)

    def create_postgres_database(self, *, recreate: bool) -> None:
        """Create Doccano's database in the running cluster (``recreate``: drop it first)."""
        credentials = Credentials.load(self.credentials_path)
        port = int(self._settings()["postgres_port"])
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
    ) -> tuple[dict, Credentials]:
        """The home folder (0700), its settings with this port, database and worker count,
        and the admin credentials: kept from an earlier run, so bookmarks and stored logins
        stay valid."""
        self.home.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        (self.home / "media").mkdir(exist_ok=True)
        (self.home / "logs").mkdir(exist_ok=True)
        settings = self._settings()
        settings.setdefault("secret_key", secrets.token_urlsafe(50))
        settings["port"] = port
        settings["database"] = str(database)
        settings["workers"] = workers or default_workers()
        if database is DoccanoDatabase.EXTERNAL:
            settings["external_database"] = postgres.describe_url(os.environ[DATABASE_URL_ENV])
        atomic_write_json(self._settings_path, settings, mode=SECRET_MODE)
        if self.credentials_path.exists():
            old = Credentials.load(self.credentials_path)
            credentials = replace(old, url=self.url(port))
        else:
            credentials = Credentials(self.url(port), ADMIN, secrets.token_urlsafe(18))
        credentials.save(self.credentials_path)
        return settings, credentials

    def _init_database(self, env: dict[str, str], on_step: Callable[[str], None]) -> None:
        """Migrate a new database once: from the template copy when there is one (fast),
        otherwise by running the migrations and keeping the result as the template.
        PostgreSQL: migrate once per cluster; an external server every time (idempotent)."""
        database = self.database()
        if database is not DoccanoDatabase.SQLITE:
            marker = self.cluster.folder / ".migrated"
            if database is DoccanoDatabase.POSTGRES and marker.exists():
                return
            on_step("Initialising the PostgreSQL database (migrations and roles)")
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
        on_step("Initialising the database (migrations and roles)")
        fresh = not db.exists()
        self._run(
            [str(self._python), "-c", _SETUP_SCRIPT],
            "initialising Doccano",
            {**env, "NERWB_MIGRATE": "1"},
        )
        if fresh and not self._template_db.exists():
            shutil.copyfile(db, self._template_db)
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

    def _wait_healthy(
        self, worker: list[str], env: dict[str, str], on_step: Callable[[str], None]
    ) -> ServerStatus:
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
                on_step("Restarting the import/export worker (it lost a start-up race)")
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
        atomic_write_text(self._pid_path(role), f"{process.pid}\n")

    def down(self) -> list[str]:
        """Stop web app and worker: SIGTERM to each process group, then SIGKILL after a while;
        then the workspace's PostgreSQL cluster, when it runs.

        Returns:
            The roles that were running and are now stopped.
        """
        stopped = []
        pids = {role: self._pid(role) for role in ("web", "worker")}
        for pid in pids.values():
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for role, pid in pids.items():
            if pid is None:
                continue
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                while _alive(pid):
                    time.sleep(0.1)
            stopped.append(role)
        for role in ("web", "worker"):
            self._pid_path(role).unlink(missing_ok=True)
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
