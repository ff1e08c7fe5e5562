"""Each stage's entry point takes one options object, checked once when it is made (issue 31,
item 2): enums, not strings; ranges checked; a bad value refused with a kind and the library's
setting name (no CLI flag), before any work or lock."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from nerwb.errors import ErrorKind


def test_evaluate_takes_its_options_and_the_workspace_context_only(ws) -> None:
    from nerwb.evaluate.options import EvaluateContext
    from nerwb.evaluate.run import evaluate

    assert list(inspect.signature(evaluate).parameters) == ["options", "context", "on_progress"]
    context = EvaluateContext.of(ws)
    assert (context.lang, context.evaluate_dir) == (ws.language, ws.evaluate_dir)
    assert context.colours == {label.name: label.color for label in _schema(ws).labels}
    ws.schema_path.write_text("labels: [", encoding="utf-8")  # unreadable: no colours
    assert dict(EvaluateContext.of(ws).colours) == {}


def _schema(ws):
    from nerwb.labels.schema import load_schema

    return load_schema(ws.schema_path)


def test_evaluate_options_refuse_a_bad_value_when_made(tmp_path: Path) -> None:
    from nerwb.errors import EvaluationError
    from nerwb.evaluate.options import EvaluateOptions

    with pytest.raises(EvaluationError) as bad:
        EvaluateOptions(tmp_path / "model", tmp_path / "gold.spacy", bootstrap=0)
    assert bad.value.kind is ErrorKind.BAD_SETTING and bad.value.setting == "bootstrap"
    assert "--" not in str(bad.value)


def _refused(bad, setting: str) -> None:
    """A refusal of kind BAD_SETTING naming the library's setting, and no CLI flag."""
    assert bad.value.kind is ErrorKind.BAD_SETTING and bad.value.setting == setting
    assert "--" not in str(bad.value)


def test_pull_options_refuse_a_bad_value_when_made() -> None:
    from nerwb.doccano.errors import DoccanoError
    from nerwb.doccano.pull import PullOptions, pull

    assert PullOptions(confirmed_only=True).confirmed_only is True
    with pytest.raises(DoccanoError) as bad:
        PullOptions(confirmed_only="no")  # type: ignore[arg-type]
    _refused(bad, "confirmed_only")
    assert list(inspect.signature(pull).parameters)[3] == "options"


def test_suggest_options_refuse_a_bad_value_when_made() -> None:
    from nerwb.doccano.errors import DoccanoError
    from nerwb.doccano.suggest import SuggestOptions, suggest

    options = SuggestOptions(segment_ids=["s1", "s2"], concurrency=2)
    assert options.segment_ids == frozenset({"s1", "s2"}) and options.concurrency == 2
    for concurrency in (0, -3, 1.5):
        with pytest.raises(DoccanoError) as bad:
            SuggestOptions(concurrency=concurrency)  # type: ignore[arg-type]
        _refused(bad, "concurrency")
    assert "concurrency" not in inspect.signature(suggest).parameters


def test_select_options_refuse_an_unknown_split_when_made(tmp_path: Path) -> None:
    from nerwb.errors import NerwbError
    from nerwb.select.pool import SelectOptions, select_unpushed
    from nerwb.select.strategies import Selection, SelectStrategy

    selection = Selection(SelectStrategy.RANDOM, 5)
    options = SelectOptions(selection, ["train", "dev"], tmp_path / "ranked.jsonl")
    assert options.splits == ("train", "dev") and options.selection is selection
    with pytest.raises(NerwbError) as bad:
        SelectOptions(selection, ("train", "tset"))
    _refused(bad, "split")
    assert "unknown split 'tset'" in str(bad.value)
    assert list(inspect.signature(select_unpushed).parameters) == ["ws", "options"]


def test_split_options_refuse_a_bad_value_before_the_corpus_is_read(ws) -> None:
    from conftest import snapshot_tree
    from nerwb.corpus.splits import SplitOptions, split_workspace
    from nerwb.errors import SplitError

    assert SplitOptions(reset_test=True).reset_test is True
    before = snapshot_tree(ws.root)
    with pytest.raises(SplitError) as bad:
        split_workspace(ws, SplitOptions(reset_test="yes"))  # type: ignore[arg-type]
    _refused(bad, "reset_test")
    assert snapshot_tree(ws.root) == before  # no lock file, no splits.json


