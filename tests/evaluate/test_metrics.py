"""metrics.json through EvalMetrics: the same keys, values and bytes as before the types."""

from __future__ import annotations

import json

from nerwb.evaluate.metrics import EvalMetrics

PRF = {"p": 0.5, "r": 0.25, "f": 1 / 3}
METRICS = {
    "model": "training/run/model-best",
    "data": "labels/test.spacy",
    "data_sha256": "ab" * 32,
    "n_docs": 2,
    "n_gold": 4,
    "n_pred": 2,
    "micro": {"strict": PRF, "exact": PRF, "partial": PRF, "type": PRF},
    "micro_f_ci95": [0.0, 0.8],
    "per_label": {
        "ORG": {
            **PRF,
            "support": 4,
            "predicted": 2,
            "exact": PRF,
            "partial": PRF,
            "type": PRF,
            "f_ci95": [0.1, 0.9],
        }
    },
    "words_per_second": 1234.5,
    "unseen_labels": ["WEAPON"],
    "bootstrap": {"resamples": 10, "seed": 0, "unit": "document"},
    "errors_by_kind": {"missed": 2, "spurious": 0, "wrong_type": 0, "wrong_boundary": 0},
    "conversion": {
        "on_misaligned": "expand",
        "on_overlap": "error",
        "spans_in": 4,
        "changed": 1,
        "skipped": 0,
        "events": [{"kind": "misaligned", "action": "expand", "span": [0, 3, "ORG"]}],
    },
    "training": {
        "manifest": "training/run/manifest.json",
        "config_file": "configs/ner.cfg",
        "config_sha256": "cd" * 32,
        "steps": 6,
        "seed": 0,
        "train_docs": 3,
        "dev_docs": 1,
        "best_dev_f": 0.5,
        "finished": "2026-12-01T00:00:00+00:00",
    },
    "created": "2026-12-01T00:00:00+00:00",
}


def test_metrics_round_trip_is_byte_identical() -> None:
    raw = json.dumps(METRICS, indent=2)
    assert json.dumps(EvalMetrics.from_json(json.loads(raw)).to_json(), indent=2) == raw


def test_metrics_without_training_manifest_round_trip() -> None:
    data = {**METRICS, "training": None}
    metrics = EvalMetrics.from_json(data)
    assert metrics.training is None
    assert metrics.per_label["ORG"].f_ci95 == (0.1, 0.9)
    assert metrics.to_json() == data


def test_metrics_with_seen_unseen_split_round_trip() -> None:
    score = {
        "gold": 3,
        "found": 1,
        "recall": 1 / 3,
        "predicted": 2,
        "correct": 1,
        "precision": 0.5,
        "recall_ci95": [0.0, 1.0],
    }
    none = {**score, "gold": 0, "found": 0, "recall": None, "recall_ci95": None}
    data = {
        **METRICS,
        "seen_unseen": {
            "train_data": "training/run/manifest.json (4 training names)",
            "train_names": 4,
            "train_names_sha256": "ef" * 32,
            "seen": {"pooled": none, "per_label": {"ORG": none}},
            "unseen": {"pooled": score, "per_label": {"ORG": score}},
        },
    }
    metrics = EvalMetrics.from_json(data)
    assert metrics.seen_unseen is not None
    assert metrics.seen_unseen.unseen.per_label["ORG"].recall_ci95 == (0.0, 1.0)
    assert metrics.seen_unseen.seen.pooled.recall is None
    assert metrics.to_json() == data
    noted = {**METRICS, "seen_unseen_note": "no manifest.json beside the model"}
    assert EvalMetrics.from_json(noted).to_json() == noted
