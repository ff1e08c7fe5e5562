"""An input that repeats an article id with another text is blamed, not the corpus (issue 30,
item 19: the message said the id "is already in the corpus" for a corpus that was empty)."""

from __future__ import annotations

from conftest import snapshot_tree, write_jsonl


def test_an_id_repeated_within_one_input_names_the_input(ws, cli, tmp_path) -> None:
    source = write_jsonl(
        tmp_path / "wire.jsonl",
        [
            {"id": "a1", "text": "Gunmen attacked a village."},
            {"id": "a2", "text": "The army said nothing."},
            {"id": "a1", "text": "Another story entirely."},
        ],
    )
    before = snapshot_tree(ws.root)
    result = cli("corpus", "add", source, "-w", ws.root)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert (
        f"{source}, line 3: article id 'a1' was read before, in this same input, with a "
        f"different text (first from {source}:1)"
    ) in said
    assert "already in the corpus" not in said
    assert snapshot_tree(ws.root) == before


def test_an_id_already_stored_names_the_corpus(ws, cli, tmp_path) -> None:
    first = write_jsonl(tmp_path / "one.jsonl", [{"id": "a1", "text": "Gunmen attacked."}])
    assert cli("corpus", "add", first, "-w", ws.root).exit_code == 0
    second = write_jsonl(tmp_path / "two.jsonl", [{"id": "a1", "text": "Something else."}])
    result = cli("corpus", "add", second, "-w", ws.root)
    assert result.exit_code == 1
    assert "article id 'a1' is already in the corpus with a different text" in " ".join(
        result.stderr.split()
    )
