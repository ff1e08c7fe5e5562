"""`train` with an empty dev set (every labelled article pinned to train) is refused before any
work, with what to do (issue 30.14b); it used to train, then end in a pydantic traceback."""

from __future__ import annotations

from spacy.tokens import DocBin

from conftest import DEMO_ARTICLES, TINY, snapshot_tree
from nerwb.records.dev_scores import DevScores
from nerwb.text import blank


def test_train_with_every_labelled_article_in_train_is_refused_up_front(ws, cli) -> None:
    imported = cli(
        "labels", "import", DEMO_ARTICLES, "--split", "train", "--annotator", "gold",
        "-w", ws.root,
    )  # fmt: skip
    assert imported.exit_code == 0, imported.stderr
    assert cli("labels", "merge", "-w", ws.root).exit_code == 0
    assert cli("labels", "convert", "-w", ws.root).exit_code == 0
    assert len(DocBin().from_disk(ws.docbin_path("dev"))) == 0
    before = snapshot_tree(ws.root)
    result = cli("train", "-c", ws.configs_dir / "ner-fast.cfg", *TINY, "-w", ws.root)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert (
        f"dev data {ws.docbin_path('dev')} has no documents, so no checkpoint can be chosen "
        "as model-best"
    ) in said
    assert "--split dev" in said and "Traceback" not in said
    assert snapshot_tree(ws.root) == before
    assert not any(ws.training_dir.iterdir())


def test_train_with_a_dev_file_without_entities_is_refused(ws, cli, tmp_path) -> None:
    from conftest import prepare_demo_gold

    prepare_demo_gold(ws)
    nlp = blank("en")
    no_ents = tmp_path / "dev-no-entities.spacy"
    DocBin(docs=[nlp.make_doc("Nothing happened in the town today.")]).to_disk(no_ents)
    result = cli("train", "--dev", no_ents, *TINY, "-w", ws.root)
    assert result.exit_code == 1
    assert f"dev data {no_ents} has no entities" in " ".join(result.stderr.split())


def test_dev_scores_take_spacys_bare_zero_per_type_as_none() -> None:
    # what spaCy's scorer gives for dev data without entities
    scores = DevScores.from_spacy(
        {"ents_f": 0.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": 0.0}
    )
    assert scores.ents_per_type is None and scores.ents_f == 0.0
