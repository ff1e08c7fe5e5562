"""Pull and suggestions through Doccano's own models (the local server's database), against
the REST/export path on the same real server: the same snapshot, the same suggestions."""

from __future__ import annotations

import json
import secrets
import shutil

import pytest

from conftest import DEMO_ARTICLES, annotator_login, gold_of, snapshot_tree
from nerwb.corpus.readers import read_articles
from nerwb.demo.simulated_annotators import CAREFUL, NOISY, simulate
from nerwb.doccano.connection import connect
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.projects import find_project
from nerwb.doccano.pull import pull
from nerwb.doccano.suggest import SpanJob, suggest
from nerwb.labels.schema import load_schema
from nerwb.predict.suggest import load_suggester
from nerwb.records.doccano import AssignmentPlan
from nerwb.records.pull import PullManifest, manifest_path
from nerwb.records.suggestions import SuggestionLedger, SuggestionState
from nerwb.server import direct
from nerwb.server.direct import MODEL_FIELDS, DirectAccess, DoccanoModelsChanged, direct_access
from nerwb.workspace import find_workspace, init_workspace

pytestmark = pytest.mark.doccano


def push_to(ws, cli, annotators: str, overlap: str = "0.5") -> None:
    result = cli("doccano", "push", "--annotators", annotators, "--overlap", overlap, "-w", ws.root)
    assert result.exit_code == 0, result.stderr


def second_workspace(ws, tmp_path, project: str):
    """Another workspace with ``ws``'s corpus and splits, on another project of the server."""
    other = init_workspace(tmp_path / "other", name="other")
    shutil.copyfile(ws.articles_path, other.articles_path)
    shutil.copyfile(ws.splits_path, other.splits_path)
    toml = other.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace('project = ""', f'project = "{project}"'))
    return find_workspace(other.root)


def test_direct_models_are_the_fields_nerwb_reads_and_writes(doccano_server) -> None:
    # Fails loudly when Doccano's models change: every field nerwb touches, with its type.
    assert DirectAccess(doccano_server).model_fields() == MODEL_FIELDS


def test_direct_changed_models_are_refused_naming_the_field(doccano_server, monkeypatch) -> None:
    changed = json.loads(json.dumps(MODEL_FIELDS))
    changed["labels.Span"]["start_offset"] = "CharField"
    changed["examples.Example"]["colour"] = "CharField"
    monkeypatch.setattr(direct, "MODEL_FIELDS", changed)
    with pytest.raises(DoccanoModelsChanged) as raised:
        DirectAccess(doccano_server).read("any project")
    message = str(raised.value)
    assert "labels.Span.start_offset is IntegerField, not CharField" in message
    assert "examples.Example.colour is missing, not CharField" in message


SERVERS = pytest.mark.parametrize(
    "server_ws, server",
    [("doccano_ws", "doccano_server"), ("doccano_pg_ws", "doccano_pg_server")],
    ids=["sqlite", "postgres"],
)


