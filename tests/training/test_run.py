"""Real (tiny) spaCy training runs on the demo corpus: models, manifest and refusals."""

from __future__ import annotations

import json
from pathlib import Path

from spacy.tokens import DocBin

from conftest import TINY, snapshot_tree
from nerwb.records.training import TrainingManifest, manifest_path


def test_train_cli_writes_models_and_manifest(trained_ws, cli) -> None:
    ws = trained_ws
    out = ws.root / "training" / "run1"
    result = cli("train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, *TINY, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert (out / "model-best" / "meta.json").exists() and (out / "model-last").is_dir()
    manifest = TrainingManifest.load(manifest_path(out)).to_json()
    assert manifest["overrides"]["training.max_steps"] == 12
    assert manifest["steps"] == 12
    assert manifest["labels"] == ["ARMED_GROUP", "CASUALTY_FIGURE", "DESIGNATION"]
    assert (
        manifest["data"]["train"]["sha256"]
        and manifest["data"]["train"]["spans"]["ARMED_GROUP"] > 0
    )
    assert manifest["seed"] == 0 and "ents_f" in manifest["best_dev"]
    # spaCy's best dev scores, float for float (srsly's JSON parser would round them)
    performance = json.loads((out / "model-best" / "meta.json").read_text())["performance"]
    assert manifest["best_dev"] == {k: v for k, v in performance.items() if k.startswith("ents")}
    # the training data's gold names, so evaluate can split seen from unseen names later
    from nerwb.labels.gold_names import gold_names, names_sha256
    from nerwb.text import blank

    train_docs = DocBin().from_disk(ws.docbin_path("train")).get_docs(blank(ws.language).vocab)
    names = manifest["train_gold_names"]
    assert names["names"] == sorted(gold_names(train_docs))
    assert names["count"] == len(names["names"]) > 0
    assert names["sha256"] == names_sha256(names["names"])
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


def test_train_reports_typed_steps_and_keeps_spacys_log(trained_ws) -> None:
    from nerwb.training.options import TrainOptions
    from nerwb.training.run import StepEvent, steps_only, train

    ws = trained_ws
    events: list[StepEvent] = []
    result = train(
        ws,
        TrainOptions(
            config=ws.configs_dir / "ner-fast.cfg",
            output=ws.training_dir / "typed",
            overrides={
                "training.max_steps": 12,
                "training.eval_frequency": 6,
                "components.tok2vec.model.encode.width": 32,
            },
        ),
        on_progress=steps_only(events.append),
    )
    evaluated = [e.step for e in events if e.evaluated]
    assert evaluated == [0, 6, 12]  # spaCy scores the untrained model, then every 6 steps
    assert [e.step for e in events] == list(range(13))  # one event per step, in order
    assert all("ner" in e.losses for e in events if e.evaluated)
    assert [ev["step"] for ev in result.evaluations] == evaluated
    # spaCy's own status lines are kept beside the models, not thrown away
    log = (result.output / "train.log").read_text()
    assert "Initial learn rate: 0.001" in log and "Saved pipeline" in log
    assert "\x1b[" not in log


def test_train_records_the_conversion_policy_and_counts_of_its_data(trained_ws, cli) -> None:
    """The provenance chain labels -> training: the manifest says which policies shaped the
    spans it trained on, and how many they moved or dropped, when `labels convert` wrote them."""
    from nerwb.records.conversion import ConversionRecord
    from nerwb.training.run import conversion_facts

    ws = trained_ws
    convert = cli("labels", "convert", "--on-misaligned", "expand", "--on-overlap", "longest",
                  "-w", ws.root)  # fmt: skip
    assert convert.exit_code == 0, convert.stderr
    report = ConversionRecord.load(ws.conversion_report_path)
    assert (report.on_misaligned, report.on_overlap) == ("expand", "longest")
    out = ws.training_dir / "run"
    result = cli("train", "-c", ws.configs_dir / "ner-fast.cfg", "-o", out, *TINY, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    facts = TrainingManifest.load(manifest_path(out)).conversion
    assert facts is not None
    assert (facts.on_misaligned, facts.on_overlap) == ("expand", "longest")
    totals = {
        k: sum(getattr(c, k) for c in report.totals.values()) for k in ("spans_in", "skipped")
    }
    assert (facts.spans_in, facts.skipped) == (totals["spans_in"], totals["skipped"]) != (0, 0)
    assert facts.spans_in == facts.written + facts.changed + facts.skipped
    # data that conversion did not write (another file, or none recorded): nothing claimed
    assert conversion_facts(ws.conversion_report_path, "0" * 64) is None
    assert conversion_facts(ws.root / "no-report.json", report.files["train"]) is None
