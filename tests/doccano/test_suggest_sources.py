"""A second suggestion source (patterns after a model) adds what the first did not propose."""

from __future__ import annotations

import json

import pytest
import spacy

from conftest import annotator_login
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.labels.annotations import doc_spans
from nerwb.labels.schema import load_schema
from nerwb.predict.suggest import load_suggester
from nerwb.records.suggestions import SuggestionLedger

pytestmark = pytest.mark.doccano


def _own_spans(ws, name: str) -> dict[str, list[tuple[int, int, str]]]:
    """Each segment's spans as ``name`` sees them, duplicates kept (a list, not a set)."""
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        examples = list(admin.examples(project.id))
        types = {t.id: t.text for t in admin.span_types(project.id)}
    with annotator_login(ws, name) as client:
        return {
            e.meta["segment_id"]: sorted(
                (s.start_offset, s.end_offset, types[s.label])
                for s in client.spans(project.id, e.id)
            )
            for e in examples
        }


def test_suggest_patterns_after_a_model_adds_only_new_spans(
    doccano_ws, tiny_model, tmp_path, cli
) -> None:
    ws = doccano_ws
    _, model = tiny_model
    pushed = cli(
        "doccano",
        "push",
        "--split",
        "dev",
        "--annotators",
        "src_a",
        "--overlap",
        "0",
        "--suggest",
        model,
        "-w",
        ws.root,
    )
    assert pushed.exit_code == 0, pushed.stderr
    with connect(ws) as admin:
        project = find_project(admin, ws.project_name)
        texts = {e.meta["segment_id"]: e.text for e in admin.examples(project.id)}
    nlp = spacy.load(model)
    by_model = {sid: set(doc_spans(nlp(text))) for sid, text in texts.items()}
    # One pattern that repeats a model span (must not be created twice) and words the model
    # leaves alone (must be added where they overlap no model span).
    sid, (start, end, label) = next((s, sorted(v)[0]) for s, v in by_model.items() if v)
    patterns = tmp_path / "patterns.jsonl"
    rows = [{"label": label, "pattern": texts[sid][start:end]}]
    rows += [{"label": "ARMED_GROUP", "pattern": w} for w in ("government", "police", "army")]
    patterns.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ruler = load_suggester(load_schema(ws.schema_path), lang="en", patterns=patterns)
    order = sorted(texts)
    by_patterns = dict(zip(order, ruler.spans(texts[s] for s in order), strict=True))
    expected = {
        s: sorted(
            by_model[s]
            | {
                p
                for p in by_patterns[s]
                if not any(p[0] < e and o < p[1] for o, e, _ in by_model[s])
            }
        )
        for s in texts
    }
    added = sum(len(expected[s]) - len(by_model[s]) for s in texts)
    assert added > 0 and any(by_patterns[s] and by_model[s] for s in texts)

    second = cli("doccano", "suggest", "--patterns", patterns, "-w", ws.root)
    assert second.exit_code == 0, second.stderr
    said = " ".join(second.stdout.split())
    assert f"{added} span(s) on" in said and "already suggested 0" in said
    assert _own_spans(ws, "src_a") == expected  # nothing twice, nothing overlapping
    (entry,) = SuggestionLedger(ws.suggestions_path).data.values()
    sources = {tuple(r.sources) for by in entry.values() for r in by.values()}
    assert sources == {(f"model:{model}", f"patterns:{patterns}")}

    third = cli("doccano", "suggest", "--patterns", patterns, "-w", ws.root)
    assert third.exit_code == 0, third.stderr
    assert f"already suggested {len(texts)}" in " ".join(third.stdout.split())
    assert _own_spans(ws, "src_a") == expected