@SERVERS
def test_direct_pull_snapshot_is_byte_identical_to_the_export_pull(
    server_ws, server, request, cli
) -> None:
    ws, doccano_server = request.getfixturevalue(server_ws), request.getfixturevalue(server)
    push_to(ws, cli, "dp_a,dp_b")  # half the segments to both: overlapping work
    gold = gold_of(DEMO_ARTICLES)
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        # an example nerwb did not push: no segment meta (the export then writes every
        # segment_start as a float)
        upload = admin.upload_file("foreign.jsonl", b'{"text": "Not from nerwb."}\n')
        admin.wait_task(admin.start_import(project.id, [upload]))
        # the review project, empty: read alongside
        admin.create_project(f"{ws.project_name}-review", allow_overlapping=True)
    for name, noise in (("dp_a", CAREFUL), ("dp_b", NOISY)):
        with annotator_login(ws, name) as client:
            simulate(client, project.id, name, gold, noise=noise, seed=2)
    with annotator_login(ws, "dp_a") as client:  # labelled, left unconfirmed
        unconfirmed = next(
            e
            for e in client.examples(project.id)
            if e.meta.get("segment_id") and "dp_a" not in e.meta["assigned_to"]
        )
        types = {t.text: t.id for t in client.span_types(project.id)}
        client.create_span(project.id, unconfirmed.id, types["ARMED_GROUP"], 0, 4)
    schema = load_schema(ws.schema_path)
    with connect(ws) as admin:
        over_rest = pull(admin, ws, schema)
    database = DirectAccess(doccano_server)
    directly = pull(database, ws, schema)
    assert (over_rest.read_from, directly.read_from) == ("export", "database")
    assert directly.export_attempts == 1

    def files(folder) -> dict[str, bytes]:
        tree = snapshot_tree(folder)
        tree.pop("manifest.json")
        return tree

    exported, read = files(over_rest.snapshot), files(directly.snapshot)
    assert set(exported) == {"dp_a.jsonl", "dp_b.jsonl"}
    assert read == exported
    units = [json.loads(line) for line in read["dp_a.jsonl"].splitlines()]
    assert any(u["confirmed"] for u in units) and any(u["label"] for u in units)
    assert any(u["label"] and not u["confirmed"] for u in units)

    def manifest(report) -> dict:
        data = PullManifest.load(manifest_path(report.snapshot)).model_dump()
        return {k: v for k, v in data.items() if k not in ("pulled_at", "previous")}

    assert manifest(directly) == manifest(over_rest)
    assert manifest(directly)["foreign_examples"] == 1
    assert manifest(directly)["review"]["project"] == f"{ws.project_name}-review"


def test_direct_pull_of_a_missing_project_names_it_as_rest_does(doccano_ws, doccano_server):
    with pytest.raises(
        Exception, match=r"no Doccano project 'nowhere-at-all' on http://127\.0\.0\.1"
    ):
        DirectAccess(doccano_server).read("nowhere-at-all")


def patterns_suggester(ws, tmp_path):
    """Every gold name of the demo corpus as a pattern: the same spans on every run."""
    texts = {a.id: a.text for a in read_articles([DEMO_ARTICLES])}
    names = {
        texts[article][span.start : span.end]: span.label
        for article, spans in gold_of(DEMO_ARTICLES).items()
        for span in spans
    }
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(
        "".join(json.dumps({"label": label, "pattern": n}) + "\n" for n, label in names.items())
    )
    return load_suggester(load_schema(ws.schema_path), lang="en", patterns=patterns)


def seen_by(database: DirectAccess, project: str) -> dict[str, dict[str, set]]:
    """Per member, per segment: their own spans on the server, read from the database."""
    labels, _ = database.read(project)
    return {
        name: {
            record["segment_id"]: {tuple(s) for s in record["label"]}
            for _, record in view.records.values()
            if record.get("segment_id")
        }
        for name, view in labels.views.items()
    }


