"""Choosing segments to label: beam uncertainty, the strategies, `nerwb select` and
`doccano push --select` (the last against a real Doccano server)."""

from __future__ import annotations

import json

import pytest
import spacy

from conftest import snapshot_tree
from nerwb.corpus.model import Segment
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.corpus.store import load_articles
from nerwb.records.doccano import PushLedger
from nerwb.select.strategies import SelectionError, SelectStrategy, rank_segments
from nerwb.select.uncertainty import uncertainties


@pytest.fixture(scope="module")
def trained(tiny_model):
    return tiny_model


def by_hand(nlp, text: str) -> float:
    """The score recomputed straight from spaCy's beam: sum of min(p, 1-p) per 100 tokens."""
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name == "ner":
            break
        doc = component(doc)
    ner = nlp.get_pipe("ner")
    (scores,) = ner.scored_ents(ner.beam_parse([doc], beam_width=16))
    return 100 * sum(min(p, 1 - p) for p in scores.values()) / len(doc)


def demo_segments(ws) -> list[Segment]:
    return [
        s
        for a in load_articles(ws.articles_path)
        for s in segment_article(a.id, a.text, ws.config.corpus.segment_length)
    ]


def test_uncertainty_matches_the_beam_by_hand(trained) -> None:
    ws, model = trained
    nlp = spacy.load(model)
    texts = [s.text for s in demo_segments(ws)[:12]]
    scores = [u.score for u in uncertainties(nlp, texts, batch_size=5)]
    assert scores == pytest.approx([by_hand(nlp, t) for t in texts], rel=1e-6, abs=1e-9)
    assert any(s > 0 for s in scores)  # a 40-step model is unsure of something


def test_select_uncertain_ranks_by_score_and_diverse_skips_near_duplicates(trained) -> None:
    ws, model = trained
    nlp = spacy.load(model)
    segments = demo_segments(ws)[:20]
    ranked = rank_segments(segments, SelectStrategy.UNCERTAIN, n=5, nlp=nlp)
    expected = sorted(segments, key=lambda s: (-by_hand(nlp, s.text), s.id))[:5]
    assert [r.segment_id for r in ranked] == [s.id for s in expected]
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    top = expected[0]
    twin = Segment("twin-article", 0, 0, len(top.text), top.text)  # a wire copy of the top one
    diverse = rank_segments([*segments, twin], SelectStrategy.UNCERTAIN_DIVERSE, n=5, nlp=nlp)
    chosen = {r.segment_id for r in diverse}
    assert len(chosen & {top.id, twin.id}) == 1 and len(diverse) == 5
    both = rank_segments([*segments, twin], SelectStrategy.UNCERTAIN, n=2, nlp=nlp)
    assert {r.segment_id for r in both} == {top.id, twin.id}


def test_select_random_is_seeded_and_n_beyond_the_pool_takes_all(trained) -> None:
    ws, _ = trained
    segments = demo_segments(ws)[:10]
    a = rank_segments(segments, SelectStrategy.RANDOM, n=4, seed=1)
    assert [r.segment_id for r in a] == [
        r.segment_id for r in rank_segments(segments, SelectStrategy.RANDOM, n=4, seed=1)
    ]
    assert len(rank_segments(segments, SelectStrategy.RANDOM, n=50, seed=1)) == 10
    with pytest.raises(SelectionError, match="ranks by a model's uncertainty, and no model"):
        rank_segments(segments, SelectStrategy.UNCERTAIN, n=3)
    with pytest.raises(SelectionError, match="nothing left to choose from"):
        rank_segments([], SelectStrategy.RANDOM, n=3)


def test_select_cli_writes_the_ranked_list(trained, cli, tmp_path) -> None:
    ws, model = trained
    out = tmp_path / "ranked.jsonl"
    result = cli(
        "select", "--select", "uncertain", "--model", model, "--n", "7", "-o", out, "-w", ws.root
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["rank"] for r in rows] == list(range(1, 8))
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert {"segment_id", "score", "chars", "why"} <= set(rows[0])


def test_select_bad_inputs_are_clear_and_change_nothing(trained, cli, tmp_path) -> None:
    ws, _ = trained
    before = snapshot_tree(ws.root / "labels")
    no_model = cli("select", "--select", "uncertain", "-w", ws.root)
    said = " ".join(no_model.stderr.split())
    assert no_model.exit_code == 1 and "Give --model (a trained pipeline folder)" in said
    not_a_model = cli("select", "--model", ws.configs_dir, "-w", ws.root)
    assert not_a_model.exit_code == 1 and "not a spaCy pipeline folder" in not_a_model.stderr
    # a pipeline whose NER knows a label labels.yml lacks
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("WEAPON")
    nlp.initialize()
    nlp.to_disk(tmp_path / "weapons")
    wrong = cli("select", "--model", tmp_path / "weapons", "-w", ws.root)
    assert wrong.exit_code == 1 and "WEAPON that labels.yml does not have" in wrong.stderr
    assert snapshot_tree(ws.root / "labels") == before


@pytest.mark.doccano
def test_push_select_uncertain_pushes_the_top_segments_with_scores(
    trained, doccano_server, monkeypatch, cli, tmp_path
) -> None:
    import shutil

    from nerwb.doccano.connection import connect
    from nerwb.doccano.projects import find_project
    from nerwb.records.credentials import Credentials
    from nerwb.workspace import find_workspace

    source, model = trained
    # a copy: the session's tiny workspace stays unpushed for the other tests
    shutil.copytree(source.root, tmp_path / "ws", ignore=shutil.ignore_patterns("training"))
    toml = tmp_path / "ws" / "nerwb.toml"
    toml.write_text(toml.read_text().replace('project = ""', 'project = "push-select"'))
    ws = find_workspace(tmp_path / "ws")
    credentials = Credentials.load(doccano_server.credentials_path)
    monkeypatch.setenv("DOCCANO_URL", credentials.url)
    monkeypatch.setenv("DOCCANO_USERNAME", credentials.username)
    monkeypatch.setenv("DOCCANO_PASSWORD", credentials.password)
    args = ["doccano", "push", "--split", "train", "--select", "uncertain", "--model", model]
    result = cli(*args, "--n", "20", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    # independently: every train segment scored by hand, the 20 highest
    nlp = spacy.load(model)
    splits = load_splits(ws.splits_path).assignments
    pool = [s for s in demo_segments(ws) if splits[s.article_id] == "train"]
    expected = {s.id: by_hand(nlp, s.text) for s in pool}
    top = sorted(expected, key=lambda k: (-expected[k], k))[:20]
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        on_server = {e.meta["segment_id"]: e.score for e in admin.examples(project.id)}
    assert set(on_server) == set(top)
    for segment_id, score in on_server.items():  # the score annotators can sort by
        assert score == pytest.approx(expected[segment_id], rel=1e-4, abs=1e-6)
    ledger = PushLedger(ws.push_ledger_path)
    (entry,) = ledger.data.values()
    assert set(entry.selection) == set(top)
    # the next 20 come from what is left; more than is left pushes all and says so
    again = cli(*args, "--n", "1000", "-w", ws.root)
    assert again.exit_code == 0, again.stderr
    assert f"only {len(pool) - 20} unpushed" in " ".join(again.stdout.split())
    nothing = cli(*args, "--n", "5", "-w", ws.root)
    assert nothing.exit_code == 1 and "nothing left to choose from" in nothing.stderr
