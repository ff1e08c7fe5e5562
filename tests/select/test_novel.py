"""The ``novel`` strategies: segments ranked by the name candidates the labelled data has not
named yet, on a hand-made pool where the novel segments are known; with and without a model;
``nerwb select`` and the count of unseen candidates left."""

from __future__ import annotations

import json

import pytest
import spacy

from nerwb.corpus.model import Segment
from nerwb.select.candidates import candidate_names, labelled_names, unseen_candidates
from nerwb.select.strategies import SelectionError, SelectStrategy, rank_segments
from nerwb.select.uncertainty import uncertainties

KNOWN = {"taliban", "kabul", "helmand"}  # the gold names of the "labelled data"

POOL = {
    # only names the labelled data already has
    "old": "Taliban fighters attacked a checkpoint near Kabul on Monday. The Taliban said the "
    "attack in Helmand was a reply. Officials in Kabul gave no figure.",
    # three new names and a count
    "boko": "Boko Haram fighters stormed a village near Maiduguri, and Abubakar Shekau claimed "
    "the raid in a video. Residents said twelve farmers died.",
    # a wire copy of "boko": never in the same batch
    "boko-copy": "Boko Haram fighters stormed a village near Maiduguri, and Abubakar Shekau "
    "claimed the raid in a video. Residents said twelve farmers died!",
    # two new names
    "shabaab": "Al-Shabaab claimed a bombing in Mogadishu that the police blamed on a car. "
    "The police said the blast hit a busy road near the port.",
    # the same new names as "boko" in other words: new before "boko" is chosen, not after
    "boko-again": "In Maiduguri the army said Boko Haram had left the town after Abubakar "
    "Shekau spoke again. The army gave no date for the return of the people.",
    # nothing capitalised but sentence openers that are common words ("officials" and
    # "residents" in lowercase here make them common words where they open a sentence)
    "plain": "The rain fell all day and officials closed the road for residents. It was quiet in the town, and the "
    "shops stayed shut until the evening came.",
}


def pool() -> list[Segment]:
    return [Segment(key, 0, 0, len(text), text) for key, text in POOL.items()]


def ids(ranked) -> list[str]:
    return [r.article_id for r in ranked]


def test_candidates_need_no_tagger_and_skip_sentence_openers() -> None:
    names = dict(zip(POOL, candidate_names(list(POOL.values())), strict=True))
    assert names["old"] == {"taliban", "kabul", "helmand"}  # not "the taliban", not "monday"
    assert names["boko"] == {"boko haram", "maiduguri", "abubakar shekau", "twelve farmers"}
    assert names["shabaab"] == {"al-shabaab", "mogadishu"}
    assert names["plain"] == set()


def test_novel_without_a_model_ranks_the_known_novel_segments_first() -> None:
    ranked = rank_segments(pool(), SelectStrategy.NOVEL, n=6, known_names=KNOWN, seed=1)
    # "boko" (4 new in 25 words; scores are per 100 words, floored at 50), then "shabaab" (2);
    # its copy (a tie: seed 1 orders "boko" first) is left out of the batch; "boko-again" is
    # worth nothing once "boko" is in it, like "old" (all names known) and "plain" (none): those three follow in a seeded order
    assert ids(ranked)[:2] == ["boko", "shabaab"]
    assert "boko-copy" not in ids(ranked)
    assert set(ids(ranked)[2:]) == {"boko-again", "old", "plain"}
    assert [r.score for r in ranked] == [8.0, 4.0, 0.0, 0.0, 0.0]
    assert ranked[0].why.startswith("4 unseen name candidates: 'abubakar shekau'")
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    # with "boko" labelled already, "boko-again" holds nothing new either; "shabaab" leads
    known = KNOWN | {"boko haram", "maiduguri", "abubakar shekau"}
    assert ids(rank_segments(pool(), SelectStrategy.NOVEL, n=1, known_names=known)) == ["shabaab"]
    # with no labelled data at all, "old"'s three names are new too, and beat "shabaab"'s two
    cold = rank_segments(pool(), SelectStrategy.NOVEL, n=3, seed=1)
    assert ids(cold) == ["boko", "old", "shabaab"]


def test_novel_ties_go_in_a_seeded_order() -> None:
    a = rank_segments(pool(), SelectStrategy.NOVEL, n=6, known_names=KNOWN, seed=3)
    b = rank_segments(pool(), SelectStrategy.NOVEL, n=6, known_names=KNOWN, seed=3)
    assert ids(a) == ids(b)
    orders = {
        tuple(ids(rank_segments(pool(), SelectStrategy.NOVEL, n=6, known_names=KNOWN, seed=s)))
        for s in range(8)
    }
    assert len(orders) > 1
    # "boko" and its copy tie: the seed picks one, never both
    assert all(o[0] in ("boko", "boko-copy") and o[1] == "shabaab" for o in orders)
    assert all(len({"boko", "boko-copy"} & set(o)) == 1 for o in orders)


def test_unseen_candidates_in_the_pool_and_left_after_a_batch() -> None:
    texts = list(POOL.values())
    batch = [key == "boko" for key in POOL]
    in_pool, left = unseen_candidates(texts, KNOWN, batch)
    # new: boko haram, maiduguri, abubakar shekau, twelve farmers, al-shabaab, mogadishu
    assert (in_pool, left) == (6, 2)


