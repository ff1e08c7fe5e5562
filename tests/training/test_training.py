"""Real (tiny) spaCy training runs on the demo corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from conftest import prepare_demo_gold, snapshot_tree
from nerwb.cli.train import parse_overrides
from nerwb.errors import TrainingError
from nerwb.training.config import load_training_config
from nerwb.training.curve import estimate, fit_log

TINY = (
    "--training.max_steps",
    "12",
    "--training.eval_frequency",
    "6",
    "--components.tok2vec.model.encode.width",
    "32",
)


@pytest.fixture
def trained_ws(ws):
    """Demo corpus imported as gold, split, converted: ready to train."""
    prepare_demo_gold(ws)
    return ws


def test_train_cli_writes_models_and_manifest(trained_ws, cli) -> None:
    ws = trained_ws
    out = ws.root / "training" / "run1"
    result = cli("train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, *TINY, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert (out / "model-best" / "meta.json").exists() and (out / "model-last").is_dir()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"]["training.max_steps"] == 12
    assert manifest["steps"] == 12
    assert manifest["labels"] == ["ARMED_GROUP", "CASUALTY_FIGURE", "DESIGNATION"]
    assert (
        manifest["data"]["train"]["sha256"]
        and manifest["data"]["train"]["spans"]["ARMED_GROUP"] > 0
    )
    assert manifest["seed"] == 0 and "ents_f" in manifest["best_dev"]
    assert "[training]" in manifest["config"] and "Dev scores" in result.stdout
    # a second run into the same folder is refused; nothing of the first is lost
    before = snapshot_tree(out)
    again = cli("train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, *TINY, "-w", ws.root)
    assert again.exit_code == 1 and "already holds a run" in again.stderr
    assert snapshot_tree(out) == before
    forced = cli(
        "train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, *TINY, "--force", "-w", ws.root
    )
    assert forced.exit_code == 0


def test_train_refuses_test_set_as_train_or_dev(trained_ws, cli) -> None:
    ws = trained_ws
    for option in ("--train", "--dev"):
        result = cli("train", option, ws.docbin_path("test"), *TINY, "-w", ws.root)
        assert result.exit_code == 1
        assert "is the held-out test set" in result.stderr
    # a copy of the test DocBin under another name is still recognised by its articles
    copy = ws.root / "sneaky.spacy"
    copy.write_bytes(ws.docbin_path("test").read_bytes())
    result = cli("train", "--dev", copy, *TINY, "-w", ws.root)
    assert result.exit_code == 1 and "contains test articles" in result.stderr
    assert not list((ws.root / "training").glob("*"))


def test_train_bad_inputs(trained_ws, cli, tmp_path: Path) -> None:
    ws = trained_ws
    result = cli("train", "-c", tmp_path / "nope.cfg", "-w", ws.root)
    assert result.exit_code == 1 and "nope.cfg does not exist" in result.stderr
    result = cli("train", "--train", tmp_path / "missing.spacy", *TINY, "-w", ws.root)
    assert result.exit_code == 1 and "missing.spacy does not exist" in result.stderr
    result = cli("train", "--bogus.key", "1", "-w", ws.root)
    assert result.exit_code == 1 and "has no section [bogus]" in result.stderr
    result = cli("train", "--training.no_such_key", "1", "-w", ws.root)
    assert result.exit_code == 1 and "has no setting 'no_such_key'" in result.stderr
    empty = tmp_path / "empty.spacy"
    DocBin().to_disk(empty)
    result = cli("train", "--train", empty, *TINY, "-w", ws.root)
    assert result.exit_code == 1 and "has no documents" in result.stderr
    # dev has a label that train lacks
    only_ag = tmp_path / "only_ag.spacy"
    from nerwb.text import blank

    docs = list(DocBin().from_disk(ws.docbin_path("train")).get_docs(blank("en").vocab))
    for doc in docs:
        doc.ents = [e for e in doc.ents if e.label_ == "ARMED_GROUP"]
    DocBin(docs=docs, store_user_data=True).to_disk(only_ag)
    result = cli("train", "--train", only_ag, *TINY, "-w", ws.root)
    assert result.exit_code == 1
    assert "label(s) CASUALTY_FIGURE, DESIGNATION that the training data" in result.stderr


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


def test_curve_fit_and_estimates() -> None:
    _, b = fit_log([10, 20, 40], [0.5, 0.6, 0.7])
    assert b == pytest.approx(0.1 / 0.6931, rel=1e-3)
    rising = estimate("X", [10, 20, 40], [0.5, 0.6, 0.7], target=0.8)
    assert rising.articles_needed == 40  # 80 articles reach 0.8: 40 more
    flat = estimate("Y", [10, 20, 40], [0.5, 0.5, 0.501], target=0.8)
    assert flat.articles_needed is None and "too flat" in flat.note
    assert estimate("Z", [10, 40], [0.85, 0.9], target=0.8).articles_needed == 0


def test_train_overrides_parsing() -> None:
    assert parse_overrides(
        ["--training.max_steps", "5", "--nlp.lang=en", "--training.dropout", "0.3"]
    ) == {
        "training.max_steps": 5,
        "nlp.lang": "en",
        "training.dropout": 0.3,
    }
    with pytest.raises(TrainingError, match="unexpected argument 'stray'"):
        parse_overrides(["stray"])


@pytest.mark.parametrize("name", ["ner-fast.cfg", "ner-accuracy.cfg", "ner-transformer.cfg"])
def test_train_committed_configs_are_valid(name: str) -> None:
    from conftest import REPO

    config = load_training_config(REPO / "configs" / name, {})
    assert config["nlp"]["pipeline"][-1] == "ner"
    assert config.interpolate()["training"]["max_steps"] > 0
    head = (REPO / "configs" / name).read_text().splitlines()[0]
    assert head.startswith(f"# {name}:")
    if name != "ner-transformer.cfg":
        import spacy

        spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


def test_data_summary_matches_spacys_docs(tmp_path: Path) -> None:
    """The summary reads token arrays, not Docs: it must count what spaCy's Docs hold."""
    import spacy
    from spacy.tokens import Doc

    from nerwb.training.data import summarise

    nlp = spacy.blank("en")
    Doc.set_extension("nerwb_test_note", default=None, force=True)
    first = nlp("IRGC and Kata'ib Hezbollah killed more than 20 people.")
    first.ents = [first.char_span(0, 4, "ARMED_GROUP"), first.char_span(34, 53, "CASUALTY_FIGURE")]
    first.user_data["nerwb_article_id"] = "a1"
    first.user_data["nerwb_split"] = "train"
    first._.nerwb_test_note = "tuple-keyed user data"
    second = nlp("No entities here.")  # no user data at all
    third = nlp("The foreign terrorist organisation list grew.")
    third.ents = [third.char_span(4, 34, "DESIGNATION")]
    third.user_data["nerwb_article_id"] = "a3"
    path = tmp_path / "train.spacy"
    DocBin(docs=[first, second, third], store_user_data=True).to_disk(path)

    summary = summarise(path, role="training")
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    expected: dict[str, int] = {}
    for doc in docs:
        for ent in doc.ents:
            expected[ent.label_] = expected.get(ent.label_, 0) + 1
    assert summary.spans == expected == {"ARMED_GROUP": 1, "CASUALTY_FIGURE": 1, "DESIGNATION": 1}
    assert summary.docs == 3 and summary.article_ids == ["a1", "a3"]
    assert summary.splits == {"train"}

    garbage = tmp_path / "garbage.spacy"
    garbage.write_bytes(b"not a docbin")
    with pytest.raises(TrainingError, match=r"garbage\.spacy is not a spaCy DocBin"):
        summarise(garbage, role="training")


