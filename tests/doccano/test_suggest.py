"""Suggestions as each annotator's own spans, and their provenance, on a real Doccano server."""

from __future__ import annotations

import json

import pytest
import spacy

from conftest import annotator_login, snapshot_tree
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.doccano.suggest import SuggestOptions, suggest
from nerwb.errors import InputError, PredictError
from nerwb.labels.annotations import LabeledSpan, doc_spans
from nerwb.labels.schema import load_schema
from nerwb.labels.suggestions import Outcomes, compare_segment
from nerwb.predict.suggest import SuggestionError, load_suggester
from nerwb.progress import ProgressEvent
from nerwb.records.doccano import AssignmentPlan
from nerwb.records.suggestions import SuggestionLedger, SuggestionState

pytestmark = pytest.mark.doccano


def server_spans(ws, name: str) -> dict[str, set[tuple[int, int, str]]]:
    """What ``name`` sees of their own spans, per segment, through the REST API."""
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = list(admin.examples(project.id))
        types = {t.id: t.text for t in admin.span_types(project.id)}
    with annotator_login(ws, name) as client:
        return {
            e.meta["segment_id"]: {
                (s.start_offset, s.end_offset, types[s.label])
                for s in client.spans(project.id, e.id)
            }
            for e in examples
        }


def test_suggest_each_annotator_sees_the_model_on_their_segments_only(
    doccano_ws, tiny_model, cli
) -> None:
    ws = doccano_ws
    _, model = tiny_model
    result = cli(
        "doccano",
        "push",
        "--annotators",
        "sg_a,sg_b",
        "--overlap",
        "0.5",
        "--suggest",
        model,
        "-w",
        ws.root,
    )
    assert result.exit_code == 0, result.stderr
    plan = AssignmentPlan.load(ws.assignments_path).segments
    nlp = spacy.load(model)
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        texts = {e.meta["segment_id"]: e.text for e in admin.examples(project.id)}
    predicted = {sid: set(doc_spans(nlp(text))) for sid, text in texts.items()}
    assert any(predicted.values())
    for name in ("sg_a", "sg_b"):
        seen = server_spans(ws, name)
        for sid, spans in seen.items():
            assert spans == (predicted[sid] if name in plan[sid] else set()), (name, sid)
    # never twice
    again = cli("doccano", "suggest", model, "-w", ws.root)
    assert again.exit_code == 0, again.stderr
    said = " ".join(again.stdout.split())  # the console wraps long lines
    pairs = sum(len(names) for names in plan.values())
    assert f"0 span(s) on 0 (segment, annotator) pair(s) of {pairs}" in said
    assert f"already suggested {pairs}" in said
    assert server_spans(ws, "sg_a") == {
        sid: (predicted[sid] if "sg_a" in plan[sid] else set()) for sid in texts
    }
    ledger = SuggestionLedger(ws.suggestions_path)
    (entry,) = ledger.data.values()
    assert {n for by in entry.values() for n in by} == {"sg_a", "sg_b"}