def test_novel_with_a_model_adds_its_entities(tiny_model) -> None:
    _, model = tiny_model
    nlp = spacy.load(model)
    texts = list(POOL.values())
    with_model = candidate_names(texts, nlp=nlp)
    without = candidate_names(texts)
    predicted = [{" ".join(e.text.casefold().split()) for e in d.ents} for d in nlp.pipe(texts)]
    assert with_model == [a | b for a, b in zip(without, predicted, strict=True)]
    ranked = rank_segments(pool(), SelectStrategy.NOVEL, n=6, nlp=nlp, known_names=KNOWN)
    assert len({"boko", "boko-copy"} & set(ids(ranked))) == 1 and len(ranked) == 5
    novelty = {
        key: 100 * len(n - KNOWN) / max(len(t.split()), 50)
        for key, n, t in zip(POOL, with_model, texts, strict=True)
    }
    assert ranked[0].score == pytest.approx(max(novelty.values()))
    assert novelty[ranked[0].article_id] == max(novelty.values())


def test_novel_uncertain_mixes_both_scores_and_needs_a_model(tiny_model) -> None:
    _, model = tiny_model
    nlp = spacy.load(model)
    texts = list(POOL.values())
    names = candidate_names(texts, nlp=nlp)
    novelty = [
        100 * len(n - KNOWN) / max(len(t.split()), 50) for n, t in zip(names, texts, strict=True)
    ]
    doubt = [u.score for u in uncertainties(nlp, texts)]
    mixed = [
        a / max(novelty) + b / (max(doubt) or 1.0) for a, b in zip(novelty, doubt, strict=True)
    ]
    ranked = rank_segments(pool(), SelectStrategy.NOVEL_UNCERTAIN, n=3, nlp=nlp, known_names=KNOWN)
    assert ranked[0].score == pytest.approx(max(mixed), abs=1e-6)
    assert mixed[list(POOL).index(ranked[0].article_id)] == pytest.approx(max(mixed), abs=1e-6)
    assert "of the pool's highest" in ranked[0].why
    with pytest.raises(SelectionError, match=r"ranks by a model's uncertainty") as refused:
        rank_segments(pool(), SelectStrategy.NOVEL_UNCERTAIN, n=3)
    assert refused.value.value is SelectStrategy.NOVEL  # the advice's first-batch strategy


def test_select_novel_cli_without_a_model_skips_the_labelled_names(tiny_model, cli, tmp_path):
    ws, _ = tiny_model
    out = tmp_path / "novel.jsonl"
    result = cli("select", "--select", "novel", "--n", "5", "-o", out, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    known = labelled_names(ws.gold_path)
    assert known  # the tiny workspace has gold, so some candidates are not new
    assert all(r["strategy"] == "novel" for r in rows)
    top = rows[0]["why"]
    assert "unseen name candidate" in top
    listed = [x.strip(" '.") for x in top.split(":", 1)[1].split(",") if x.strip(" '.")]
    assert listed and not set(listed) & known
    text = " ".join(result.stdout.split())
    assert "Unseen name candidates (not among the labelled data's names):" in text


@pytest.mark.doccano
def test_push_select_novel_without_a_model(tiny_model, doccano_server, monkeypatch, cli, tmp_path):
    import shutil

    from nerwb.corpus.segments import segment_article
    from nerwb.corpus.store import load_articles
    from nerwb.doccano.connection import connect
    from nerwb.doccano.projects import find_project
    from nerwb.records.credentials import Credentials
    from nerwb.workspace import find_workspace

    source, _ = tiny_model
    # a copy: the session's tiny workspace stays unpushed for the other tests
    shutil.copytree(source.root, tmp_path / "ws", ignore=shutil.ignore_patterns("training"))
    toml = tmp_path / "ws" / "nerwb.toml"
    toml.write_text(toml.read_text().replace('project = ""', 'project = "push-novel"'))
    ws = find_workspace(tmp_path / "ws")
    credentials = Credentials.load(doccano_server.credentials_path)
    monkeypatch.setenv("DOCCANO_URL", credentials.url)
    monkeypatch.setenv("DOCCANO_USERNAME", credentials.username)
    monkeypatch.setenv("DOCCANO_PASSWORD", credentials.password)
    args = ["doccano", "push", "--split", "train", "--select", "novel", "--n", "6"]
    result = cli(*args, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    # independently: the same ranking over the train segments, from the labelled data's names
    splits = json.loads(ws.splits_path.read_text())["assignments"]
    pool = [
        s
        for a in load_articles(ws.articles_path)
        if splits[a.id] == "train"
        for s in segment_article(a.id, a.text, ws.config.corpus.segment_length)
    ]
    seed = ws.config.corpus.seed
    expected = rank_segments(
        pool, SelectStrategy.NOVEL, n=6, seed=seed, known_names=labelled_names(ws.gold_path)
    )
    assert expected[0].score > 0
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        on_server = {e.meta["segment_id"]: e.score for e in admin.examples(project.id)}
    assert set(on_server) == {r.segment_id for r in expected}
    for r in expected:
        assert on_server[r.segment_id] == pytest.approx(r.score, rel=1e-4, abs=1e-6)
