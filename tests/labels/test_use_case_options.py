"""labels merge and labels import take one options object each, checked once when it is made
(issue 31, item 2): enums, not strings; a bad strategy, format or annotator is refused before
the use case reads or locks anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, snapshot_tree
from nerwb.errors import ErrorKind, InvalidNameError, LabelsError


def test_merge_options_parse_what_a_user_types() -> None:
    from nerwb.labels.merge import MergeOptions, Strategy

    preferred = MergeOptions.parse("prefer:alice", annotators=["alice", "bob"])
    assert (preferred.strategy, preferred.prefer) == (Strategy.MAJORITY, "alice")
    assert preferred.name == "prefer:alice" and preferred.annotators == ("alice", "bob")
    union = MergeOptions.parse("union")
    assert union.strategy is Strategy.UNION and union.name == "union"
    with pytest.raises(LabelsError) as bad:
        MergeOptions.parse("majorty")
    assert bad.value.kind is ErrorKind.BAD_SETTING and bad.value.setting == "strategy"
    assert "unknown strategy 'majorty'" in str(bad.value)


def test_import_options_check_format_and_annotator_when_made(tmp_path: Path) -> None:
    from nerwb.labels.formats import ImportFormat
    from nerwb.labels.imports import ImportOptions

    options = ImportOptions(tmp_path / "a.conll", "conll", annotator="gold")
    assert options.fmt is ImportFormat.CONLL and options.path == tmp_path / "a.conll"
    with pytest.raises(LabelsError) as bad:
        ImportOptions(tmp_path / "a.xml", "xml")
    assert bad.value.kind is ErrorKind.BAD_SETTING and bad.value.setting == "fmt"
    with pytest.raises(InvalidNameError) as name:
        ImportOptions(tmp_path / "a.conll", "conll", annotator="../gold/gold")
    assert name.value.setting == "annotator"


def test_merge_and_import_commands_refuse_bad_options_changing_nothing(ws, cli) -> None:
    assert (
        cli("labels", "import", DEMO_ARTICLES, "--annotator", "gold", "-w", ws.root).exit_code == 0
    )
    before = snapshot_tree(ws.root)
    refused = cli("labels", "merge", "--strategy", "prefer:nobody", "-w", ws.root)
    assert refused.exit_code == 1
    assert "--strategy prefer:nobody: no annotator 'nobody' (have gold)" in refused.stderr
    refused = cli("labels", "import", DEMO_ARTICLES, "--annotator", "a/b", "-w", ws.root)
    assert refused.exit_code == 1 and "--annotator 'a/b' is not allowed" in refused.stderr
    assert snapshot_tree(ws.root) == before
