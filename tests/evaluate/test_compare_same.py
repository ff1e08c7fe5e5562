"""``nerwb compare A A`` says why every difference is 0 (issue 30, item 19: it printed a table of
zeros and said nothing)."""

from __future__ import annotations

import json

import spacy
from spacy.tokens import DocBin

from conftest import doc_with_ents

TEST = [
    doc_with_ents("Al Shabaab and Boko Haram clashed.", [("Al Shabaab", "G"), ("Boko Haram", "G")]),
    doc_with_ents("JNIM met; 12 people died.", [("JNIM", "G"), ("12 people", "F")]),
]


def _ruler(folder, patterns):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns(
        [{"label": label, "pattern": text} for label, text in patterns]
    )
    nlp.to_disk(folder)
    return folder


def test_compare_a_folder_with_itself_says_so(ws, cli, tmp_path) -> None:
    test = tmp_path / "test.spacy"
    DocBin(docs=TEST).to_disk(test)
    model = _ruler(tmp_path / "m", [("G", "Al Shabaab"), ("F", "12 people")])
    other = _ruler(tmp_path / "m2", [("G", "Al Shabaab"), ("F", "12 people"), ("G", "Nowhere")])
    for folder, out in ((model, "a"), (other, "b")):
        evaluated = cli(
            "evaluate", folder, test, "-o", tmp_path / out, "--bootstrap", "20", "-w", ws.root
        )
        assert evaluated.exit_code == 0, evaluated.stderr
    result = cli("compare", tmp_path / "a", tmp_path / "a", "--bootstrap", "20")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert (
        f"warning: A and B are the same evaluation folder ({tmp_path / 'a'}): every difference is 0"
        in said
    )
    as_json = cli("compare", tmp_path / "a", tmp_path / "a", "--bootstrap", "20", "--json")
    assert json.loads(as_json.stdout)["same_note"].startswith("A and B are the same evaluation")
    # another folder with predictions as right and as wrong on every document
    alike = cli("compare", tmp_path / "a", tmp_path / "b", "--bootstrap", "20")
    assert "A and B score alike on every document" in " ".join(alike.stderr.split())
