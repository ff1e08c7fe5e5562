"""The learning curve: a real (tiny) run, and the log fit's estimates."""

from __future__ import annotations

import json

import pytest

from conftest import TINY
from nerwb.training.curve import estimate, fit_log


def test_train_curve_per_label_estimates_and_plot(trained_ws, cli) -> None:
    ws = trained_ws
    out = ws.root / "training" / "curve"
    result = cli(
        "train-curve",
        "-c",
        ws.configs_dir / "ner-fast.cfg",
        "--fractions",
        "0.5,1.0",
        "--seeds",
        "1",
        "-o",
        out,
        *TINY,
        "-w",
        ws.root,
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads((out / "curve.json").read_text())
    assert [p["fraction"] for p in data["points"]] == [0.5, 1.0]
    assert data["points"][0]["articles"] < data["points"][1]["articles"]
    assert {e["label"] for e in data["estimates"]} <= {
        "ARMED_GROUP",
        "CASUALTY_FIGURE",
        "DESIGNATION",
    }
    assert (out / "curve.png").read_bytes()[:4] == b"\x89PNG"
    # what a novel batch could still find: candidates in the unpushed train segments (nothing
    # is pushed here) whose text is not among the labelled data's names, counted by hand
    from nerwb.doccano.push import selected_segments
    from nerwb.predict.candidates import candidate_names, labelled_names

    texts = [s.text for s, _, _ in selected_segments(ws, ["train"])]
    unseen = set().union(*candidate_names(texts)) - labelled_names(ws.gold_path)
    assert unseen
    assert (
        f"Unseen name candidates left in the unpushed pool: {len(unseen)} in {len(texts)} train"
        in " ".join(result.stdout.split())
    )


def test_curve_fit_and_estimates() -> None:
    _, b = fit_log([10, 20, 40], [0.5, 0.6, 0.7])
    assert b == pytest.approx(0.1 / 0.6931, rel=1e-3)
    rising = estimate("X", [10, 20, 40], [0.5, 0.6, 0.7], target=0.8)
    assert rising.articles_needed == 40  # 80 articles reach 0.8: 40 more
    flat = estimate("Y", [10, 20, 40], [0.5, 0.5, 0.501], target=0.8)
    assert flat.articles_needed is None and "too flat" in flat.note
    assert estimate("Z", [10, 40], [0.85, 0.9], target=0.8).articles_needed == 0