@SERVERS
def test_direct_suggestions_equal_the_rest_ones_credited_to_each_annotator(
    server_ws, server, request, cli, tmp_path
) -> None:
    ws, doccano_server = request.getfixturevalue(server_ws), request.getfixturevalue(server)
    other = second_workspace(ws, tmp_path, f"{ws.project_name}-bulk")
    push_to(ws, cli, "ds_a,ds_b")
    push_to(other, cli, "ds_a,ds_b")  # the same accounts, the same plan (seeded)
    shutil.copy2(ws.annotator_passwords_path, other.annotator_passwords_path)  # to edit as them
    assert json.loads(ws.assignments_path.read_text()) == json.loads(
        other.assignments_path.read_text()
    )
    suggester = patterns_suggester(ws, tmp_path)
    # the same edits in both projects before any suggestion: one labelled, one confirmed
    for workspace in (ws, other):
        with connect(workspace) as admin:
            project = find_project(admin, workspace.project_name)
            examples = sorted(admin.examples(project.id), key=lambda e: e.meta["segment_id"])
        mine = [e for e in examples if "ds_a" in e.meta["assigned_to"]]
        with annotator_login(workspace, "ds_a") as client:
            types = {t.text: t.id for t in client.span_types(project.id)}
            client.create_span(project.id, mine[0].id, types["DESIGNATION"], 0, 3)
            client.confirm(project.id, mine[1].id)
    with connect(ws) as admin:
        over_rest = suggest(admin, ws, suggester)
    database = DirectAccess(doccano_server)
    in_bulk = suggest(database, other, suggester)
    fields = ("pairs", "suggested", "spans_created", "skipped_edited", "skipped_confirmed")
    assert [getattr(in_bulk, f) for f in fields] == [getattr(over_rest, f) for f in fields]
    assert in_bulk.per_annotator == over_rest.per_annotator
    assert in_bulk.spans_created > 10 and in_bulk.skipped_edited == in_bulk.skipped_confirmed == 1
    # each annotator's own spans: the same on both projects; the admin made none
    rest_seen, bulk_seen = seen_by(database, ws.project_name), seen_by(database, other.project_name)
    assert bulk_seen == rest_seen
    assert not any(bulk_seen["admin"].values())
    assert any(bulk_seen["ds_a"].values()) and any(bulk_seen["ds_b"].values())

    def ledger(workspace) -> dict:
        (entry,) = SuggestionLedger(workspace.suggestions_path).data.values()
        return {
            (sid, name): (r.state, r.source, r.spans, r.segment_start, r.article_id)
            for sid, by in entry.items()
            for name, r in by.items()
        }

    assert ledger(other) == ledger(ws)

    # never twice: a second run creates nothing
    again = suggest(database, other, suggester)
    assert again.spans_created == 0 and again.already_suggested == in_bulk.suggested
    assert seen_by(database, other.project_name) == bulk_seen

    # resumed: a record left "planned" with one of its spans missing gets just that span back
    records = SuggestionLedger(other.suggestions_path)
    (entry,) = records.data.values()
    record = next(
        by["ds_b"] for _, by in sorted(entry.items()) if "ds_b" in by and by["ds_b"].spans
    )
    record.state = SuggestionState.PLANNED
    records.save()
    with annotator_login(other, "ds_b") as client:
        project = find_project(client, other.project_name)
        spans = client.spans(project.id, record.example_id)
        client.delete_span(project.id, record.example_id, spans[0].id)
    resumed = suggest(database, other, suggester)
    assert (resumed.resumed, resumed.spans_created) == (1, 1)
    assert seen_by(database, other.project_name) == bulk_seen


def test_direct_span_creation_rechecks_what_was_read(doccano_ws, doccano_server, cli) -> None:
    ws = doccano_ws
    push_to(ws, cli, "rc_a", overlap="0")
    database = DirectAccess(doccano_server)
    state = database.project_state(ws.project_name, ["rc_a"])
    first, second, third = state.examples[:3]
    label = state.span_types["ARMED_GROUP"]
    user = state.users["rc_a"]
    with annotator_login(ws, "rc_a") as client:  # labelled after the reading
        client.create_span(state.project.id, first.id, label, 0, 2)
        client.confirm(state.project.id, second.id)  # confirmed after the reading
    jobs = [
        SpanJob(first.id, user, [(5, 9, label)], expect=set(), unconfirmed=True),
        SpanJob(second.id, user, [(5, 9, label)], expect=set(), unconfirmed=True),
        SpanJob(third.id, user, [(0, 4, label), (2, 6, label)], expect=set(), unconfirmed=True),
        SpanJob(third.id, user, [(10, 14, label)], expect=set(), unconfirmed=True),
    ]
    outcome = [
        n
        for _, batch in database.create_spans(state.project, jobs, allow_overlapping=False, batch=2)
        for n in batch
    ]
    # changed since the reading, twice; overlapping spans of one annotator refused; one made
    assert outcome == [-1, -1, -1, 1]
    after = database.project_state(ws.project_name, ["rc_a"])
    assert after.spans[(first.id, "rc_a")] == {(0, 2, label)}
    assert (second.id, "rc_a") not in after.spans
    assert after.spans[(third.id, "rc_a")] == {(10, 14, label)}


