"""Recall on seen and unseen names in `nerwb evaluate` and `nerwb compare`, on hand-made data
whose counts are known.

The "model" is an entity ruler named ``ner`` (a real spaCy pipeline whose output is known
exactly); its run manifest lists the training names as `nerwb train` writes them.

Training names: al shabaab, islamic state, 12 people. Test documents and what the ruler finds:

    1. [Al Shabaab]G seen, found; [Boko Haram]G unseen, found
    2. [Islamic State]G seen, missed; [JNIM]G unseen, found; [12 people]F seen, found
    3. [Ansar Dine]G unseen, missed; [30 soldiers]F unseen, missed; "Mogadishu" spurious G (unseen)

    seen:   G gold 2 found 1, predicted 1 correct 1;  F gold 1 found 1, predicted 1 correct 1
    unseen: G gold 3 found 2, predicted 3 correct 2;  F gold 1 found 0, predicted 0
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import doc_with_ents, snapshot_tree
from nerwb.io import sha256_of
from nerwb.labels.gold_names import gold_names
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.training.run import train_gold_names

TRAIN = [
    doc_with_ents("Al Shabaab attacked a town.", [("Al Shabaab", "G")]),
    doc_with_ents(
        "The Islamic State claimed it; 12 people died.",
        [("Islamic State", "G"), ("12 people", "F")],
    ),
]
TEST = [
    doc_with_ents("Al Shabaab and Boko Haram clashed.", [("Al Shabaab", "G"), ("Boko Haram", "G")]),
    doc_with_ents(
        "Islamic State and JNIM met; 12 people died.",
        [("Islamic State", "G"), ("JNIM", "G"), ("12 people", "F")],
    ),
    doc_with_ents(
        "Ansar Dine said 30 soldiers died in Mogadishu.",
        [("Ansar Dine", "G"), ("30 soldiers", "F")],
    ),
]
PATTERNS = [
    ("G", "Al Shabaab"),
    ("G", "Boko Haram"),
    ("G", "JNIM"),
    ("G", "Mogadishu"),
    ("F", "12 people"),
]


def ruler_model(run: Path, patterns: list[tuple[str, str]]) -> Path:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in patterns])
    model = run / "model-best"
    run.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model)
    return model


def write_manifest(run: Path, train: Path, *, with_names: bool = True) -> None:
    TrainingManifest(
        data={"train": {"path": str(train), "sha256": sha256_of(train)}},
        train_gold_names=train_gold_names(train) if with_names else None,
    ).save(manifest_path(run))


@pytest.fixture
def setup(ws, tmp_path):
    train = tmp_path / "train.spacy"
    DocBin(docs=TRAIN).to_disk(train)
    test = tmp_path / "test.spacy"
    DocBin(docs=TEST).to_disk(test)
    model = ruler_model(tmp_path / "run", PATTERNS)
    return ws, train, test, model


def counts(score: dict) -> tuple:
    return score["gold"], score["found"], score["predicted"], score["correct"]


def check_known_split(split: dict) -> None:
    seen, unseen = split["seen"], split["unseen"]
    assert counts(seen["per_label"]["G"]) == (2, 1, 1, 1)
    assert counts(seen["per_label"]["F"]) == (1, 1, 1, 1)
    assert counts(seen["pooled"]) == (3, 2, 2, 2)
    assert counts(unseen["per_label"]["G"]) == (3, 2, 3, 2)
    assert counts(unseen["per_label"]["F"]) == (1, 0, 0, 0)
    assert counts(unseen["pooled"]) == (4, 2, 3, 2)
    assert unseen["pooled"]["recall"] == pytest.approx(0.5)
    assert unseen["per_label"]["G"]["precision"] == pytest.approx(2 / 3)
    assert unseen["per_label"]["F"]["precision"] is None  # no prediction: undefined, not 0
    assert seen["pooled"]["recall"] == pytest.approx(2 / 3)
    low, high = unseen["pooled"]["recall_ci95"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0
    assert split["train_names"] == 3


def only_folder(ws) -> Path:
    (folder,) = list(ws.evaluate_dir.iterdir())
    return folder


def test_evaluate_splits_seen_and_unseen_from_the_manifest(setup, cli) -> None:
    ws, train, test, model = setup
    write_manifest(model.parent, train)
    result = cli("evaluate", model, test, "--bootstrap", "200", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    folder = only_folder(ws)
    metrics = json.loads((folder / "metrics.json").read_text())
    check_known_split(metrics["seen_unseen"])
    assert metrics["seen_unseen"]["train_data"] == str(model.parent / "manifest.json")
    assert "seen_unseen_note" not in metrics
    # the CLI tables, unseen then seen: pooled row, then each label
    assert "Names unseen in training (3 training names)" in result.stdout
    assert "Names seen in training (3 training names)" in result.stdout
    unseen_table, seen_table = result.stdout.split("Names unseen in training")[1].split(
        "Names seen in training"
    )
    assert "50.0" in unseen_table and "66.7" in seen_table
    report = (folder / "report.md").read_text()
    assert "## Seen and unseen names (strict)" in report
    assert "| all | 3 | 66.7 |" in report
    assert "| F | 1 | 100.0 |" in report and "| 1 | 0.0 |" in report
    # per-document counts for `nerwb compare`
    docs = [json.loads(line) for line in (folder / "per_doc.jsonl").read_text().splitlines()]
    assert docs[2]["unseen"]["n_gold"] == {"G": 1, "F": 1} and docs[2]["unseen"]["tp"] == {}
    html = (folder / "report.html").read_text()
    assert "id='seen-unseen'" in html and "id='f-names'" in html
    # errors: Islamic State missed (seen); Ansar Dine, 30 soldiers missed and Mogadishu spurious
    assert html.count("data-names='seen'") == 1 and html.count("data-names='unseen'") == 3
    errors = [json.loads(line) for line in (folder / "errors.jsonl").read_text().splitlines()]
    assert sorted((e["text"], e["names"]) for e in errors) == [
        ("30 soldiers", "unseen"),
        ("Ansar Dine", "unseen"),
        ("Islamic State", "seen"),
        ("Mogadishu", "unseen"),
    ]


def test_evaluate_tables_fit_80_columns_with_whole_label_names(
    tiny_model, cli, monkeypatch, tmp_path
) -> None:
    # issue 32.5: one nine-column table was cut to "ARMED…" and "unse…" on an 80-column terminal
    ws, model = tiny_model
    monkeypatch.setenv("COLUMNS", "80")
    out = tmp_path / "eval"
    result = cli(
        "evaluate", model, ws.docbin_path("test"), "-o", out, "--bootstrap", "50", "-w", ws.root
    )
    assert result.exit_code == 0, result.stderr
    assert "Names unseen in training" in result.stdout  # the manifest gave the split
    # the tables (a path printed whole may be longer: it is not cut, so it stays usable)
    tables = [line for line in result.stdout.splitlines() if set(line) & set("│┃━─┏┗")]
    assert len(tables) > 10
    wide = [line for line in tables if len(line) > 80]
    assert not wide, wide
    assert "…" not in result.stdout
    for label in ("ARMED_GROUP", "CASUALTY_FIGURE", "DESIGNATION"):
        assert result.stdout.count(label) == 3  # scores, unseen and seen tables, whole


def test_evaluate_without_manifest_leaves_the_split_out_with_a_note(setup, cli) -> None:
    ws, _, test, model = setup
    result = cli("evaluate", model, test, "--bootstrap", "50", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((only_folder(ws) / "metrics.json").read_text())
    assert "seen_unseen" not in metrics
    assert (
        "no manifest.json beside the model and no training data named"
        in metrics["seen_unseen_note"]
    )
    assert "Seen/unseen names: no manifest.json" in result.stdout.replace("\n", " ")
    assert "pass --train-data FILE" in result.stdout.replace("\n", " ")
    report = (only_folder(ws) / "report.md").read_text()
    assert "Seen and unseen names: no manifest.json" in report
    assert "id='f-names'" not in (only_folder(ws) / "report.html").read_text()
    errors = (only_folder(ws) / "errors.jsonl").read_text().splitlines()
    assert errors and all("names" not in json.loads(line) for line in errors)


def test_evaluate_with_train_data_option(setup, cli) -> None:
    ws, train, test, model = setup
    result = cli("evaluate", model, test, "--train-data", train, "--bootstrap", "50", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((only_folder(ws) / "metrics.json").read_text())
    check_known_split(metrics["seen_unseen"])
    assert metrics["seen_unseen"]["train_data"] == str(train)


def test_older_manifest_rebuilds_names_from_an_unchanged_training_file(setup, cli) -> None:
    ws, train, test, model = setup
    write_manifest(model.parent, train, with_names=False)
    result = cli("evaluate", model, test, "--bootstrap", "50", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    check_known_split(json.loads((only_folder(ws) / "metrics.json").read_text())["seen_unseen"])


def test_older_manifest_with_a_changed_training_file_leaves_the_split_out(setup, cli) -> None:
    ws, train, test, model = setup
    write_manifest(model.parent, train, with_names=False)
    DocBin(docs=TRAIN[:1]).to_disk(train)  # the file changed after training
    result = cli("evaluate", model, test, "--bootstrap", "50", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((only_folder(ws) / "metrics.json").read_text())
    assert "seen_unseen" not in metrics
    note = metrics["seen_unseen_note"]
    assert f"the training data {train} has changed since the model was trained" in note
    assert "naming the model's training data measures it" in note


def test_missing_train_data_is_refused_with_nothing_written(setup, cli, tmp_path) -> None:
    ws, _, test, model = setup
    before = snapshot_tree(ws.root)
    missing = tmp_path / "nope.spacy"
    result = cli("evaluate", model, test, "--train-data", missing, "-w", ws.root)
    assert result.exit_code == 1
    assert f"training data {missing} does not exist" in result.stderr
    assert snapshot_tree(ws.root) == before
    bad = tmp_path / "bad.spacy"
    bad.write_text("not a DocBin")
    result = cli("evaluate", model, test, "--train-data", bad, "-w", ws.root)
    assert result.exit_code == 1 and f"training data {bad} is not a spaCy DocBin" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_compare_reports_paired_recall_on_seen_and_unseen_names(setup, cli, tmp_path) -> None:
    ws, train, test, model_a = setup
    write_manifest(model_a.parent, train)
    model_b = ruler_model(tmp_path / "run-b", [p for p in PATTERNS if p[1] != "JNIM"])
    write_manifest(model_b.parent, train)
    for model, out in ((model_a, "a"), (model_b, "b")):
        result = cli(
            "evaluate", model, test, "-o", tmp_path / out, "--bootstrap", "50", "-w", ws.root
        )
        assert result.exit_code == 0, result.stderr
    result = cli("compare", tmp_path / "a", tmp_path / "b", "--bootstrap", "300", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    unseen = data["seen_unseen"]["unseen"]
    assert (unseen["all"]["recall_a"], unseen["all"]["recall_b"]) == (0.5, 0.25)
    assert unseen["all"]["diff"] == pytest.approx(0.25)
    assert unseen["G"]["gold_a"] == unseen["G"]["gold_b"] == 3
    assert unseen["F"]["diff"] == 0.0 and unseen["F"]["precision_a"] is None
    low, high = unseen["all"]["ci95"]
    assert 0.0 <= low <= 0.25 <= high
    assert data["seen_unseen"]["seen"]["all"]["diff"] == 0.0
    assert "seen_unseen_note" not in data  # same training names on both sides
    table = cli("compare", tmp_path / "a", tmp_path / "b", "--bootstrap", "100")
    assert "Recall on unseen names" in table.stdout and "Recall on seen names" in table.stdout
    unseen_table = table.stdout.split("Recall on unseen names")[1].split("Recall on seen")[0]
    assert "0.500" in unseen_table and "0.250" in unseen_table and "+0.250" in unseen_table


def test_compare_notes_a_run_without_the_split(setup, cli, tmp_path) -> None:
    ws, train, test, model = setup
    assert (
        cli(
            "evaluate", model, test, "-o", tmp_path / "a", "--bootstrap", "50", "-w", ws.root
        ).exit_code
        == 0
    )
    write_manifest(model.parent, train)
    assert (
        cli(
            "evaluate", model, test, "-o", tmp_path / "b", "--bootstrap", "50", "-w", ws.root
        ).exit_code
        == 0
    )
    result = cli("compare", tmp_path / "a", tmp_path / "b", "--json")
    data = json.loads(result.stdout)
    assert "seen_unseen" not in data
    assert data["seen_unseen_note"].startswith(f"{tmp_path / 'a'} has no seen/unseen split")


def _chromium() -> str | None:
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


@pytest.mark.browser
def test_error_browser_filters_to_unseen_names_in_headless_chromium(setup, cli, tmp_path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed here (.ci/run installs Debian's chromium package)")
    ws, train, test, model = setup
    write_manifest(model.parent, train)
    assert (
        cli(
            "evaluate", model, test, "-o", tmp_path / "r", "--bootstrap", "50", "-w", ws.root
        ).exit_code
        == 0
    )
    page = (tmp_path / "r" / "report.html").resolve()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]

    def dom(fragment: str) -> str:
        return subprocess.run(
            [browser, *flags, "--dump-dom", page.as_uri() + fragment],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    shown = dom("")
    assert "2 document(s) shown" in shown  # documents 2 and 3 have errors
    assert 'id="seen-unseen"' in shown and "<td>all</td>" in shown
    unseen = dom("#names=unseen")
    assert "1 document(s) shown" in unseen  # only document 3's errors are unseen names
    assert (
        unseen.count('class="err hidden" data-kind="missed" data-label="G" data-names="seen"') == 1
    )
    seen = dom("#names=seen")
    assert "1 document(s) shown" in seen
    assert seen.count('data-names="unseen"') == 3 and seen.count('class="err hidden"') == 3
    assert gold_names(TRAIN) == {"al shabaab", "islamic state", "12 people"}
