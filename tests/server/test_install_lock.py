"""Installing Doccano into the shared venv is one process at a time, and a failed install names
pip's log and quotes its end (issue 30, item 18: the venv was deleted and reinstalled with no
lock, and a failure said "See above for output" with nothing above).

Two real processes install into a temporary ``NERWB_DOCCANO_VENV`` from a package index this
test serves on 127.0.0.1 (tiny stand-in wheels of doccano, numpy and marshmallow): the index
holds back the first download until the second process says it waits, so the overlap is
certain. The failure is real pip with no index at all."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from _concurrency import DEADLINE, wait_for
from nerwb.server.local import DOCCANO_PINS, LocalServer

pytestmark = pytest.mark.slow  # makes virtual environments and runs pip in child processes

INSTALL = """
import sys
from pathlib import Path
from nerwb.server.local import LocalServer
LocalServer(Path(sys.argv[1]), venv=Path(sys.argv[2])).install(lambda s: print(s, flush=True))
print("done", flush=True)
"""


def _stand_in_wheels(folder: Path) -> dict[str, Path]:
    """doccano (with a ``gunicorn`` script, which the install check looks for), numpy and
    marshmallow, at versions the pins accept."""
    from nerwb.package.wheel import write_wheel

    folder.mkdir()
    wheels = {}
    for name, version in (("doccano", "1.8.4"), ("numpy", "1.0.0"), ("marshmallow", "3.0.0")):
        module = f"stand_in_{name}"
        wheels[name] = write_wheel(
            folder,
            name=name,
            version=version,
            files={f"{module}/__init__.py": b"def main():\n    return 0\n"},
            entry_points={"console_scripts": {"gunicorn": f"{module}:main"}}
            if name == "doccano"
            else None,
        )
    return wheels


class _Index(http.server.ThreadingHTTPServer):
    """A PEP 503 simple index of the stand-in wheels; doccano's download waits for ``release``."""

    def __init__(self, wheels: dict[str, Path]):
        self.wheels = wheels
        self.release = threading.Event()
        self.downloads: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/simple/"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Index

    def do_GET(self) -> None:
        parts = [p for p in self.path.split("/") if p]
        if parts[:1] == ["simple"] and len(parts) == 2 and parts[1] in self.server.wheels:
            wheel = self.server.wheels[parts[1]]
            body = f'<html><body><a href="/files/{wheel.name}">{wheel.name}</a></body></html>'
            self._send(body.encode(), "text/html")
        elif parts[:1] == ["files"] and len(parts) == 2:
            wheel = next(w for w in self.server.wheels.values() if w.name == parts[1])
            if wheel.name.startswith("doccano-"):
                self.server.release.wait(DEADLINE)
            self.server.downloads.append(wheel.name)
            self._send(wheel.read_bytes(), "application/octet-stream")
        else:
            self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


def _pip_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    # no user or site pip configuration, no cache, no network but what the test says
    return {
        **env,
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_CACHE_DIR": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **extra,
    }


def test_a_second_install_waits_and_then_finds_it_installed(tmp_path) -> None:
    index = _Index(_stand_in_wheels(tmp_path / "wheels"))
    threading.Thread(target=index.serve_forever, daemon=True).start()
    venv = tmp_path / "doccano-venv"
    env = _pip_env(PIP_INDEX_URL=index.url)
    outs = [tmp_path / "first.txt", tmp_path / "second.txt"]

    def start(out: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", INSTALL, str(tmp_path / "home"), str(venv)],
            stdout=out.open("w"),
            stderr=subprocess.STDOUT,
            env=env,
        )

    first = start(outs[0])
    try:
        wait_for(lambda: "Installing doccano==1.8.4" in outs[0].read_text(), "the first to install")
        second = start(outs[1])
        wait_for(lambda: "Waiting for another nerwb" in outs[1].read_text(), "the second to wait")
        index.release.set()
        assert first.wait(timeout=DEADLINE) == 0, outs[0].read_text()
        assert second.wait(timeout=DEADLINE) == 0, outs[1].read_text()
    finally:
        index.release.set()
        index.shutdown()
    said = outs[1].read_text()
    assert f"Waiting for another nerwb to finish installing into {venv}" in said
    assert f"Doccano is installed in {venv} (by another nerwb meanwhile)" in said
    assert "Creating Doccano's virtual environment" not in said
    assert index.downloads.count("doccano-1.8.4-py3-none-any.whl") == 1
    server = LocalServer(tmp_path / "home", venv=venv)
    assert server.is_installed()
    assert "Successfully installed" in (tmp_path / "doccano-venv-install.log").read_text()


def test_a_failed_install_names_the_log_and_quotes_its_end(tmp_path, monkeypatch) -> None:
    from nerwb.doccano.errors import DoccanoError

    for key, value in _pip_env(PIP_NO_INDEX="1").items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith("PIP_") and k not in _pip_env()]:
        if key != "PIP_NO_INDEX":
            monkeypatch.delenv(key)
    venv = tmp_path / "doccano-venv"
    server = LocalServer(tmp_path / "home", venv=venv)
    with pytest.raises(DoccanoError) as err:
        server.install()
    message = str(err.value)
    log = venv.with_name("doccano-venv-install.log")  # beside the venv, which an install removes
    assert message.startswith(f"installing Doccano failed (exit 1); the whole output is in {log}")
    assert f"No matching distribution found for {DOCCANO_PINS[0]}" in message
    assert "No matching distribution found" in log.read_text()
    assert not server.is_installed()
    from nerwb.cli._hints import advice

    assert advice(err.value).endswith("run `nerwb doccano up` again.")