def as_own_server(ws, server, monkeypatch) -> None:
    """Make the session's server the workspace's own local one: its files in the workspace's
    .nerwb/doccano, and no DOCCANO_URL."""
    ws.doccano_home.mkdir(parents=True, exist_ok=True)
    for name in ("server.json", "credentials.json", "db.sqlite3"):
        (ws.doccano_home / name).symlink_to(server.home / name)
    for variable in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD"):
        monkeypatch.delenv(variable)


def test_doccano_pull_and_suggest_choose_the_database_for_the_workspace_server(
    doccano_ws, doccano_server, cli, monkeypatch, tmp_path
) -> None:
    ws = doccano_ws
    push_to(ws, cli, "au_a", overlap="0")
    assert direct_access(ws) is None  # DOCCANO_URL names a server: REST it is
    as_own_server(ws, doccano_server, monkeypatch)
    assert isinstance(direct_access(ws), DirectAccess)
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Read from the local server's database" in result.stdout
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(json.dumps({"label": "ARMED_GROUP", "pattern": "Lions Brigade"}) + "\n")
    result = cli("doccano", "suggest", "--patterns", patterns, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "au_a:" in result.stdout
    # models that are not 1.8.4's: said, and the REST path takes over
    changed = json.loads(json.dumps(MODEL_FIELDS))
    changed["labels.Span"]["start_offset"] = "CharField"
    monkeypatch.setattr(direct, "MODEL_FIELDS", changed)
    result = cli("doccano", "pull", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "labels.Span.start_offset is IntegerField, not CharField" in " ".join(
        result.stderr.split()
    )
    assert "Read from the local server's database" not in result.stdout


def test_doccano_suggest_for_annotators_without_account_or_membership_changes_nothing(
    doccano_ws, doccano_server, cli, monkeypatch, tmp_path
) -> None:
    ws = doccano_ws
    push_to(ws, cli, "nm_a", overlap="0")
    with connect(ws) as admin:
        admin.create_user("nm_outsider", secrets.token_urlsafe(12))  # on the server, not a member
    plan = AssignmentPlan.load(ws.assignments_path)
    first, second = sorted(plan.segments)[:2]
    plan.segments[first] = ["nm_ghost"]
    plan.segments[second] = ["nm_outsider"]
    plan.save(ws.assignments_path)
    as_own_server(ws, doccano_server, monkeypatch)
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(json.dumps({"label": "ARMED_GROUP", "pattern": "Lions Brigade"}) + "\n")

    def workspace_files() -> dict[str, bytes]:  # the server's own files (linked) left out
        return {k: v for k, v in snapshot_tree(ws.root).items() if not (ws.root / k).is_symlink()}

    before = workspace_files()
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        spans_before = seen_by(DirectAccess(doccano_server), project.name)
    result = cli("doccano", "suggest", "--patterns", patterns, "-w", ws.root)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert (
        "suggestions are created as each annotator's own spans, but nm_ghost has no account on "
        "http://127.0.0.1:" in said
    )
    assert (
        f"and nm_outsider is not a member of project '{project.name}'; add them in Doccano" in said
    )
    assert "Create the accounts with `nerwb doccano push --annotators NAME,...`." in said
    assert workspace_files() == before  # no ledger, nothing else
    assert seen_by(DirectAccess(doccano_server), project.name) == spans_before


def test_direct_read_of_an_unreadable_database_says_so(doccano_server) -> None:
    database = DirectAccess(doccano_server)
    database._env["DATABASE_URL"] = "sqlite:////nonexistent-folder/db.sqlite3"
    with pytest.raises(
        DoccanoError,
        match=r"reading Doccano's database directly \(labels\) failed \(exit 1\): .*unable to open database file",
    ):
        database.read("any")
