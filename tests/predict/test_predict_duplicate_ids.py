"""``nerwb predict`` never merges away an article whose id repeats with another text."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_jsonl


def read_out(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def two_exports(folder: Path) -> None:
    folder.mkdir()
    for name, town in (("monday.csv", "Basra"), ("tuesday.csv", "Mosul")):
        rows = "".join(
            f"{i},Gunmen of the Lions Brigade attacked {town} ({name} {i}).\n" for i in (1, 2, 3)
        )
        (folder / name).write_text("id,text\n" + rows, encoding="utf-8")


def test_predict_refuses_an_id_repeated_with_another_text(model: Path, tmp_path: Path, cli) -> None:
    folder = tmp_path / "in"
    two_exports(folder)
    out = tmp_path / "preds.jsonl"
    failed = cli("predict", model, folder, "-o", out)
    assert failed.exit_code == 1
    assert (
        "tuesday.csv, line 2: article id '1' was already read with a different text"
        in failed.stderr
    )
    assert "monday.csv:2" in failed.stderr  # where the first one came from
    assert not out.exists()
    # skipped, they are listed (never silently merged into the first)
    skipped = cli("predict", model, folder, "-o", out, "--on-error", "skip")
    assert skipped.exit_code == 0, skipped.stderr
    assert len(read_out(out)) == 3
    listed = read_out(tmp_path / "preds.skipped.jsonl")
    assert [(Path(b["file"]).name, b["line"]) for b in listed] == [
        ("tuesday.csv", 2),
        ("tuesday.csv", 3),
        ("tuesday.csv", 4),
    ]


def test_predict_same_id_same_text_is_one_article_other_text_is_refused(
    model: Path, tmp_path: Path, cli
) -> None:
    text = "The IRGC denied it."
    same = write_jsonl(tmp_path / "same.jsonl", [{"id": "dup", "text": text}] * 2)
    out = tmp_path / "same-preds.jsonl"
    result = cli("predict", model, same, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert len(read_out(out)) == 1
    other = write_jsonl(
        tmp_path / "other.jsonl", [{"id": "dup", "text": text}, {"id": "dup", "text": "Another."}]
    )
    refused = cli("predict", model, other, "-o", tmp_path / "other-preds.jsonl")
    assert refused.exit_code == 1
    assert "other.jsonl, line 2: article id 'dup'" in refused.stderr
