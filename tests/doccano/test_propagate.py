"""``--propagate``: every name the team has confirmed, pre-annotated wherever it recurs in the
next batch, in one option of ``doccano push`` and ``doccano suggest``, on a real Doccano; its
edits counted by ``labels suggestions`` as a model's are."""

from __future__ import annotations

import json
import re

import pytest

from conftest import DEMO_ARTICLES, annotator_login, snapshot_tree
from nerwb.corpus.splits import load_splits
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.labels.annotations import load_annotated
from nerwb.labels.gold_names import normalise_name
from nerwb.labels.imports import ImportOptions, import_annotations
from nerwb.labels.merge import merge_workspace
from nerwb.records.doccano import PushLedger
from nerwb.records.suggestions import SpanOrigin, SuggestionLedger

pytestmark = pytest.mark.doccano


def confirmed_training_names(ws) -> dict[str, set[str]]:
    """The demo gold, confirmed by one annotator and merged: its training split's names."""
    import_annotations(ws, ImportOptions(DEMO_ARTICLES, annotator="gold"))
    merge_workspace(ws)
    train = load_splits(ws.splits_path).ids("train")
    out: dict[str, set[str]] = {}
    for a in load_annotated(ws.gold_path).values():
        if a.article_id in train:
            for s in a.spans:
                out.setdefault(s.label, set()).add(normalise_name(a.text[s.start : s.end]))
    return out


def own_spans(ws, name: str) -> tuple[dict[str, str], dict[str, set[tuple[int, int, str]]]]:
    """Each pushed segment's text, and the spans ``name`` sees there as their own."""
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = list(admin.examples(project.id))
        types = {t.id: t.text for t in admin.span_types(project.id)}
    with annotator_login(ws, name) as client:
        spans = {
            e.meta["segment_id"]: {
                (s.start_offset, s.end_offset, types[s.label])
                for s in client.spans(project.id, e.id)
            }
            for e in examples
        }
    return {e.meta["segment_id"]: e.text or "" for e in examples}, spans


def test_push_propagate_gold_pre_annotates_every_recurrence_and_counts_edits(
    doccano_ws, cli
) -> None:
    ws = doccano_ws
    names = confirmed_training_names(ws)
    result = cli(
        "doccano",
        "push",
        *("--split", "dev", "--annotators", "pr_a", "--overlap", "0"),
        *("--propagate", "gold", "-w", ws.root),
    )
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "known name(s)" in said and "confirmed in gold" in said
    texts, seen = own_spans(ws, "pr_a")
    offered = [(sid, span) for sid, spans in seen.items() for span in spans]
    assert len(offered) >= 5
    for sid, (start, end, label) in offered:
        # a confirmed training name with its own label; never a number phrase
        assert label != "CASUALTY_FIGURE"
        assert normalise_name(texts[sid][start:end]) in names[label], texts[sid][start:end]
    # every recurrence of a (plain, multi-letter) confirmed name is covered by a suggestion
    plain = {n for n in names["ARMED_GROUP"] if re.fullmatch(r"[a-z]{4,}( [a-z]+)*", n)}
    recurrences = 0
    for sid, text in texts.items():
        for name in plain:
            pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)"
            for m in re.finditer(pattern, text, flags=re.IGNORECASE):
                recurrences += 1
                assert any(s <= m.start() and m.end() <= e for s, e, _ in seen[sid]), m.group()
    assert recurrences >= 3
    (entry,) = SuggestionLedger(ws.suggestions_path).data.values()
    records = [r for by in entry.values() for r in by.values()]
    assert {tuple(r.sources or [r.source]) for r in records} == {("names:gold",)}
    assert {o for r in records for o in r.origins} == {SpanOrigin.CONFIRMED_NAMES}

    # The annotator keeps every name of one segment, deletes one of another; both confirmed.
    with_spans = sorted((sid, r) for sid, by in entry.items() for r in by.values() if r.spans)
    (_, keep), (_, cut) = with_spans[:2]
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
    with annotator_login(ws, "pr_a") as client:
        first = client.spans(project.id, cut.example_id)[0]
        client.delete_span(project.id, cut.example_id, first.id)
        client.confirm(project.id, keep.example_id)
        client.confirm(project.id, cut.example_id)
    assert cli("doccano", "pull", "-w", ws.root).exit_code == 0
    report = cli("labels", "suggestions", "--json", "-w", ws.root)
    assert report.exit_code == 0, report.stderr
    row = json.loads(report.stdout)["annotators"]["pr_a"]
    by_names = row["per_origin"]["confirmed-names"]
    total = len(keep.spans) + len(cut.spans)
    assert (by_names["offered"], by_names["accepted"], by_names["deleted"]) == (total, total - 1, 1)
    assert row["total"]["accepted"] == total - 1 and row["segments"] == 2
    table = cli("labels", "suggestions", "-w", ws.root)
    assert "offered by: confirmed-names" in " ".join(table.stdout.split())


def test_suggest_propagate_is_one_command_beside_a_model(doccano_ws, tiny_model, cli) -> None:
    ws = doccano_ws
    names = confirmed_training_names(ws)
    _, model = tiny_model
    pushed = cli(
        "doccano",
        "push",
        *("--split", "dev,test", "--annotators", "ps_a", "--overlap", "0", "--suggest", model),
        *("-w", ws.root),
    )
    assert pushed.exit_code == 0, pushed.stderr
    _, by_model = own_spans(ws, "ps_a")
    # no `labels patterns` first: the option reads the gold itself
    assert not ws.patterns_path.exists()
    second = cli("doccano", "suggest", "--propagate", "gold", "-w", ws.root)
    assert second.exit_code == 0, second.stderr
    texts, seen = own_spans(ws, "ps_a")
    added = {sid: seen[sid] - by_model[sid] for sid in seen}
    assert any(added.values()), second.stdout
    for sid, spans in added.items():
        assert by_model[sid] <= seen[sid]  # the model's stay
        for start, end, label in spans:
            assert normalise_name(texts[sid][start:end]) in names[label]
            assert not any(s < end and start < e for s, e, _ in by_model[sid])
    (entry,) = SuggestionLedger(ws.suggestions_path).data.values()
    for by in entry.values():
        for record in by.values():
            assert record.sources == [f"model:{model}", "names:gold"]
            assert len(record.origins) == len(record.spans)
    again = cli("doccano", "suggest", "--propagate", "gold", "-w", ws.root)
    assert f"already suggested {len(texts)}" in " ".join(again.stdout.split())


def test_propagate_bad_names_list_changes_nothing(doccano_ws, cli) -> None:
    ws = doccano_ws
    ws.names_path.write_text("name,label,source\nIRGC,ARMED_GROUP,me\nAK-47,WEAPON,me\n")
    before = snapshot_tree(ws.root)
    result = cli(
        "doccano",
        "push",
        *("--split", "dev", "--annotators", "pb_a", "--propagate", "list", "-w", ws.root),
    )
    assert result.exit_code == 1
    assert "names.csv, line 3: label 'WEAPON' is not in labels.yml" in result.stderr
    assert snapshot_tree(ws.root) == before  # refused before anything was pushed
    assert PushLedger(ws.push_ledger_path).pushed() == set()
    wrong = cli("doccano", "suggest", "--propagate", "everything", "-w", ws.root)
    assert wrong.exit_code == 2 and "everything" in wrong.stderr
