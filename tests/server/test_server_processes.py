"""The web server's and task worker's whole process groups are tracked (issue 30, item 15):
after ``kill -9`` of gunicorn's master its workers keep the port; ``status`` names them, ``down``
stops them and ``up`` recognises them as its own, and no other program's process is touched.
A real Doccano server, real signals."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from _concurrency import wait_for
from nerwb.server.local import free_port, local_server, port_is_free

pytestmark = pytest.mark.doccano


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):  # reaps the test's own child (the server)
        os.waitpid(pid, os.WNOHANG)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except OSError:
        return False
    return state != "Z"


def _group(leader: int) -> list[int]:
    """Live processes of the group ``leader`` started, read from /proc as `ps -g` would."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != leader:
            try:
                fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == leader:
                found.append(int(entry.name))
    return sorted(found)


def _kill_master(server) -> list[int]:
    """``kill -9`` of the web server's master; returns its workers' pids."""
    master = server.status().web_pid
    assert master is not None
    workers = _group(master)
    assert workers, "gunicorn runs its workers in the master's group"
    os.kill(master, signal.SIGKILL)
    wait_for(lambda: not _alive(master), "the master to die")
    return workers


def test_a_dead_masters_workers_are_named_stopped_and_replaced(ws, cli) -> None:
    toml = ws.root / "nerwb.toml"
    port = free_port()
    toml.write_text(toml.read_text().replace("port = 8000", f"port = {port}"))
    started = cli("doccano", "up", "--workers", "2", "-w", ws.root)
    assert started.exit_code == 0, started.stderr
    server = local_server(ws)
    try:
        workers = _kill_master(server)
        assert not port_is_free(port)  # the orphaned workers still hold it
        status = cli("doccano", "status", "-w", ws.root)
        assert status.exit_code == 1
        said = " ".join(status.stdout.split())
        assert f"web pid │ not running; {len(workers)} process(es) it started still run" in said
        assert all(str(pid) in said for pid in workers) and "not healthy" in said
        down = cli("doccano", "down", "-w", ws.root)
        assert down.exit_code == 0, down.stderr
        assert f"Stopped: web ({len(workers)} process(es) left behind), worker" in down.stdout
        assert not any(_alive(pid) for pid in workers)
        assert port_is_free(port)
        again = cli("doccano", "status", "-w", ws.root)
        assert "web pid │ not running │" in " ".join(again.stdout.split())
        # `up` after another kill -9: it stops what its dead master left and starts afresh
        assert cli("doccano", "up", "--workers", "2", "-w", ws.root).exit_code == 0
        workers = _kill_master(server)
        restarted = cli("doccano", "up", "--workers", "2", "-w", ws.root)
        assert restarted.exit_code == 0, restarted.stderr
        assert "Started" in restarted.stdout and "another program" not in restarted.stderr
        assert not any(_alive(pid) for pid in workers)
        assert server.status().healthy
    finally:
        server.down()


def test_no_other_programs_process_is_ever_stopped(ws, cli, tmp_path, monkeypatch) -> None:
    """A recorded pid that another program has now (same number, another start time) is not
    the server's: status says not running, down stops nothing, the program lives on."""
    from nerwb.records.server import ServerProcess, ServerState
    from nerwb.server.local import _start_ticks

    monkeypatch.setenv("NERWB_DOCCANO_VENV", str(tmp_path / "no-venv"))
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
    try:
        started = _start_ticks(other.pid)
        assert started is not None
        state = ServerState(
            secret_key="k",
            port=free_port(),
            processes={
                "web": ServerProcess(pid=other.pid, group=other.pid, started=started - 1),
                "worker": ServerProcess(pid=other.pid, group=other.pid, started=started - 1),
            },
        )
        ws.doccano_home.mkdir(parents=True)
        state.save(ws.doccano_home / "server.json")
        status = cli("doccano", "status", "-w", ws.root)
        said = " ".join(status.stdout.split())
        assert "web pid │ not running │" in said and "worker pid │ not running │" in said
        down = cli("doccano", "down", "-w", ws.root)
        assert down.exit_code == 0 and "Doccano was not running." in down.stdout
        assert other.poll() is None  # alive
    finally:
        other.kill()
        other.wait()
