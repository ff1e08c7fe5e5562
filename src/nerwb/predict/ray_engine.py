"""The Ray Data engine: the same job as ``local``, over a Ray Dataset and a pool of actors.

Articles are read on the driver with the corpus readers (the same records as the local
engine), put into a Ray Dataset, and ``map_batches`` sends them to ``actors`` copies of
``_Predictor``, each loading the model once. Results come back in input order
(``preserve_order``), so the driver writes the same part files as the local engine.

Ray is the optional extra ``nerwb[ray]``; this module imports it only when called.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nerwb.errors import PredictError
from nerwb.predict.inputs import InputArticle
from nerwb.predict.local import Entity

# A local Ray is a guest on the user's machine: a small object store (articles are small and
# stream through) and no dashboard. Ray's floor for the store is 75 MB.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024**2
CONNECT_TIMEOUT_S = 3.0  # an unreachable --address fails in seconds, not Ray's minute of retries


class _Predictor:
    """One Ray actor: loads the pipeline once, then annotates batch after batch."""

    def __init__(self, model: str, max_length: int | None, batch_size: int) -> None:
        from nerwb.predict.model import load_pipeline

        self.nlp = load_pipeline(Path(model), max_length=max_length)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from nerwb.predict.local import annotate

        texts = [str(t) for t in batch["text"]]
        found = [
            json.dumps(ents)
            for _, ents in annotate(self.nlp, texts, str, batch_size=self.batch_size)
        ]
        return {"i": batch["i"], "entities": np.array(found, dtype=object)}


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
            f"--address {address!r} is not HOST:PORT (e.g. 127.0.0.1:6379, from `ray start --head`)"
        )
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as err:
        raise PredictError(
            f"cannot reach a Ray cluster at --address {address} ({err.strerror or err} within "
            f"{CONNECT_TIMEOUT_S:g} s); start one with `ray start --head --node-ip-address "
            "127.0.0.1` or leave --address out for a local Ray"
        ) from None


def preflight(address: str | None) -> None:
    """Ray is installed and ``address`` (if any) answers.

    Raises:
        PredictError: either is not so.
    """
    if not ray_available():
        raise PredictError(
            "--engine ray needs Ray Data: pip install 'nerwb[ray]' (or `make ray` in the repository)"
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
        raise PredictError(f"cannot start or join Ray ({type(err).__name__}: {err})") from None
    try:
        yield
    finally:
        ray.shutdown()


def predict_ray(
    model: Path,
    articles: list[InputArticle],
    *,
    batch_size: int,
    actors: int,
    max_length: int | None,
) -> Iterator[tuple[InputArticle, list[Entity]]]:
    """Yield each article with its entities, in input order; call inside ``ray_session``."""
    import ray.data

    if not articles:
        return
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False  # the CLI draws its own; library code prints nothing
    dataset = ray.data.from_items(
        [{"i": i, "text": a.text} for i, a in enumerate(articles)],
        override_num_blocks=max(1, min(len(articles) // batch_size, actors * 8)),
    )
    results = dataset.map_batches(
        _Predictor,
        fn_constructor_kwargs={
            "model": str(Path(model).resolve()),
            "max_length": max_length,
            "batch_size": batch_size,
        },
        batch_size=batch_size,
        batch_format="numpy",
        concurrency=actors,
        num_cpus=1,
    )
    for batch in results.iter_batches(batch_size=batch_size, batch_format="numpy"):
        for i, found in zip(batch["i"], batch["entities"], strict=True):
            entities = [tuple(e) for e in json.loads(str(found))]
            yield articles[int(i)], entities  # type: ignore[misc]
