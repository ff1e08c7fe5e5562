"""The main job end to end on a few demo articles: a real local Doccano started by `up`,
simulated annotators through REST, pull, labels, a tiny training run, evaluation."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import DocBin

from nerwb.corpus.segments import segment_article
from nerwb.corpus.store import load_articles
from nerwb.demo.loop import DEMO_ANNOTATORS, DemoStage, run_demo
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.labels.snapshots import load_snapshot
from nerwb.server.local import free_port, local_server
from nerwb.workspace import find_workspace

pytestmark = pytest.mark.doccano


def test_demo_loop_end_to_end(ws, monkeypatch) -> None:
    for variable in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    # as in the repository's own demo workspace: short articles cut into several segments
    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace("segment_length = 2000", "segment_length = 200"))
    ws = find_workspace(ws.root)
    stages: list[str] = []
    try:
        result = run_demo(
            ws,
            port=free_port(),
            limit=16,
            steps=20,
            training_overrides={"components.tok2vec.model.encode.width": 32},
            on_progress=lambda event: stages.append(event.stage) if event.unit == "stage" else None,
        )
        # every stage ran, in order
        order = [
            "doccano up",
            "corpus add",
            "corpus split",
            "doccano push",
            "simulated annotators",
            "doccano pull",
            "labels audit",
            "labels agreement",
            "labels merge",
            "labels convert",
            "train",
            "evaluate",
            "round 2 push",
            "round 2 suggest",
            "round 2 annotators",
            "labels suggestions",
            "labels review",
            "labels merge",
            "labels convert",
            "train",
            "evaluate",
        ]
        assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == order
        assert all(isinstance(s, DemoStage) for s in stages)  # typed events, not strings
        # the server is left running, holding the project and both annotators' labels
        assert local_server(ws).status().healthy
        n_segments = sum(
            len(segment_article(a.id, a.text, 200)) for a in load_articles(ws.articles_path)
        )
        assert n_segments > 16  # multi-segment articles
        with connect(ws) as admin:
            project = find_project(admin, ws.project_name)
            assert admin.count_examples(project.id) == n_segments
            members = {m.username for m in admin.members(project.id)}
        assert set(DEMO_ANNOTATORS) <= members
        assert oct(result.credentials.stat().st_mode & 0o777) == "0o600"
        # the pulled snapshot holds exactly what the simulated annotators created
        snapshot = load_snapshot(result.snapshot)
        for name in DEMO_ANNOTATORS:
            created = {(a, s) for a, s in result.labelling[name].created}
            pulled = {(u.article_id, s) for u in snapshot[name].values() for s in u.spans}
            assert pulled == created
        # agreement over the double-labelled articles: the careful and the noisy annotator differ
        assert 0.3 < result.agreement["overall"]["f1"] < 1.0
        assert set(result.agreement["per_label"]) == {
            "ARMED_GROUP",
            "CASUALTY_FIGURE",
            "DESIGNATION",
        }
        # DocBin contents equal the conversion's counts
        nlp = spacy.blank("en")
        for split, by_label in result.docbin_counts.items():
            ents: dict[str, int] = {}
            for doc in DocBin().from_disk(ws.docbin_path(split)).get_docs(nlp.vocab):
                for ent in doc.ents:
                    ents[ent.label_] = ents.get(ent.label_, 0) + 1
            assert ents == {k: v for k, v in by_label.items() if v}
        assert sum(sum(v.values()) for v in result.docbin_counts.values()) <= result.gold_spans
        # what bob labelled and left unconfirmed is not gold, unless alice confirmed it
        assert result.unconfirmed_segments <= result.labelling["demo_bob"].left_unconfirmed
        # a model and a full report
        assert (result.model / "meta.json").exists()
        metrics = json.loads((result.report.parent / "metrics.json").read_text())
        assert metrics["n_docs"] >= 1 and set(metrics["micro"]) == {
            "strict",
            "exact",
            "partial",
            "type",
        }
        assert result.report.exists() and (result.report.parent / "confusion.png").exists()
        # round two: every train segment pushed, the corrections counted, the adjudicator heard
        assert set(result.corrections) == set(DEMO_ANNOTATORS)
        assert sum(c.examples for c in result.corrections.values()) > 0
        # round one's test F is what its own report says
        (round_one,) = {p.parent for p in ws.evaluate_dir.glob("*/metrics.json")} - {
            result.report.parent
        }
        first = json.loads((round_one / "metrics.json").read_text())
        assert result.round_one_f == first["micro"]["strict"]["f"]
        # a second run adds nothing to Doccano and labels nothing twice
        again = run_demo(ws, limit=16, steps=10)
        assert all(r.spans_created == 0 for r in again.labelling.values())
        assert all(c.edits == 0 for c in again.corrections.values())
        with connect(ws) as admin:
            assert admin.count_examples(project.id) == n_segments
    finally:
        local_server(ws).down()
