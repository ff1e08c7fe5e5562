"""A published test set wins: its documents that repeat train/dev ones move to test."""

from __future__ import annotations

from pathlib import Path

from conftest import SHARED_DATA, needs_shared
from nerwb.corpus.model import article_id_for
from nerwb.corpus.splits import load_splits
from nerwb.labels.imports import ImportOptions, import_annotations

TRAIN = """Gunmen\tO
of\tO
the\tO
Lions\tB-ARMED_GROUP
Brigade\tI-ARMED_GROUP
attacked\tO
.\tO

The\tO
PLAK\tB-ARMED_GROUP
denied\tO
it\tO
"""
TEST = """The\tO
PLAK\tB-ARMED_GROUP
denied\tO
it\tO

Four\tB-CASUALTY_FIGURE
people\tI-CASUALTY_FIGURE
died\tO
"""


def test_imports_test_split_moves_repeated_train_documents(ws, cli, tmp_path: Path) -> None:
    (tmp_path / "train.conll").write_text(TRAIN)
    (tmp_path / "test.conll").write_text(TEST)
    ok = cli("labels", "import", tmp_path / "train.conll", "--format", "conll", "--split", "train",
             "--annotator", "gold", "-w", ws.root)  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    repeated = article_id_for("The PLAK denied it")
    assert load_splits(ws.splits_path).assignments[repeated] == "train"
    report = import_annotations(
        ws, ImportOptions(tmp_path / "test.conll", "conll", annotator="gold", split="test")
    )
    assert report.moved_to_test == [repeated]
    splits = load_splits(ws.splits_path)
    assert splits.assignments[repeated] == "test"
    assert list(splits.assignments.values()).count("test") == 2
    assert list(splits.assignments.values()).count("train") == 1
    # importing it again changes nothing and moves nothing
    again = cli("labels", "import", tmp_path / "test.conll", "--format", "conll", "--split",
                "test", "--annotator", "gold", "-w", ws.root)  # fmt: skip
    assert again.exit_code == 0, again.stderr


@needs_shared
def test_imports_shared_re3d_dev_as_held_out(ws) -> None:
    re3d = SHARED_DATA / "re3d"
    # train.txt holds 8 documents twice with other spans: the later record's labels (30.3)
    import_annotations(ws, ImportOptions(re3d / "train.txt", "conll", "gold", "train",
                                         add_labels=True, replace=True))  # fmt: skip
    # two dev documents repeat train ones with other spans: the held-out file's labels replace
    # them, said per article (issue 24.2)
    report = import_annotations(
        ws, ImportOptions(re3d / "dev.txt", "conll", "gold", "test", add_labels=True,
                          replace=True),
    )  # fmt: skip
    assert len(report.replaced) == 2
    splits = load_splits(ws.splits_path)
    assert all(splits.assignments[i] == "test" for i in report.moved_to_test)


def test_imports_reversed_span_ends_before_it_starts(ws, cli, tmp_path: Path) -> None:
    from conftest import snapshot_tree, write_jsonl

    path = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {
                "text": "Fighters of the Lions Brigade carried rifles.",
                "label": [[29, 12, "ARMED_GROUP"]],
            }
        ],
    )
    before = snapshot_tree(ws.root)
    result = cli("labels", "import", path, "-w", ws.root)
    assert result.exit_code == 1
    assert "span [29, 12, 'ARMED_GROUP'] ends before it starts" in result.stderr
    assert snapshot_tree(ws.root) == before
