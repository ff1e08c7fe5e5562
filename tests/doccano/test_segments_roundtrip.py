"""Segments as the unit of work, against a real Doccano server on 127.0.0.1.

The demo corpus is cut at 200 characters, so most articles are two or three segments.
"""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import DocBin

from conftest import DEMO_ARTICLES, annotator_login, gold_of, snapshot_tree
from nerwb.cli._hints import Where, explain
from nerwb.corpus.segments import segment_article
from nerwb.corpus.store import load_articles
from nerwb.demo.simulated_annotators import CAREFUL, Noise, simulate
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.doccano.pull import pull
from nerwb.errors import ErrorKind
from nerwb.labels.annotations import load_annotated
from nerwb.labels.schema import load_schema
from nerwb.labels.snapshots import load_snapshot
from nerwb.progress import ProgressEvent
from nerwb.records.conversion import ConversionRecord
from nerwb.records.doccano import AnnotatorPasswords, AssignmentPlan
from nerwb.records.pull import PullManifest, manifest_path
from nerwb.workspace import find_workspace

pytestmark = pytest.mark.doccano


def with_segment_length(ws, length: int):
    toml = ws.root / "nerwb.toml"
    text = toml.read_text()
    current = ws.config.corpus.segment_length
    toml.write_text(text.replace(f"segment_length = {current}", f"segment_length = {length}"))
    return find_workspace(ws.root)


def label_as(ws, name: str, noise: Noise = CAREFUL):
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
    with annotator_login(ws, name) as client:
        return simulate(client, project.id, name, gold_of(DEMO_ARTICLES), noise=noise, seed=3)


@pytest.fixture
def segmented_ws(doccano_ws):
    return with_segment_length(doccano_ws, 200)


