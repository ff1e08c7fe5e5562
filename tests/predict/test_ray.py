"""The Ray Data engine against a real local Ray (the ``nerwb[ray]`` extra; CI installs it)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, write_jsonl
from nerwb.errors import PredictError
from nerwb.predict.inputs import InputSource
from nerwb.predict.options import Engine, PredictOptions
from nerwb.predict.output import parts_folder
from nerwb.predict.ray_engine import ray_available
from nerwb.predict.run import predict

pytestmark = [
    pytest.mark.slow,  # starts a real Ray
    pytest.mark.skipif(
        not ray_available(),
        reason="Ray Data is not installed: pip install 'nerwb[ray]' or `make ray` (CI does)",
    ),
]


def test_ray_engine_output_identical_to_local(model: Path, tmp_path: Path) -> None:
    records = [json.loads(line) for line in DEMO_ARTICLES.read_text().splitlines()]
    long_text = "\n\n".join(r["text"] for r in records[:4])  # cut into pieces by both engines
    inputs = write_jsonl(tmp_path / "in.jsonl", [*records, {"id": "long", "text": long_text}])
    source = InputSource(paths=(inputs,))
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    predict(PredictOptions(model, source, local, max_length=500, part_size=10))
    report = predict(
        PredictOptions(
            model,
            source,
            ray_out,
            engine=Engine.RAY,
            actors=2,
            batch_size=8,
            max_length=500,
            part_size=10,
        )
    )
    assert report.records == len(records) + 1
    assert ray_out.read_bytes() == local.read_bytes()
    assert sum(len(json.loads(line)["entities"]) for line in ray_out.read_text().splitlines()) > 0
    import ray

    assert not ray.is_initialized()  # the engine shut its local Ray down


def test_ray_unreachable_address_fails_fast(model: Path, tmp_path: Path, cli) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inputs = write_jsonl(tmp_path / "in.jsonl", [{"text": "Fighting near Basra left 3 dead."}])
    out = tmp_path / "out.jsonl"
    result = cli(
        "predict", model, inputs, "-o", out, "--engine", "ray", "--address", f"127.0.0.1:{port}"
    )
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert f"cannot reach a Ray cluster at --address 127.0.0.1:{port}" in said
    assert "or leave --address out for a local Ray" in said
    assert not out.exists()
    with pytest.raises(PredictError, match="is not HOST:PORT"):
        predict(
            PredictOptions(
                model,
                InputSource(paths=(inputs,)),
                out,
                engine=Engine.RAY,
                address="nowhere",
                force=True,
            )
        )
    assert not parts_folder(out).exists()