def test_train_refuses_pretrained_weights_spacy_would_ignore(trained_ws, cli, tmp_path) -> None:
    """spaCy silently skips init_tok2vec without a [pretraining] section: nerwb says so."""
    ws = trained_ws
    weights = tmp_path / "model50.bin"
    weights.write_bytes(b"weights")
    before = snapshot_tree(ws.root)
    result = cli("train", "--paths.init_tok2vec", weights, *TINY, "-w", ws.root)
    assert result.exit_code == 1
    assert "has no [pretraining] section, so spaCy would ignore the weights" in result.stderr
    result = cli("train", "--paths.init_tok2vec", tmp_path / "gone.bin", *TINY, "-w", ws.root)
    assert result.exit_code == 1 and "gone.bin do not exist" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_dev_scores_counts_each_document(tmp_path: Path) -> None:
    """Per-document counts (the bootstrap's input) must add up to spaCy's own dev F."""
    import spacy

    from nerwb.evaluate.dev import dev_scores

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "ARMED_GROUP", "pattern": "IRGC"},
            {"label": "ARMED_GROUP", "pattern": "Hamas"},  # spurious in the second document
            {"label": "DESIGNATION", "pattern": "terror list"},
        ]
    )
    model = tmp_path / "model"
    nlp.to_disk(model)
    gold = spacy.blank("en")
    first = gold("IRGC was put on the terror list.")
    first.ents = [first.char_span(0, 4, "ARMED_GROUP"), first.char_span(20, 31, "DESIGNATION")]
    second = gold("Hamas said 608 American troops died.")
    second.ents = [second.char_span(11, 30, "CASUALTY_FIGURE")]
    dev = tmp_path / "dev.spacy"
    DocBin(docs=[first, second]).to_disk(dev)

    overall, per_label, per_doc = dev_scores(model, dev, "en")
    assert [(d.tp, d.n_pred, d.n_gold) for d in per_doc] == [
        (
            {"ARMED_GROUP": 1, "DESIGNATION": 1},
            {"ARMED_GROUP": 1, "DESIGNATION": 1},
            {"ARMED_GROUP": 1, "DESIGNATION": 1},
        ),
        ({}, {"ARMED_GROUP": 1}, {"CASUALTY_FIGURE": 1}),
    ]
    # 2 right of 3 predicted, 2 found of 3 gold: P = R = F = 2/3
    assert overall == pytest.approx(2 / 3)
    assert per_label["DESIGNATION"] == pytest.approx(1.0)
    assert per_label["ARMED_GROUP"] == pytest.approx(2 / 3)