def test_suggest_skips_edited_and_confirmed_and_resumes_after_ctrl_c(
    doccano_ws, tiny_model, cli
) -> None:
    ws = doccano_ws
    _, model = tiny_model
    assert (
        cli("doccano", "push", "--annotators", "rs_a", "--overlap", "0", "-w", ws.root).exit_code
        == 0
    )
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = list(admin.examples(project.id))
        types = {t.text: t.id for t in admin.span_types(project.id)}
    edited, confirmed = examples[0], examples[1]
    with annotator_login(ws, "rs_a") as client:
        client.create_span(project.id, edited.id, types["ARMED_GROUP"], 0, 3)
        client.confirm(project.id, confirmed.id)
    suggester = load_suggester(load_schema(ws.schema_path), lang="en", model=model)

    def ctrl_c_after_five(event: ProgressEvent) -> None:
        if event.done >= 5:
            raise KeyboardInterrupt

    with connect(ws) as admin, pytest.raises(KeyboardInterrupt):
        suggest(admin, ws, suggester, SuggestOptions(concurrency=1), on_progress=ctrl_c_after_five)
    # As if Ctrl-C had come between two spans of one segment: the ledger says "planned" and
    # the server holds only the first of its spans.
    ledger = SuggestionLedger(ws.suggestions_path)
    (entry,) = ledger.data.values()
    done = [(sid, by["rs_a"]) for sid, by in entry.items() if len(by["rs_a"].spans) >= 2]
    assert len(entry) >= 5 and done
    _, record = done[0]
    record.state = SuggestionState.PLANNED
    ledger.save()
    with annotator_login(ws, "rs_a") as client:
        eid = record.example_id
        for span in client.spans(project.id, eid)[1:]:
            client.delete_span(project.id, eid, span.id)
    with connect(ws) as admin:
        report = suggest(admin, ws, suggester)
    assert report.skipped_edited == 1 and report.skipped_confirmed == 1
    assert report.resumed == 1 and report.already_suggested == len(entry) - 1
    nlp = spacy.load(model)
    seen = server_spans(ws, "rs_a")
    for e in examples:
        if e.id == edited.id:
            assert seen[e.meta["segment_id"]] == {(0, 3, "ARMED_GROUP")}  # theirs, untouched
        elif e.id == confirmed.id:
            assert seen[e.meta["segment_id"]] == set()
        else:  # exactly the model's spans: nothing created twice
            assert seen[e.meta["segment_id"]] == {
                (x.start_char, x.end_char, x.label_) for x in nlp(e.text).ents
            }


def test_labels_suggestions_counts_scripted_edits(doccano_ws, tmp_path, cli) -> None:
    ws = doccano_ws
    patterns = tmp_path / "patterns.jsonl"
    names = ["Lions Brigade", "Desert Hawks", "Kata'ib Hezbollah", "IRGC"]
    patterns.write_text(
        "".join(json.dumps({"label": "ARMED_GROUP", "pattern": n}) + "\n" for n in names)
    )
    assert (
        cli("doccano", "push", "--annotators", "pv_a", "--overlap", "0", "-w", ws.root).exit_code
        == 0
    )
    assert cli("doccano", "suggest", "--patterns", patterns, "-w", ws.root).exit_code == 0
    (offered,) = SuggestionLedger(ws.suggestions_path).data.values()
    with_spans = [(sid, by["pv_a"]) for sid, by in sorted(offered.items()) if by["pv_a"].spans]
    assert len(with_spans) >= 4
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        types = {t.text: t.id for t in admin.span_types(project.id)}
    expected = Outcomes()
    with annotator_login(ws, "pv_a") as client:
        for i, (_, record) in enumerate(with_spans[:4]):
            eid = record.example_id
            mine = {(s.start_offset, s.end_offset): s for s in client.spans(project.id, eid)}
            first = record.spans[0]
            span = mine[(first[0], first[1])]
            if i == 0:
                expected.accepted += len(record.spans)  # accept all
            elif i == 1:  # delete the first, keep the rest
                client.delete_span(project.id, eid, span.id)
                expected.deleted += 1
                expected.accepted += len(record.spans) - 1
            elif i == 2:  # relabel the first, add a span of their own
                client.delete_span(project.id, eid, span.id)
                client.create_span(project.id, eid, types["DESIGNATION"], first[0], first[1])
                expected.label_changed += 1
                expected.accepted += len(record.spans) - 1
                free = 0 if first[0] > 5 else first[1] + 1
                client.create_span(project.id, eid, types["CASUALTY_FIGURE"], free, free + 3)
                expected.added += 1
            else:  # trim the first span by one character
                client.delete_span(project.id, eid, span.id)
                client.create_span(project.id, eid, types["ARMED_GROUP"], first[0], first[1] - 1)
                expected.boundary_changed += 1
                expected.accepted += len(record.spans) - 1
            client.confirm(project.id, eid)
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    result = cli("labels", "suggestions", "--json", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)["annotators"]["pv_a"]
    total = row["total"]
    assert (
        total["accepted"],
        total["deleted"],
        total["label_changed"],
        total["boundary_changed"],
        total["added"],
    ) == (
        expected.accepted,
        expected.deleted,
        expected.label_changed,
        expected.boundary_changed,
        expected.added,
    )
    assert row["segments"] == 4 and row["pending"] == len(offered) - 4
    assert total["precision"] == pytest.approx(expected.accepted / expected.offered)
    table = cli("labels", "suggestions", "-w", ws.root)
    assert table.exit_code == 0 and "pv_a" in table.stdout