def test_segments_identical_labels_on_shared_segments_agree_fully(segmented_ws, cli) -> None:
    ws = segmented_ws
    push = cli("doccano", "push", "--annotators", "seg_a,seg_b", "--overlap", "0.5", "-w", ws.root)
    assert push.exit_code == 0, push.stderr
    n_segments = sum(
        len(segment_article(a.id, a.text, 200)) for a in load_articles(ws.articles_path)
    )
    assert n_segments > len(load_articles(ws.articles_path))  # multi-segment articles
    plan = AssignmentPlan.load(ws.assignments_path).segments
    for name in ("seg_a", "seg_b"):
        report = label_as(ws, name)
        assert report.examples == sum(name in names for names in plan.values())

    pulled = cli("doccano", "pull", "-w", ws.root)
    assert pulled.exit_code == 0, pulled.stderr
    assert "admin" not in pulled.stdout  # the admin account is not an annotator
    snapshot = load_snapshot(sorted(ws.pulls_dir.iterdir())[-1])
    for name in ("seg_a", "seg_b"):
        mine = [s for s, names in plan.items() if name in names]
        assert sorted(snapshot[name]) == sorted(mine)
        assert all(u.assigned and u.confirmed for u in snapshot[name].values())

    result = cli("labels", "agreement", "--json", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    shared = sum(len(names) == 2 for names in plan.values())
    # each annotator labelled exactly the gold of each segment: full agreement on shared ones
    assert data["overall"]["f1"] == 1.0 and data["pairs"][0]["segments"] == shared

    progress = cli("doccano", "progress", "-w", ws.root)
    assert progress.exit_code == 0
    assert "admin" not in progress.stdout and "counts are segments" in progress.stdout


def test_segments_merge_and_convert_keep_only_confirmed_text(segmented_ws, cli) -> None:
    ws = segmented_ws
    assert cli("doccano", "push", "--annotators", "pc_a,pc_b", "--overlap", "0.3", "-w", ws.root)
    label_as(ws, "pc_a")
    tired = label_as(ws, "pc_b", Noise(unconfirmed=0.4))  # labels everything, confirms ~60 %
    assert tired.left_unconfirmed > 0
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    snapshot = load_snapshot(sorted(ws.pulls_dir.iterdir())[-1])

    merged = cli("labels", "merge", "-w", ws.root)
    assert merged.exit_code == 0, merged.stderr
    gold = load_annotated(ws.gold_path)
    confirmed_spans = {
        (u.article_id, s)
        for units in snapshot.values()
        for u in units.values()
        if u.confirmed
        for s in u.spans
    }
    unconfirmed_only = {
        (u.article_id, s)
        for units in snapshot.values()
        for u in units.values()
        if not u.confirmed
        for s in u.spans
    } - confirmed_spans
    gold_spans = {(a.article_id, s) for a in gold.values() for s in a.spans}
    # both annotators copy gold carefully: every span of every confirmed segment is kept ...
    assert gold_spans == confirmed_spans
    # ... and none that only an unconfirmed segment had
    assert unconfirmed_only and not gold_spans & unconfirmed_only
    assert any(a.gold_ranges for a in gold.values())  # partly gold articles exist

    converted = cli("labels", "convert", "-w", ws.root)
    assert converted.exit_code == 0, converted.stderr
    assert "left out of" in converted.stdout
    texts = {a.id: a.text for a in load_articles(ws.articles_path)}
    nlp = spacy.blank("en")
    n_ents = 0
    for split in ("train", "dev", "test"):
        for doc in DocBin().from_disk(ws.docbin_path(split)).get_docs(nlp.vocab):
            article = gold[doc.user_data["nerwb_article_id"]]
            offset = doc.user_data["nerwb_offset"]
            assert texts[article.article_id][offset : offset + len(doc.text)] == doc.text
            ranges = article.gold_pieces()  # the doc lies inside gold text only
            assert any(s <= offset and offset + len(doc.text) <= e for s, e in ranges)
            n_ents += len(doc.ents)
    assert n_ents == len(gold_spans)
    report = ConversionRecord.load(ws.conversion_report_path)
    left = sum(r["unconfirmed"].segments for r in report.left_out.values() if "unconfirmed" in r)
    assert left == sum(len(a.left_out) for a in gold.values()) > 0


def test_segments_one_annotator_each_confirm_their_own(doccano_ws, cli) -> None:
    ws = doccano_ws
    text = (
        "Gunmen of the Lions Brigade killed four people in the market town on Monday morning, "
        "officials said on Tuesday in the capital."
    )
    second = "The Desert Hawks, which Washington put on its terror list last year, denied it."
    article = {"id": "two-part", "text": f"{text}\n\n{second}", "label": []}
    source = ws.root / "two.jsonl"
    source.write_text(json.dumps(article) + "\n")
    ws = with_segment_length(ws, 200)
    assert cli("corpus", "add", source, "-w", ws.root).exit_code == 0
    assert cli("corpus", "split", "-w", ws.root).exit_code == 0
    assert cli("doccano", "push", "--annotators", "one_a,one_b", "--overlap", "0", "-w", ws.root)
    plan = AssignmentPlan.load(ws.assignments_path).segments
    ours = sorted(s for s in plan if s.startswith("two-part#"))
    assert len(ours) == 2 and all(len(plan[s]) == 1 for s in ours)
    # one_a takes the first segment, one_b the second (every member sees every example)
    who = dict(zip(ours, ("one_a", "one_b"), strict=True))
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = {e.meta["segment_id"]: e for e in admin.examples(project.id)}
    for segment_id, name in who.items():
        with annotator_login(ws, name) as client:
            labels = {t.text: t.id for t in client.span_types(project.id)}
            example = examples[segment_id]
            phrase = "Lions Brigade" if segment_id.endswith("#0") else "Desert Hawks"
            start = example.text.index(phrase)
            client.create_span(
                project.id, example.id, labels["ARMED_GROUP"], start, start + len(phrase)
            )
            client.confirm(project.id, example.id)

    pulled = cli("doccano", "pull", "--confirmed-only", "-w", ws.root)
    assert pulled.exit_code == 0, pulled.stderr
    snapshot = load_snapshot(sorted(ws.pulls_dir.iterdir())[-1])
    for segment_id, name in who.items():
        assert snapshot[name][segment_id].confirmed  # not "confirmed 0" as per article
        assert snapshot[name][segment_id].assigned == (plan[segment_id] == [name])

    agreement = cli("labels", "agreement", "-w", ws.root)
    assert agreement.exit_code == 1  # nothing shared is not a disagreement
    assert "no two annotators share a segment confirmed by both" in agreement.stderr
    assert cli("labels", "merge", "-w", ws.root).exit_code == 0
    gold = load_annotated(ws.gold_path)["two-part"]
    assert [s.text(gold.text) for s in gold.spans] == ["Lions Brigade", "Desert Hawks"]
    assert gold.confirmed and gold.gold_ranges is None  # both segments: the whole article


def test_segments_labelling_during_a_pull_stays_consistent(segmented_ws, cli) -> None:
    ws = segmented_ws
    assert cli("doccano", "push", "--annotators", "live_a", "--overlap", "0", "-w", ws.root)
    label_as(ws, "live_a", Noise(unconfirmed=1.0))  # labelled, nothing confirmed yet
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        target = next(e for e in admin.examples(project.id) if e.meta["segment_start"] == 0)
    with annotator_login(ws, "live_a") as annotator:
        labels = {t.text: t.id for t in annotator.span_types(project.id)}

        def label_and_confirm_now() -> None:
            # between the two exports: a new span and a confirmation on one segment
            annotator.create_span(project.id, target.id, labels["DESIGNATION"], 0, 3)
            annotator.confirm(project.id, target.id)

        with connect(ws) as admin:
            report = pull(
                admin, ws, load_schema(ws.schema_path), between_exports=label_and_confirm_now
            )
        server_spans = {
            (s.start_offset, s.end_offset) for s in annotator.spans(project.id, target.id)
        }
    assert report.edited_during_pull == 1 and report.export_attempts == 2
    unit = load_snapshot(report.snapshot)["live_a"][target.meta["segment_id"]]
    assert unit.confirmed
    assert {
        (s.start, s.end) for s in unit.local_spans()
    } == server_spans  # never confirmed w/o spans
    manifest = PullManifest.load(manifest_path(report.snapshot))
    assert manifest.export_attempts == 2 and manifest.unit == "segment"


def test_segments_changed_segment_length_refuses_push(doccano_ws, cli) -> None:
    ws = doccano_ws
    assert cli("doccano", "push", "-w", ws.root).exit_code == 0
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        before = admin.count_examples(project.id)
    ws = with_segment_length(ws, 200)
    state = snapshot_tree(ws.state_dir)
    result = cli("doccano", "push", "-w", ws.root)
    assert result.exit_code == 1
    assert "segment_length is 200 in nerwb.toml" in result.stderr
    assert "were cut at 2000" in result.stderr and "segment_length = 2000" in result.stderr
    with connect(ws) as admin:
        assert admin.count_examples(project.id) == before
    assert snapshot_tree(ws.state_dir) == state
    # the ledger lost: the server's own segments show the other cut
    ws.push_ledger_path.unlink()
    result = cli("doccano", "push", "-w", ws.root)
    assert result.exit_code == 1 and "cut differently" in result.stderr
    with connect(ws) as admin:
        assert admin.count_examples(project.id) == before


def test_doccano_pull_from_a_mistyped_project_creates_nothing(doccano_ws, cli) -> None:
    ws = doccano_ws
    with connect(ws) as admin:
        before = {p.name for p in admin.projects()}
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 1
    assert f"no Doccano project {ws.project_name!r}" in result.stderr
    with connect(ws) as admin:
        assert {p.name for p in admin.projects()} == before


def test_doccano_ctrl_c_during_push_says_how_to_resume(doccano_ws) -> None:
    from nerwb.doccano.push import PushInterrupted, PushOptions
    from nerwb.doccano.push import push as push_segments

    ws = doccano_ws

    def ctrl_c_after_first_chunk(event: ProgressEvent) -> None:
        if event.done > 0:
            raise KeyboardInterrupt

    with connect(ws) as client, pytest.raises(PushInterrupted) as stopped:
        push_segments(
            client,
            ws,
            PushOptions(splits=["train"], annotators=["int_a"], chunk_rows=5),
            on_progress=ctrl_c_after_first_chunk,
        )
    message = str(stopped.value)
    assert "push interrupted after uploading 5 of" in message
    assert stopped.value.kind is ErrorKind.PUSH_INTERRUPTED and "nerwb " not in message
    said = explain(stopped.value, Where(command="nerwb doccano push"))
    assert "Run the same `nerwb doccano push` command again to resume" in said
    passwords = ws.annotator_passwords_path
    assert f"Accounts created: int_a; their passwords are in {passwords}" in message
    assert AnnotatorPasswords.load(passwords).get("int_a")
