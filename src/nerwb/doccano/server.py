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
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nerwb.doccano.errors import DoccanoError
from nerwb.io import atomic_write_json, atomic_write_text

DOCCANO_VERSION = "1.8.4"
DOCCANO_PINS = (f"doccano=={DOCCANO_VERSION}", "numpy<2", "marshmallow<4")
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


def default_venv() -> Path:
    """Where Doccano is installed: ``$NERWB_DOCCANO_VENV``, else a per-user cache folder."""
    if os.environ.get(VENV_ENV):
        return Path(os.environ[VENV_ENV]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "nerwb" / f"doccano-{DOCCANO_VERSION}"


@dataclass(frozen=True)
class Credentials:
    url: str
    username: str
    password: str

    def save(self, path: Path) -> None:
        atomic_write_json(
            path,
            {"url": self.url, "username": self.username, "password": self.password},
            mode=SECRET_MODE,
        )

    @classmethod
    def load(cls, path: Path) -> Credentials:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["url"], data["username"], data["password"])


@dataclass
class ServerStatus:
    url: str
    web_pid: int | None
    worker_pid: int | None
    healthy: bool
    home: Path

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

    def __init__(self, home: Path, *, venv: Path | None = None, default_port: int = 8000):
        self.home = Path(home)
        self.venv = venv or default_venv()
        self.default_port = default_port  # nerwb.toml's [doccano] port

    # ---------------------------------------------------------------- paths
    @property
    def credentials_path(self) -> Path:
        return self.home / "credentials.json"

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
    def _template_db(self) -> Path:
        # A migrated, empty database kept beside the install: copying it saves ~13 s per new home.
        return self.venv / "nerwb-template-db.sqlite3"

    # ---------------------------------------------------------------- install
    @property
    def _install_stamp(self) -> Path:
        return self.venv / "nerwb-installed.txt"

    def is_installed(self) -> bool:
        return self._install_stamp.exists() and (self.venv / "bin" / "gunicorn").exists()

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

    def _env(self, settings: dict) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCCANO_", "NERWB_"))}
        env.update(
            DOCCANO_HOME=str(self.home),
            DATABASE_URL=f"sqlite:///{self.home / 'db.sqlite3'}",
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
        return ServerStatus(url, web, worker, healthy, self.home)

    # ---------------------------------------------------------------- up / down
    def up(
        self, *, port: int | None = None, on_step: Callable[[str], None] = lambda _: None
    ) -> tuple[ServerStatus, bool]:
        """Install if needed, initialise, start web app and worker, wait until healthy.

        Without a ``port`` (or with ``default_port``, which is what a plain ``doccano up``
        passes) the server runs on the port it runs or last ran on, so its URL, the stored
        credentials and the annotators' bookmarks stay valid.

        Returns:
            The status and whether this call started anything (``False``: it was already up).

        Raises:
            DoccanoError: the server already runs on another port than ``port``, the port is
                taken by another program, a step failed, or the server did not become healthy
                in time (the log files are named).
        """
        requested = None if port in (None, self.default_port) else port
        remembered = self.remembered_port()
        current = self.status()
        if current.running and current.healthy:
            if requested is not None and remembered is not None and requested != remembered:
                raise DoccanoError(
                    f"the workspace's Doccano is already running on {remembered}; "
                    f"`nerwb doccano down` first to move it to port {requested}"
                )
            return current, False
        port = requested or remembered or self.default_port
        if current.web_pid or current.worker_pid:
            on_step("A previous server is half running; stopping it first")
            self.down()
        if not port_is_free(port):
            raise DoccanoError(
                f"port {port} on {HOST} is already in use by another program; "
                "stop it or choose another port with --port"
            )
        if not self.is_installed():
            self.install(on_step)
        settings, credentials = self._prepare_home(port)
        env = self._env(settings)
        self._init_database(env, on_step)
        on_step("Setting the admin password")
        self._set_admin(env, credentials)
        on_step(f"Starting the web app on {credentials.url} and the import/export worker")
        worker = self._start(port, env)
        on_step("Waiting for /v1/health/")
        return self._wait_healthy(worker, env, on_step), True

    def _prepare_home(self, port: int) -> tuple[dict, Credentials]:
        """The home folder (0700), its settings with this port, and the admin credentials:
        kept from an earlier run, so bookmarks and stored logins stay valid."""
        self.home.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        (self.home / "media").mkdir(exist_ok=True)
        (self.home / "logs").mkdir(exist_ok=True)
        settings = self._settings()
        settings.setdefault("secret_key", secrets.token_urlsafe(50))
        settings["port"] = port
        atomic_write_json(self._settings_path, settings, mode=SECRET_MODE)
        if self.credentials_path.exists():
            old = Credentials.load(self.credentials_path)
            credentials = Credentials(self.url(port), old.username, old.password)
        else:
            credentials = Credentials(self.url(port), ADMIN, secrets.token_urlsafe(18))
        credentials.save(self.credentials_path)
        return settings, credentials

    def _init_database(self, env: dict[str, str], on_step: Callable[[str], None]) -> None:
        """Migrate a new database once: from the template copy when there is one (fast),
        otherwise by running the migrations and keeping the result as the template."""
        db = self.home / "db.sqlite3"
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

    def _start(self, port: int, env: dict[str, str]) -> list[str]:
        """Spawn the web app and the worker; returns the worker's argv (to restart it)."""
        gunicorn = [
            str(self.venv / "bin" / "gunicorn"),
            "--chdir",
            str(self._backend),
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--capture-output",
            "config.wsgi",
        ]
        # Two worker processes: a pull's two exports (all, confirmed-only) run side by side.
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
        return "UNIQUE constraint failed: kombu_queue.name" in tail

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
        """Stop web app and worker: SIGTERM to each process group, then SIGKILL after a while.

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
        return stopped
