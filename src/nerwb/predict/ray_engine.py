"""The Ray engine: the same job as ``local``, over a pool of Ray actors on one or more nodes.

Articles are read on the driver with the corpus readers (the same records, ids and checks as
the local engine) one at a time, and sent in blocks of ``batch_size`` texts to ``actors``
copies of ``_Predictor``, each loading the model once, wherever Ray places it. At most
``IN_FLIGHT_PER_ACTOR`` blocks per actor are out at once, and results are taken back in input
order, so the driver holds a bounded window of articles however long the input is, and writes
the same part files as the local engine.

Why not a Ray Dataset: ``ray.data.from_items`` needs the whole list in the driver (what issue
27 removes), and ``ray.data.read_json``/``read_csv`` read the files on the workers with Ray's
parsers, not with nerwb's readers (CSV quote checks, ids given to articles without one, an id
repeated with another text refused), so the output would differ from the local engine's.

Ray is the optional extra ``nerwb[ray]``; this module imports it only when called.
"""

from __future__ import annotations

import os
import socket
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nerwb.errors import SETTING, ErrorKind, PredictError
from nerwb.predict.inputs import InputArticle
from nerwb.predict.local import Entity

# A local Ray is a guest on the user's machine: a small object store (articles are small and
# stream through) and no dashboard. Ray's floor for the store is 75 MB.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024**2
CONNECT_TIMEOUT_S = 3.0  # an unreachable --address fails in seconds, not Ray's minute of retries


class _Predictor:
    """One Ray actor: loads the pipeline once, then annotates block after block."""

    def __init__(self, model: str, max_length: int | None, batch_size: int) -> None:
        from nerwb.predict.allocator import keep_freed_memory
        from nerwb.predict.local import VocabZone
        from nerwb.predict.model import load_pipeline

        keep_freed_memory()  # the actor's batches reuse their arrays
        self.nlp = load_pipeline(Path(model), max_length=max_length)
        self.zone = VocabZone(self.nlp)  # one per actor: it outlives each block
        self.batch_size = batch_size

    def annotate(self, texts: list[str]) -> list[list[Entity]]:
        from nerwb.predict.local import annotate

        found = annotate(self.nlp, texts, str, batch_size=self.batch_size, zone=self.zone)
        return [ents for _, ents in found]


IN_FLIGHT_PER_ACTOR = 4  # blocks queued per actor: enough to keep it busy, no more


def ray_available() -> bool:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


def check_reachable(address: str) -> None:
    """Fail fast when nothing answers at ``host:port`` (``ray://`` and ``auto`` pass through)."""
    if address == "auto":
        return
    host_port = address.removeprefix("ray://")
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise PredictError(
            f"{SETTING} {address!r} is not HOST:PORT (e.g. 127.0.0.1:6379, as `ray start` prints)",
            kind=ErrorKind.BAD_SETTING,
            setting="address",
        )
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as err:
        raise PredictError(
            f"cannot reach a Ray cluster at {SETTING} {address} ({err.strerror or err} within "
            f"{CONNECT_TIMEOUT_S:g} s)",
            kind=ErrorKind.RAY_UNREACHABLE,
            setting="address",
        ) from None


def preflight(address: str | None) -> None:
    """Ray is installed and ``address`` (if any) answers.

    Raises:
        PredictError: either is not so.
    """
    if not ray_available():
        raise PredictError(
            f"{SETTING} ray needs Ray Data: pip install 'nerwb[ray]' (or `make ray` in the "
            "repository)",
            kind=ErrorKind.MISSING_PACKAGE,
            setting="engine",
        )
    if address:
        check_reachable(address)


@contextmanager
def ray_session(address: str | None, actors: int) -> Iterator[None]:
    """Join the cluster at ``address``, or start a bounded local Ray on 127.0.0.1; always shut
    this driver's connection down afterwards (a joined cluster keeps running)."""
    preflight(address)
    import ray

    if address:
        kwargs: dict[str, Any] = {"address": address}
    else:
        kwargs = {
            "address": "local",  # a new local instance, never one found on this machine
            "num_cpus": max(1, min(actors, os.cpu_count() or 1)),
            "object_store_memory": LOCAL_OBJECT_STORE_BYTES,
            "include_dashboard": False,
            "_node_ip_address": "127.0.0.1",
        }
    try:
        ray.init(log_to_driver=False, configure_logging=False, **kwargs)
    except Exception as err:  # Ray raises ConnectionError, RuntimeError, ValueError...
        raise PredictError(
            f"cannot start or join Ray ({type(err).__name__}: {err})", kind=ErrorKind.SERVER_ERROR
        ) from None
    try:
        yield
    finally:
        ray.shutdown()


def predict_ray(
    model: Path,
    articles: Iterable[InputArticle],
    *,
    batch_size: int,
    actors: int,
    max_length: int | None,
) -> Iterator[tuple[InputArticle, list[Entity]]]:
    """Yield each article with its entities, in input order; call inside ``ray_session``."""
    import ray

    predictor = ray.remote(num_cpus=1)(_Predictor)
    pool = [
        predictor.remote(str(Path(model).resolve()), max_length, batch_size) for _ in range(actors)
    ]
    window: deque[tuple[list[InputArticle], Any]] = deque()
    try:
        for n, block in enumerate(_blocks(articles, batch_size)):
            actor = pool[n % actors]  # round robin: blocks are alike in size
            window.append((block, actor.annotate.remote([a.text for a in block])))
            if len(window) >= actors * IN_FLIGHT_PER_ACTOR:
                yield from _take(window)
        while window:
            yield from _take(window)
    finally:
        for actor in pool:
            ray.kill(actor)


def _take(
    window: deque[tuple[list[InputArticle], Any]],
) -> Iterator[tuple[InputArticle, list[Entity]]]:
    import ray

    block, pending = window.popleft()
    found = ray.get(pending)
    yield from zip(block, ([tuple(e) for e in ents] for ents in found), strict=True)  # type: ignore[misc]


def _blocks(articles: Iterable[InputArticle], size: int) -> Iterator[list[InputArticle]]:
    block: list[InputArticle] = []
    for article in articles:
        block.append(article)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block
