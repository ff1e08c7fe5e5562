import json
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, SHARED_DATA, needs_shared, snapshot_tree, write_jsonl
from nerwb.corpus.dedup import near_duplicate_groups
from nerwb.corpus.model import RawArticle, article_id_for
from nerwb.corpus.splits import assign_splits, load_splits, pin_split, save_splits
from nerwb.corpus.store import add_articles, load_articles
from nerwb.errors import InputError, SplitError
from nerwb.workspace import SplitRatios


def raw(text: str, origin: str = "x", **kw) -> RawArticle:
    return RawArticle(text=text, origin=origin, **kw)


def test_store_ids_are_stable_and_duplicates_skipped(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    report, _ = add_articles(
        path, [raw("An  article.", "f1"), raw("An article.", "f2"), raw("Other.", id="given")]
    )
    assert report.added == [article_id_for("An article."), "given"]
    assert len(report.duplicates) == 1 and report.duplicates[0].origin == "f2"
    before = path.read_bytes()
    again, _ = add_articles(path, [raw("An  article.", "f1"), raw("Other.", id="given")])
    assert again.added == [] and path.read_bytes() == before
    assert article_id_for("An article.") == article_id_for("An\narticle. ")


def test_store_id_clash_is_error_and_store_untouched(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    add_articles(path, [raw("One.", id="a1")])
    before = path.read_bytes()
    with pytest.raises(
        InputError, match=r"in\.jsonl, line 4: article id 'a1' is already in the corpus"
    ):
        add_articles(path, [raw("New.", "in.jsonl:3"), raw("Two.", "in.jsonl:4", id="a1")])
    assert path.read_bytes() == before


def test_near_duplicates_grouped() -> None:
    base = "Gunmen of the Lions Brigade killed twelve soldiers on the highway near Karsh on Tuesday, officials said."
    rewrite = base.replace("officials said", "officials told reporters")
    groups = near_duplicate_groups(
        [("a", base), ("b", rewrite), ("c", "Completely different text about elections.")], 0.5
    )
    assert groups == [["a", "b"]]


def _articles(n: int, prefix: str = "art"):
    return [
        raw(f"Article {prefix} {i} about topic {i * 7} and words {i * 13}.", id=f"{prefix}{i}")
        for i in range(n)
    ]


def test_splits_ratios_and_frozen_test(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    add_articles(path, _articles(100))
    ratios = SplitRatios(train=0.7, dev=0.15, test=0.15)
    first = assign_splits(
        load_articles(path), None, ratios=ratios, seed=1, near_duplicate_threshold=0.7
    )
    assert first.splits.counts() == {"train": 70, "dev": 15, "test": 15}
    add_articles(path, _articles(40, "new"))
    second = assign_splits(
        load_articles(path), first.splits, ratios=ratios, seed=99, near_duplicate_threshold=0.7
    )
    for article_id, split in first.splits.assignments.items():
        assert second.splits.assignments[article_id] == split
    assert sum(second.newly_assigned.values()) == 40
    assert second.splits.counts()["test"] == 21  # 15% of 140


def test_splits_near_duplicates_stay_together(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    body = " ".join(f"word{i}" for i in range(60))
    add_articles(path, [*_articles(30), raw(body, id="wire1"), raw(body + " extra", id="wire2")])
    result = assign_splits(
        load_articles(path), None, ratios=SplitRatios(), seed=5, near_duplicate_threshold=0.7
    )
    assert result.splits.assignments["wire1"] == result.splits.assignments["wire2"]
    assert ["wire1", "wire2"] in result.groups


def test_splits_pin_refuses_to_move_test() -> None:
    splits, _ = pin_split(None, ["a", "b"], "test")
    with pytest.raises(SplitError, match="already in the test split"):
        pin_split(splits, ["a"], "train", keep_existing=True)
    splits, kept = pin_split(splits, ["c"], "train")
    splits, kept = pin_split(splits, ["c", "d"], "dev", keep_existing=True)
    assert kept == ["c"] and splits.assignments["d"] == "dev"
    with pytest.raises(SplitError, match="'c' is already in the train split"):
        pin_split(splits, ["c"], "dev")


def test_splits_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "splits.json"
    path.write_text(json.dumps({"assignments": {"a": "holdout"}}))
    with pytest.raises(SplitError, match="unknown split 'holdout'"):
        load_splits(path)


def test_corpus_cli_add_split_stats_and_resplit_keeps_test(ws, cli, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Militia fighters attacked a village, killing four people.")
    (folder / "b.md").write_text("# Heading\n\nSecond story about a cartel.")
    (folder / "c.html").write_text(
        "<html><body><p>Third story, about a designation.</p></body></html>"
    )
    result = cli("corpus", "add", folder, DEMO_ARTICLES, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Added 45 article(s)" in result.stdout
    assert cli("corpus", "split", "-w", ws.root).exit_code == 0
    test_before = load_splits(ws.splits_path).ids("test")
    extra = write_jsonl(
        tmp_path / "more.jsonl", [{"text": f"Another story number {i}."} for i in range(20)]
    )
    assert cli("corpus", "add", extra, "-w", ws.root).exit_code == 0
    assert cli("corpus", "split", "-w", ws.root).exit_code == 0
    after = load_splits(ws.splits_path)
    assert test_before <= after.ids("test")
    stats = cli("corpus", "stats", "-w", ws.root)
    assert stats.exit_code == 0
    total_row = next(line for line in stats.stdout.splitlines() if " total " in line)
    assert total_row.split("│")[2].strip() == "65"  # 45 demo articles + 20 added
    assert "Exact duplicates skipped: 0" in stats.stdout


def test_corpus_cli_reset_test_needs_confirmation(ws, cli) -> None:
    cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root)
    cli("corpus", "split", "-w", ws.root)
    before = ws.splits_path.read_bytes()
    result = cli("corpus", "split", "--reset-test", "-w", ws.root, input="n\n")
    assert result.exit_code == 1
    assert ws.splits_path.read_bytes() == before


def test_corpus_cli_bad_input_leaves_store_intact(ws, cli, tmp_path: Path) -> None:
    cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root)
    before = snapshot_tree(ws.root)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": "fine too"\n')
    result = cli("corpus", "add", bad, "-w", ws.root)
    assert result.exit_code == 1
    assert "bad.jsonl, line 2: malformed JSON" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_corpus_cli_outside_workspace(cli, tmp_path: Path) -> None:
    result = cli("corpus", "stats", cwd=tmp_path)
    assert result.exit_code == 1
    assert "not inside a nerwb workspace" in result.stderr


def test_corpus_cli_split_before_add(ws, cli) -> None:
    result = cli("corpus", "split", "-w", ws.root)
    assert result.exit_code == 1 and "no articles yet" in result.stderr


@needs_shared
def test_corpus_shared_conflict3_train_ingests(ws, cli) -> None:
    result = cli("corpus", "add", SHARED_DATA / "conflict3" / "train.jsonl", "-w", ws.root)
    assert result.exit_code == 0
    assert len(load_articles(ws.articles_path)) == 111


def test_splits_file_is_a_record_old_files_load_and_foreign_keys_are_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "splits.json"
    # as nerwb wrote it before records: no format, and the frozen list
    old = {"seed": 3, "ratios": {"train": 1.0}, "created": "c", "updated": "u",
           "frozen": ["test"], "assignments": {"b": "test", "a": "train"}}  # fmt: skip
    path.write_text(json.dumps(old))
    splits = load_splits(path)
    assert splits is not None and splits.assignments == {"a": "train", "b": "test"}
    save_splits(path, splits)
    assert json.loads(path.read_text()) == {
        "format": 1,
        **old,
        "assignments": {"a": "train", "b": "test"},
    }
    path.write_text(json.dumps({**old, "assignment": {}}))  # a typo'd key is not ignored
    before = path.read_bytes()
    with pytest.raises(InputError, match=r"splits.json: not a nerwb splits file .*assignment"):
        load_splits(path)
    assert path.read_bytes() == before
