"""nerwb evaluate and compare on a real tiny model trained on the demo corpus."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import spacy

from conftest import snapshot_tree, write_jsonl
from nerwb.corpus.splits import load_splits
from nerwb.evaluate.bootstrap import count_matrix, resample_weights, resampled_f
from nerwb.evaluate.run import load_run
from nerwb.training.options import TrainOptions
from nerwb.training.run import train

TINY = {
    "training.max_steps": 40,
    "training.eval_frequency": 20,
    "components.tok2vec.model.encode.width": 32,
}
ARTEFACTS = (
    "metrics.json",
    "report.md",
    "report.html",
    "errors.jsonl",
    "confusion.png",
    "per_label.png",
)


@pytest.fixture(scope="module")
def model_ws(tiny_model, tmp_path_factory):
    """The session's tiny model in a workspace of this module's own (evaluations write there)."""
    from nerwb.workspace import find_workspace

    ws, model = tiny_model
    root = tmp_path_factory.mktemp("eval") / "ws"
    shutil.copytree(ws.root, root)
    return find_workspace(root), root / model.relative_to(ws.root)


def test_evaluate_writes_all_artefacts_with_metrics_shape(model_ws, cli) -> None:
    ws, model = model_ws
    result = cli("evaluate", model, "--bootstrap", "200", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    (folder,) = [p for p in ws.evaluate_dir.iterdir() if p.name.startswith("tiny-model-best")]
    for name in ARTEFACTS:
        assert (folder / name).stat().st_size > 0, name
    m = json.loads((folder / "metrics.json").read_text())
    assert set(m) >= {
        "model",
        "data",
        "data_sha256",
        "n_docs",
        "n_gold",
        "n_pred",
        "micro",
        "per_label",
        "words_per_second",
    }
    assert set(m["micro"]) == {"strict", "exact", "partial", "type"}
    for s in m["per_label"].values():
        assert set(s) >= {"p", "r", "f", "support", "f_ci95"}
        assert (s["f_ci95"][0] <= s["f"] + 1e-9 and s["f_ci95"][1] >= s["f"] - 1e-9) or s[
            "support"
        ] == 0
    assert m["n_docs"] == len(load_splits(ws.splits_path).ids("test"))
    errors = [json.loads(line) for line in (folder / "errors.jsonl").read_text().splitlines()]
    assert {e["kind"] for e in errors} <= {"missed", "spurious", "wrong_type", "wrong_boundary"}
    assert all("⟦" in e["context"] for e in errors)
    md = (folder / "report.md").read_text()
    assert "## Per label (strict)" in md and "## Confusion" in md
    # a model from `nerwb train`: its manifest lists the training names, so the split is there
    split = m["seen_unseen"]
    assert split["train_names"] > 0 and split["train_data"].endswith("manifest.json")
    for group in ("seen", "unseen"):
        assert set(split[group]["per_label"]) == set(m["per_label"])
    assert split["seen"]["pooled"]["gold"] + split["unseen"]["pooled"]["gold"] == m["n_gold"]
    assert "## Seen and unseen names (strict)" in md


def test_evaluate_never_overwrites_a_report(model_ws, cli, tmp_path) -> None:
    ws, model = model_ws
    out = tmp_path / "report"
    assert cli("evaluate", model, "-o", out, "--bootstrap", "50", "-w", ws.root).exit_code == 0
    before = snapshot_tree(out)
    result = cli("evaluate", model, "-o", out, "--bootstrap", "50", "-w", ws.root)
    assert result.exit_code == 0
    assert snapshot_tree(out) == before
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("report")]) == 2


@pytest.mark.slow  # trains a second model
def test_evaluate_and_compare_paired(model_ws, cli, tmp_path) -> None:
    ws, model = model_ws
    other = train(
        ws,
        TrainOptions(
            config=ws.configs_dir / "ner-fast.cfg",
            output=tmp_path / "other",
            train_data=ws.docbin_path("train"),
            dev_data=ws.docbin_path("dev"),
            overrides={**TINY, "training.max_steps": 10, "training.seed": 7},
        ),
    )
    assert cli("evaluate", model, "-o", tmp_path / "a", "-w", ws.root).exit_code == 0
    assert (
        cli("evaluate", other.output / "model-best", "-o", tmp_path / "b", "-w", ws.root).exit_code
        == 0
    )
    result = cli("compare", tmp_path / "a", tmp_path / "b", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    micro = rows["micro"]
    assert (
        micro["ci95"][0] <= micro["diff"] <= micro["ci95"][1]
        or micro["ci95"][0] == micro["ci95"][1]
    )
    # P(A > B) is the share of the 1000 paired resamples (seed 0) where A's micro F is higher
    (metrics_a, docs_a), (metrics_b, docs_b) = load_run(tmp_path / "a"), load_run(tmp_path / "b")
    labels = sorted(set(metrics_a.per_label) | set(metrics_b.per_label))
    weights = resample_weights(len(docs_a), 1000, 0)
    f_a = resampled_f(count_matrix(docs_a, labels), weights)[1]
    f_b = resampled_f(count_matrix(docs_b, labels), weights)[1]
    assert micro["p_a_beats_b"] == float(np.mean(f_a - f_b > 0))
    # a run against itself: no difference, and A never beats B
    same = json.loads(cli("compare", tmp_path / "a", tmp_path / "a", "--json").stdout)["rows"]
    assert same["micro"]["diff"] == 0.0 and same["micro"]["ci95"] == [0.0, 0.0]
    assert same["micro"]["p_a_beats_b"] == 0.0
    assert set(rows) >= {"micro", "ARMED_GROUP"}
    # different data: refused
    assert (
        cli("evaluate", model, ws.docbin_path("dev"), "-o", tmp_path / "c", "-w", ws.root).exit_code
        == 0
    )
    refused = cli("compare", tmp_path / "a", tmp_path / "c")
    assert refused.exit_code == 1 and "different data" in refused.stderr


def test_evaluate_doccano_jsonl_and_unseen_labels(model_ws, cli, tmp_path) -> None:
    ws, model = model_ws
    data = write_jsonl(
        tmp_path / "extra.jsonl",
        [
            {
                "text": "Fighters of the Lions Brigade carried AK-47 rifles.",
                "label": [[16, 29, "ARMED_GROUP"], [38, 43, "WEAPON"]],
            },
        ],
    )
    result = cli("evaluate", model, data, "-o", tmp_path / "x", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "labels in the data that the model never saw: WEAPON" in result.stderr
    assert json.loads((tmp_path / "x" / "metrics.json").read_text())["unseen_labels"] == ["WEAPON"]


def test_evaluate_bad_inputs(model_ws, cli, tmp_path) -> None:
    ws, model = model_ws
    result = cli("evaluate", tmp_path / "nope", "-w", ws.root)
    assert result.exit_code == 1 and "does not exist" in result.stderr
    (tmp_path / "notamodel").mkdir()
    result = cli("evaluate", tmp_path / "notamodel", "-w", ws.root)
    assert result.exit_code == 1 and "is not a spaCy pipeline folder" in result.stderr
    no_ner = tmp_path / "no_ner"
    spacy.blank("en").to_disk(no_ner)
    result = cli("evaluate", no_ner, "-w", ws.root)
    assert result.exit_code == 1 and "has no 'ner' component" in result.stderr
    empty = write_jsonl(tmp_path / "empty.jsonl", [])
    before = snapshot_tree(ws.evaluate_dir) if ws.evaluate_dir.exists() else {}
    result = cli("evaluate", model, empty, "-w", ws.root)
    assert result.exit_code == 1 and "holds no documents" in result.stderr
    assert (snapshot_tree(ws.evaluate_dir) if ws.evaluate_dir.exists() else {}) == before
    result = cli("compare", tmp_path / "nope-a", tmp_path / "nope-b")
    assert result.exit_code == 1 and "is not an evaluation run" in result.stderr


def _chromium() -> str | None:
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


@pytest.mark.browser
def test_evaluate_report_renders_in_headless_chromium(model_ws, cli, tmp_path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed here (.ci/run installs Debian's chromium package)")
    ws, model = model_ws
    assert (
        cli("evaluate", model, "-o", tmp_path / "r", "--bootstrap", "50", "-w", ws.root).exit_code
        == 0
    )
    page = (tmp_path / "r" / "report.html").resolve()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert 'id="summary"' in dom
    assert "<td>strict</td>" in dom
    assert dom.count("<h4>Gold</h4>") >= 1 and dom.count("<h4>Prediction</h4>") == dom.count(
        "<h4>Gold</h4>"
    )
    assert 'class="entities"' in dom  # displaCy's rendering
    assert "document(s) shown" in dom  # the filter script ran in the browser
    assert dom.count('src="data:image/png;base64,') == 2  # the plots travel inside the page
    assert "<th>exact F</th><th>partial F</th><th>type F</th>" in dom
    assert 'id="training"' in dom and "best dev F" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:4] == b"\x89PNG"


def test_evaluate_label_without_support_and_few_documents(model_ws, cli, tmp_path) -> None:
    """A label with no gold span shows "—" in the CLI table as in the report, not 0.000 and an
    interval 0.000-0.000; with under 10 documents the intervals come with a caveat."""
    ws, model = model_ws
    data = write_jsonl(
        tmp_path / "two.jsonl",
        [
            {"text": "Fighters of the Lions Brigade attacked.", "label": [[16, 29, "ARMED_GROUP"]]},
            {"text": "Nothing happened in the valley today.", "label": []},
        ],
    )
    result = cli("evaluate", model, data, "-o", tmp_path / "x", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    per_label = json.loads((tmp_path / "x" / "metrics.json").read_text())["per_label"]
    unsupported = [label for label, s in per_label.items() if s["support"] == 0]
    assert unsupported, per_label  # the case under test is there
    # the scores table only: the seen/unseen table below it has rows of the same labels (which
    # only Rich's cut to 80 columns, "CASUALT…", once told apart)
    scores = result.stdout.split("Names unseen in training")[0]
    rows = {line.split("│")[1].strip(): line for line in scores.splitlines() if "│" in line}
    for label in unsupported:
        cells = [c.strip() for c in rows[label].split("│")[2:-1]]
        assert cells == ["—", "—", "—", "—", "0"], rows[label]
    assert "—: no gold span of that label in this data" in result.stdout
    message = " ".join(result.stderr.split())
    assert "only 2 document(s): the 95 % intervals resample the documents" in message
    assert "mean little" in (tmp_path / "x" / "report.md").read_text(encoding="utf-8")
    assert 'id="few-docs"' in (tmp_path / "x" / "report.html").read_text(encoding="utf-8")