def test_audit_and_agreement_options_refuse_a_bad_value_when_made(tmp_path: Path) -> None:
    from nerwb.errors import LabelsError
    from nerwb.labels.options import AgreementOptions, AuditOptions

    assert AuditOptions(annotators=["a", "b"]).annotators == ("a", "b")
    for make in (AuditOptions, AgreementOptions):
        with pytest.raises(LabelsError) as bad:
            make(snapshot=tmp_path)  # a folder without manifest.json
        _refused(bad, "snapshot")
        assert "not a pull snapshot" in str(bad.value)
    with pytest.raises(LabelsError) as bad:
        AgreementOptions(include_unconfirmed="no")  # type: ignore[arg-type]
    _refused(bad, "include_unconfirmed")


def test_merge_options_refuse_a_snapshot_that_is_not_one_when_made(tmp_path: Path) -> None:
    from nerwb.errors import LabelsError
    from nerwb.labels.merge import MergeOptions

    with pytest.raises(LabelsError) as bad:
        MergeOptions.parse("majority", snapshot=tmp_path)
    _refused(bad, "snapshot")


def test_patterns_options_refuse_a_bad_value_when_made() -> None:
    from nerwb.errors import LabelsError
    from nerwb.labels.options import PatternsOptions

    options = PatternsOptions(splits=["train", "dev"], labels=["ARMED_GROUP"], min_count=2)
    assert options.splits == ("train", "dev") and options.labels == ("ARMED_GROUP",)
    with pytest.raises(LabelsError) as leak:
        PatternsOptions(splits=("train", "test"))
    assert leak.value.kind is ErrorKind.TEST_LEAK
    for bad_count in (0, 1.5):
        with pytest.raises(LabelsError) as bad:
            PatternsOptions(min_count=bad_count)  # type: ignore[arg-type]
        _refused(bad, "min_count")
    with pytest.raises(LabelsError) as bad:
        PatternsOptions(splits=("train", "trian"))
    _refused(bad, "splits")


def test_package_options_refuse_a_bad_value_when_made(tmp_path: Path) -> None:
    from nerwb.errors import InputError
    from nerwb.package.build import PackageError, PackageOptions, package_model

    model = tmp_path / "model-best"
    model.mkdir()
    (model / "meta.json").write_text('{"lang": "en"}', encoding="utf-8")
    (model / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    out = tmp_path / "dist"
    options = PackageOptions(model, out, "conflict_ner", "1.0-RC1")
    assert options.version == "1.0rc1" and options.evaluations == ()
    for name, version, setting in (("conflict ner", "1.0", "name"), ("ok", "one", "version")):
        with pytest.raises(PackageError) as bad:
            PackageOptions(model, out, name, version)
        _refused(bad, setting)
    with pytest.raises(InputError):
        PackageOptions(model, out, "ok", "1.0", evaluations=[tmp_path])  # no metrics.json
    assert not out.exists()  # nothing made before the options hold
    assert list(inspect.signature(package_model).parameters) == ["options"]


def test_compare_options_refuse_a_bad_value_when_made(tmp_path: Path) -> None:
    from nerwb.errors import EvaluationError
    from nerwb.evaluate.options import CompareOptions
    from nerwb.evaluate.run import compare

    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        (tmp_path / run / "metrics.json").write_text("{}", encoding="utf-8")
        (tmp_path / run / "per_doc.jsonl").write_text("", encoding="utf-8")
    options = CompareOptions(tmp_path / "a", str(tmp_path / "b"))  # type: ignore[arg-type]
    assert options.run_b == tmp_path / "b" and options.bootstrap == 1000
    with pytest.raises(EvaluationError) as bad:
        CompareOptions(tmp_path / "a", tmp_path / "b", bootstrap=0)
    _refused(bad, "bootstrap")
    with pytest.raises(EvaluationError) as not_a_run:
        CompareOptions(tmp_path / "a", tmp_path)
    assert not_a_run.value.kind is ErrorKind.BAD_INPUT and not_a_run.value.path == tmp_path
    assert list(inspect.signature(compare).parameters) == ["options"]