def test_compare_segment_by_hand() -> None:
    offered = [
        LabeledSpan(0, 5, "A"),
        LabeledSpan(10, 15, "A"),
        LabeledSpan(20, 25, "A"),
        LabeledSpan(30, 35, "A"),
    ]
    confirmed = [
        LabeledSpan(0, 5, "A"),
        LabeledSpan(10, 15, "B"),
        LabeledSpan(20, 24, "A"),
        LabeledSpan(40, 45, "A"),
    ]
    out = compare_segment(offered, confirmed)
    a = out["A"]
    # 0-5 accepted, 10-15 relabelled, 20-25 trimmed, 30-35 deleted, 40-45 added
    assert (a.accepted, a.label_changed, a.boundary_changed, a.deleted, a.added) == (1, 1, 1, 1, 1)
    assert "B" not in out or out["B"].offered == 0


def test_suggest_bad_inputs(doccano_ws, tiny_model, tmp_path, cli, monkeypatch) -> None:
    ws = doccano_ws
    schema = load_schema(ws.schema_path)
    with pytest.raises(PredictError, match="not a spaCy pipeline folder"):
        load_suggester(schema, lang="en", model=ws.configs_dir)
    nlp = spacy.blank("en")
    nlp.to_disk(tmp_path / "no-ner")
    with pytest.raises(PredictError, match="has no 'ner' component"):
        load_suggester(schema, lang="en", model=tmp_path / "no-ner")
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("ORG")
    nlp.initialize()
    nlp.to_disk(tmp_path / "org")
    with pytest.raises(SuggestionError, match=r"ORG that labels\.yml does not have"):
        load_suggester(schema, lang="en", model=tmp_path / "org")
    mapped = load_suggester(
        schema, lang="en", model=tmp_path / "org", label_map={"ORG": "ARMED_GROUP"}
    )
    assert mapped.label_map == {"ORG": "ARMED_GROUP"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "ARMED_GROUP", "pattern": "IRGC"}\n{not json\n')
    with pytest.raises(InputError, match=r"bad\.jsonl, line 2: malformed JSON"):
        load_suggester(schema, lang="en", patterns=bad)
    bad.write_text('{"label": "WEAPON", "pattern": "AK-47"}\n')
    with pytest.raises(InputError, match=r"label 'WEAPON' is not in labels\.yml"):
        load_suggester(schema, lang="en", patterns=bad)
    # accounts nerwb did not create: say which tokens to set, before anything is made
    assert (
        cli("doccano", "push", "--annotators", "far_a", "--overlap", "0", "-w", ws.root).exit_code
        == 0
    )
    ws.annotator_passwords_path.unlink()
    before = snapshot_tree(ws.root / ".nerwb")
    _, model = tiny_model
    result = cli("doccano", "suggest", model, "-w", ws.root)
    assert result.exit_code == 1
    assert (
        "NERWB_DOCCANO_TOKEN_FAR_A" in result.stderr
        and "holds no password for far_a" in result.stderr
    )
    assert snapshot_tree(ws.root / ".nerwb") == before
