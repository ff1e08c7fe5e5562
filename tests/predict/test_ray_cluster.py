"""The Ray engine on a real two-node Ray cluster on this machine gives the local engine's output.

Two `ray start` processes (a head and a second node joining it at ``--address``), each with
one CPU and its own custom resource, on 127.0.0.1. Each is started with ``--block`` in a
session of its own, so the teardown ends exactly the processes this test started (by their
process group and session), never another Ray on the machine (``ray stop`` would end them all).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, write_jsonl
from nerwb.predict.inputs import InputSource
from nerwb.predict.options import Engine, PredictOptions
from nerwb.predict.output import parts_folder
from nerwb.predict.ray_engine import ray_available
from nerwb.predict.run import predict

pytestmark = [
    pytest.mark.slow,  # starts a real Ray
    pytest.mark.skipif(
        not ray_available(),
        reason="Ray is not installed: pip install 'nerwb[ray]' or `make ray` (CI does)",
    ),
]

NODE_START_S = 180  # `ray start` under a loaded 2-core machine can take a minute
STORE_BYTES = str(100 * 1024**2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ray_start(*args: str) -> subprocess.Popen[bytes]:
    ray = Path(sys.executable).with_name("ray")
    return subprocess.Popen(
        [
            str(ray),
            "start",
            "--block",
            "--node-ip-address",
            "127.0.0.1",
            "--num-cpus",
            "1",
            "--object-store-memory",
            STORE_BYTES,
            "--disable-usage-stats",
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group and session: ended as one below
    )


def _end(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we started (`ray start --block` then stops its nodes),
    then SIGKILL to whatever is left in that session."""
    sid = process.pid  # start_new_session: the session id is the leader's pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=60)
    left = subprocess.run(
        ["ps", "-o", "pid=", "-s", str(sid)], capture_output=True, text=True
    ).stdout.split()
    for pid in left:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    process.wait(timeout=30)


def _wait_for_nodes(address: str, count: int) -> dict[str, float]:
    import ray

    deadline = time.monotonic() + NODE_START_S
    while True:
        try:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
            try:
                alive = [n for n in ray.nodes() if n["Alive"]]
                resources = ray.cluster_resources()
            finally:
                ray.shutdown()
            if len(alive) >= count:
                return resources
        except Exception:  # not up yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the Ray cluster at {address} did not show {count} nodes")
        time.sleep(2)


@pytest.fixture
def two_node_cluster() -> Iterator[tuple[str, dict[str, float]]]:
    port = _free_port()
    address = f"127.0.0.1:{port}"
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            _ray_start(
                "--head",
                "--port",
                str(port),
                "--include-dashboard",
                "false",
                "--resources",
                json.dumps({"nerwb_head": 1}),
            )
        )
        _wait_for_nodes(address, 1)
        started.append(
            _ray_start("--address", address, "--resources", json.dumps({"nerwb_second": 1}))
        )
        yield address, _wait_for_nodes(address, 2)
    finally:
        for process in reversed(started):  # the second node first, then the head
            _end(process)


def test_ray_two_node_cluster_output_identical_to_local(
    model: Path, tmp_path: Path, two_node_cluster: tuple[str, dict[str, float]]
) -> None:
    address, resources = two_node_cluster
    # one CPU on each node: two 1-CPU actors must run one on each node
    assert resources.get("CPU") == 2
    assert resources.get("nerwb_head") == 1 and resources.get("nerwb_second") == 1
    records = [json.loads(line) for line in DEMO_ARTICLES.read_text().splitlines()]
    long_text = "\n\n".join(r["text"] for r in records[:4])  # cut into pieces by both engines
    inputs = write_jsonl(tmp_path / "in.jsonl", [*records, {"id": "long", "text": long_text}])
    source = InputSource(paths=(inputs,))
    local, on_cluster = tmp_path / "local.jsonl", tmp_path / "cluster.jsonl"
    predict(PredictOptions(model, source, local, max_length=500, part_size=7))
    report = predict(
        PredictOptions(
            model,
            source,
            on_cluster,
            engine=Engine.RAY,
            address=address,
            actors=2,
            batch_size=4,
            max_length=500,
            part_size=7,
        )
    )
    assert report.records == len(records) + 1 and report.predicted == len(records) + 1
    assert on_cluster.read_bytes() == local.read_bytes()
    assert sum(len(json.loads(x)["entities"]) for x in local.read_text().splitlines()) > 0
    assert not parts_folder(on_cluster).exists()
    import ray

    assert not ray.is_initialized()  # the driver left the cluster, which keeps running
