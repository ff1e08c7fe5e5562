"""The learning curve: a real (tiny) run, and the log fit's estimates."""

from __future__ import annotations

import json

import pytest

from conftest import TINY
from nerwb.evaluate.novelty import Novelty, novelty_counts, novelty_split
from nerwb.training.curve import CurvePoint, estimate, fit_log


@pytest.mark.slow  # trains one run per share and seed
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
    # dev recall on names seen / unseen in each run's training sample, per label
    for point in data["points"]:
        split = point["seen_unseen"]
        assert set(split) == {"seen", "unseen"}
        assert set(split["unseen"]["per_label"]) == set(point["per_label"])
        dev_gold = sum(s["gold"] for s in (split["seen"]["pooled"], split["unseen"]["pooled"]))
        assert dev_gold > 0
    # the dev set is the same at every share: its gold entities are split differently, not counted so
    assert (
        len({sum(s["pooled"]["gold"] for s in p["seen_unseen"].values()) for p in data["points"]})
        == 1
    )
    assert "Dev recall on names unseen in the run's training sample" in result.stdout
    # what a novel batch could still find: candidates in the unpushed train segments (nothing
    # is pushed here) whose text is not among the labelled data's names, counted by hand
    from nerwb.select.candidates import candidate_names, labelled_names
    from nerwb.select.pool import selected_segments

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


def test_curve_point_summarises_seen_and_unseen_recall_over_seeds() -> None:
    text = "A B C D"
    gold = [(0, 1, "G"), (2, 3, "G"), (4, 5, "X"), (6, 7, "G")]
    point = CurvePoint(1.0, 4)
    # seed 0 saw "a": finds A and B; seed 1 saw "a" and "b": finds A only
    for seen, pred in (({"a"}, gold[:2]), ({"a", "b"}, gold[:1])):
        counts = [novelty_counts(text, gold, pred, seen)]
        point.names.append(novelty_split(counts, ["G", "X"], train_data="t", train_names=len(seen)))
    unseen = point.names_summary(Novelty.UNSEEN)
    # seed 0: unseen B, C, D, found B (1/3); seed 1: unseen C, D, found none (0/2)
    assert unseen["gold"] == 2.5
    assert unseen["recall"]["mean"] == pytest.approx((1 / 3 + 0) / 2)
    assert unseen["recall"]["max"] == pytest.approx(1 / 3)
    assert unseen["precision"] == {"mean": 1.0, "stdev": 0.0, "min": 1.0, "max": 1.0}
    seen_x = point.names_summary(Novelty.SEEN, "X")
    assert seen_x == {"gold": 0.0, "recall": None, "precision": None}
    assert point.names_summary(Novelty.SEEN)["recall"]["mean"] == 0.75  # 1/1 and 1/2
