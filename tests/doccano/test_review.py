"""Adjudication in a Doccano review project, against a real server."""

from __future__ import annotations

import json

import pytest

from conftest import DEMO_ARTICLES, annotator_login, gold_of, snapshot_tree
from nerwb.demo.simulated_annotators import CAREFUL, NOISY, simulate
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.labels.annotations import load_annotated
from nerwb.labels.snapshots import load_reviews, load_snapshot

pytestmark = pytest.mark.doccano


def test_review_conflicts_go_to_an_adjudicator_whose_decision_wins(doccano_ws, cli) -> None:
    ws = doccano_ws
    push = cli(
        "doccano",
        "push",
        "--split",
        "train",
        "--annotators",
        "rv_a,rv_b",
        "--overlap",
        "1",
        "-w",
        ws.root,
    )
    assert push.exit_code == 0, push.stderr
    gold = gold_of(DEMO_ARTICLES)
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
    for name, noise in (("rv_a", CAREFUL), ("rv_b", NOISY)):
        with annotator_login(ws, name) as client:
            simulate(client, project.id, name, gold, noise=noise, seed=5)
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    assert cli("labels", "merge", "--strategy", "intersection", "-w", ws.root).exit_code == 0
    conflicts = [json.loads(line) for line in ws.conflicts_path.read_text().splitlines()]
    conflicted = sorted({c["segment_id"] for c in conflicts})
    assert conflicted

    # an annotator cannot adjudicate; nothing is created then
    with connect(ws) as admin:
        before = {p.name for p in admin.projects()}
    refused = cli("labels", "review", "--adjudicator", "rv_a", "-w", ws.root)
    assert refused.exit_code == 1 and "is one of the annotators" in refused.stderr
    with connect(ws) as admin:
        assert {p.name for p in admin.projects()} == before

    result = cli("labels", "review", "--adjudicator", "rv_lead", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Created adjudicator rv_lead" in " ".join(result.stdout.split())
    with connect(ws) as admin:
        review = next(p for p in admin.projects() if p.name == f"{ws.project_name}-review")
        types = {t.id: t.text for t in admin.span_types(review.id)}
        examples = list(admin.examples(review.id))
    assert sorted(e.meta["segment_id"] for e in examples) == conflicted
    snapshot = sorted(ws.pulls_dir.iterdir())[-1]
    units = load_snapshot(snapshot)
    # the adjudicator sees the union of both annotators' spans, as their own
    with annotator_login(ws, "rv_lead") as judge:
        for example in examples:
            sid = example.meta["segment_id"]
            proposed = {
                (s.start, s.end, s.label)
                for name in ("rv_a", "rv_b")
                if sid in units[name]
                for s in units[name][sid].local_spans()
            }
            seen = {
                (s.start_offset, s.end_offset, types[s.label])
                for s in judge.spans(review.id, example.id)
            }
            assert seen == proposed, sid
            assert set(json.loads(example.meta["proposals"])) == {"rv_a", "rv_b"}
        # the decision on the first conflict: keep only rv_b's reading, confirm
        decided = examples[0]
        sid = decided.meta["segment_id"]
        keep = {(s.start, s.end, s.label) for s in units["rv_b"][sid].local_spans()}
        for span in judge.spans(review.id, decided.id):
            if (span.start_offset, span.end_offset, types[span.label]) not in keep:
                judge.delete_span(review.id, decided.id, span.id)
        judge.confirm(review.id, decided.id)
    again = cli("labels", "review", "--adjudicator", "rv_lead", "-w", ws.root)
    assert again.exit_code == 0 and "0 conflicting segment(s) sent" in " ".join(
        again.stdout.split()
    )

    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    latest = sorted(ws.pulls_dir.iterdir())[-1]
    reviews = load_reviews(latest)
    assert reviews["rv_lead"][sid].confirmed
    assert "rv_lead" not in load_snapshot(latest)  # an adjudicator is not an annotator
    assert cli("labels", "merge", "--strategy", "intersection", "-w", ws.root).exit_code == 0
    article_id = units["rv_b"][sid].article_id
    start = units["rv_b"][sid].start
    gold_article = load_annotated(ws.gold_path)[article_id]
    in_segment = {
        (s.start - start, s.end - start, s.label)
        for s in gold_article.spans
        if start <= s.start < start + len(units["rv_b"][sid].text)
    }
    assert in_segment == keep  # the decision, not the intersection
    for s in gold_article.spans:
        if start <= s.start < start + len(units["rv_b"][sid].text):
            assert gold_article.provenance[f"{s.start},{s.end},{s.label}"] == [
                "adjudicated:rv_lead"
            ]
    remaining = [json.loads(line) for line in ws.conflicts_path.read_text().splitlines()]
    assert sid not in {c["segment_id"] for c in remaining}


def test_review_without_a_merge_is_a_clear_error(doccano_ws, cli) -> None:
    ws = doccano_ws
    assert (
        cli("doccano", "push", "--split", "dev", "--annotators", "nm_a", "-w", ws.root).exit_code
        == 0
    )
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    before = snapshot_tree(ws.root / "labels")
    result = cli("labels", "review", "--adjudicator", "nm_lead", "-w", ws.root)
    assert result.exit_code == 1
    assert "no merge yet Run `nerwb labels merge` first." in " ".join(result.stderr.split())
    assert snapshot_tree(ws.root / "labels") == before
