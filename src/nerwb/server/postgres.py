"""A PostgreSQL cluster owned by the workspace, for a Doccano that a team labels on at once.

SQLite serialises every write: measured here, a dozen annotators labelling at once is its
ceiling (bench/doccano_load.py). PostgreSQL takes concurrent writes. The cluster lives in
``.nerwb/doccano/postgres/`` (``data/`` and ``server.log``), listens on 127.0.0.1 only, on a
port of its own, with no Unix socket; its superuser's password is generated, kept in the
workspace's 0600 credentials file and handed to ``initdb`` through a 0600 file that is deleted
right after, and to clients through ``PGPASSWORD``: never in a process list.

``initdb`` and ``postgres`` refuse to run as root. nerwb runs as root in containers and CI, so
there they run as Debian's ``postgres`` system user (made by the ``postgresql`` package; else
``nobody``), through ``setpriv`` with one extra capability, CAP_DAC_READ_SEARCH: the workspace's
state folders are root's and mode 0700, and that capability lets the server walk through them
to its own folder without opening them to every user on the machine. Run as another user,
nerwb starts them directly, as that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from nerwb.doccano.errors import DoccanoError

HOST = "127.0.0.1"
SUPERUSER = "nerwb"
DATABASE = "doccano"
START_TIMEOUT_S = 60
BIN_ENV = "NERWB_PG_BIN"  # a folder holding initdb and pg_ctl, when not Debian's
# Gunicorn workers plus the task worker each hold one connection (Doccano keeps them 500 s).
MAX_CONNECTIONS = 200
SERVICE_USERS = ("postgres", "nobody")


def find_bin() -> Path:
    """The folder with ``initdb`` and ``pg_ctl``: ``$NERWB_PG_BIN``, else Debian's newest."""
    if os.environ.get(BIN_ENV):
        folder = Path(os.environ[BIN_ENV])
        if (folder / "initdb").exists():
            return folder
        raise DoccanoError(f"{BIN_ENV}={folder}: no initdb there")
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise DoccanoError(
        "PostgreSQL's server programs are not installed (no initdb): "
        "`apt-get install -y postgresql` (Debian/Ubuntu), or set NERWB_PG_BIN to the folder "
        "holding initdb and pg_ctl"
    )


def _service_user() -> pwd.struct_passwd | None:
    """Whom the server runs as when we are root (None: not root, run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in SERVICE_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise DoccanoError("running as root, and neither a `postgres` nor a `nobody` user exists")


def _as_server_user(argv: list[str]) -> list[str]:
    user = _service_user()
    if user is None:
        return argv
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
        *argv,
    ]


def _own(path: Path) -> None:
    """Give ``path`` to the server's user (a no-op when not root)."""
    user = _service_user()
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def url_for(password: str, port: int, database: str = DATABASE) -> str:
    """Doccano's DATABASE_URL for the workspace cluster (no SSL on loopback)."""
    return (
        f"postgres://{SUPERUSER}:{quote(password, safe='')}@{HOST}:{port}/{database}"
        "?sslmode=disable"
    )


def describe_url(url: str) -> str:
    """A database URL without its password, for status lines and errors."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5432}{parts.path}"


def new_password() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Cluster:
    """The workspace's PostgreSQL cluster in ``folder`` (``.nerwb/doccano/postgres``)."""

    folder: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def pid(self) -> int | None:
        """The postmaster's pid when it runs (from its own postmaster.pid)."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def _run(self, argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
        result = subprocess.run(
            _as_server_user(argv),
            capture_output=True,
            text=True,
            env=env,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-6:]
            raise DoccanoError(
                f"{what} failed (exit {result.returncode}): "
                + " / ".join(tail)
                + (f"; see {self.log}" if self.log.exists() else "")
            )

    def init(self, password: str) -> None:
        """``initdb`` a new cluster whose superuser ``nerwb`` has ``password``."""
        bin_dir = find_bin()
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        _own(self.folder)
        pwfile = self.folder / ".initdb-password"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(password + "\n")
            _own(pwfile)
            shutil.rmtree(self.data, ignore_errors=True)  # a half-made one from a crash
            self._run(
                [
                    str(bin_dir / "initdb"),
                    "--pgdata",
                    str(self.data),
                    "--username",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                ],
                "initdb",
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def start(self, port: int) -> None:
        """Start it on 127.0.0.1:``port`` (no Unix socket); wait until it accepts."""
        if self.pid() is not None:
            return
        if not self.log.exists():
            self.log.touch(mode=0o600)
            _own(self.log)
        options = (
            f"-c listen_addresses={HOST} -c port={port} -c unix_socket_directories='' "
            f"-c max_connections={MAX_CONNECTIONS}"
        )
        self._run(
            [
                str(find_bin() / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
                "--wait",
                f"--timeout={START_TIMEOUT_S}",
                "-o",
                options,
                "start",
            ],
            f"starting PostgreSQL on {HOST}:{port}",
        )

    def stop(self) -> bool:
        """Stop it (fast shutdown: open sessions end, data is flushed). Whether it ran."""
        if self.pid() is None:
            return False
        self._run(
            [
                str(find_bin() / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "--mode=fast",
                "--wait",
                "stop",
            ],
            "stopping PostgreSQL",
        )
        deadline = time.monotonic() + 30
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        return True
