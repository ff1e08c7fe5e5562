"""Every record round-trips, refuses corrupt and foreign files by name, reads the previous
version's files, and is the only reader of stage and ``.nerwb/`` files."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest

from nerwb.errors import InputError
from nerwb.records._base import Record
from nerwb.records.conversion import ConversionRecord, LeftOut
from nerwb.records.dev_scores import DevScores, LabelScores
from nerwb.records.doccano import (
    AnnotatorPasswords,
    AssignmentPlan,
    PushedProject,
    PushLedger,
    PushLedgerFile,
    PushSelection,
    project_key,
)
from nerwb.records.pull import PulledReview, PullManifest
from nerwb.records.suggestions import (
    Suggestion,
    SuggestionLedger,
    SuggestionLedgerFile,
    SuggestionState,
)
from nerwb.records.training import RunStatus, TrainGoldNames, TrainingManifest

SRC = Path(__file__).resolve().parents[2] / "src" / "nerwb"

# One filled-in example of every record: every field set, so a round trip checks them all.
EXAMPLES: list[Record] = [
    TrainingManifest(
        status=RunStatus.INTERRUPTED,
        nerwb_version="0.1",
        spacy_version="3.8",
        python="3.12",
        config_file="configs/ner-fast.cfg",
        config_sha256="ab",
        overrides={"training.max_steps": 5},
        base_model={"name": "en_core_web_sm"},
        seed=0,
        labels=["ARMED_GROUP"],
        data={"train": {"docs": 3}, "dev": {"docs": 2}},
        train_gold_names=TrainGoldNames(
            normalisation="casefold", count=1, sha256="ab", names=["irgc"]
        ),
        workspace_git_commit=None,
        started="2026-12-06T00:00:00+00:00",
        finished="2026-12-06T00:01:00+00:00",
        seconds=60.0,
        steps=5,
        gpu_id=-1,
        best_dev=DevScores(
            ents_f=0.5, ents_p=0.4, ents_r=0.6, ents_per_type={"X": LabelScores(p=1, r=1, f=1)}
        ),
        evaluations=[{"step": 5, "score": 0.5, "losses": {"ner": 1.0}}],
        notes=["a note"],
        config="[nlp]\n",
    ),
    PullManifest(
        project="p",
        project_id=1,
        server="http://127.0.0.1:8000",
        pulled_at="2026-12-06T00:00:00+00:00",
        confirmed_only=True,
        unit="segment",
        segment_length=2000,
        export_attempts=2,
        edited_during_pull=1,
        annotators={"a": {"spans": 3}},
        foreign_examples=1,
        duplicate_segments={"a#0": [3, 4]},
        files={"a.jsonl": "ff"},
        previous="20261205T000000Z",
        review=PulledReview(project="p-review", project_id=2, adjudicators={"j": {"spans": 1}}),
    ),
    PushLedgerFile(
        projects={
            "u|project:1": PushedProject(
                segment_length=200,
                segments={"a#0": "h"},
                selection={
                    "a#0": PushSelection(strategy="uncertain", model="m", rank=1, score=0.3)
                },
            )
        }
    ),
    AssignmentPlan(segments={"a#0": ["ann_a", "ann_b"]}),
    AnnotatorPasswords(passwords={"ann_a": "s3cret-é"}),
    SuggestionLedgerFile(
        projects={
            "u|project:1": {
                "a#0": {
                    "ann_a": Suggestion(
                        state=SuggestionState.DONE,
                        source="model",
                        source_hash="h",
                        example_id=7,
                        segment_start=10,
                        article_id="a",
                        spans=[(0, 3, "X")],
                        at="2026-12-06T00:00:00+00:00",
                    )
                }
            }
        }
    ),
    ConversionRecord(
        docs={"train": 1},
        per_split={"train": {"X": {"spans_in": 1, "written": 1, "changed": 0, "skipped": 0}}},
        totals={"X": {"spans_in": 1, "written": 1, "changed": 0, "skipped": 0}},
        whole_articles={"train": 1},
        gold_pieces={"test": 1},
        left_out={"test": {"unconfirmed": LeftOut(articles=0, segments=1, spans=2, chars=9)}},
        events=[{"action": "skipped"}],
        unsplit_articles=["b"],
    ),
]
IDS = [type(r).__name__ for r in EXAMPLES]


def _fields_unset(record: Record) -> set[str]:
    return set(type(record).model_fields) - record.model_fields_set - {"format"}


@pytest.mark.parametrize("record", EXAMPLES, ids=IDS)
def test_records_round_trip_every_field(record: Record, tmp_path: Path) -> None:
    assert not _fields_unset(record), "the example must set every field"
    path = tmp_path / "x.json"
    record.save(path)
    loaded = type(record).load(path)
    assert loaded == record
    data = json.loads(path.read_text(encoding="utf-8"))
    # the file's keys are the record's field names: a renamed field changes the file, and the
    # readers, which use the attributes, stop type-checking
    assert list(data) == list(type(record).model_fields)
    assert data["format"] == type(record).FORMAT


@pytest.mark.parametrize("record", EXAMPLES, ids=IDS)
@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"project": ', "malformed JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"format": 99}', "written by a newer nerwb"),
        ('{"format": "one"}', "format 'one'"),
        ('{"format": FORMAT, "foreign_field": 1}', "foreign_field"),
        (b"\xff\xfe{", "not valid UTF-8"),
    ],
)
def test_records_refuse_corrupt_or_foreign_files_naming_them(
    record: Record, content: str | bytes, says: str, tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.replace("FORMAT", str(type(record).FORMAT)), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        type(record).load(path)
    assert str(err.value).startswith(f"{path}: ") and says in str(err.value)
    assert path.read_bytes() == before  # nothing rewritten


def test_records_a_missing_file_is_an_error_or_empty_where_optional(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        AssignmentPlan.load(tmp_path / "none.json")
    assert AssignmentPlan.load_or_new(tmp_path / "none.json").segments == {}
    assert not (tmp_path / "none.json").exists()


def test_records_read_the_previous_version_files(tmp_path: Path) -> None:
    """Files written before records had a ``format`` still load, as format 1."""
    old = tmp_path / "old.json"
    # the push ledger's first two layouts
    old.write_text(
        json.dumps(
            {"u|project:1": {"a#0": "h"}, "u|project:2": {"segment_length": 5, "segments": {}}}
        )
    )
    ledger = PushLedger(old)
    assert ledger.segments("u", 1) == {"a#0": "h"} and ledger.entry("u", 1).segment_length is None
    assert ledger.entry("u", 2).segment_length == 5
    ledger.save()  # a project without a --select push keeps the layout it had: no empty key
    assert "selection" not in old.read_text()
    old.write_text(json.dumps({"a#0": ["x", "y"]}))
    assert AssignmentPlan.load(old).segments == {"a#0": ["x", "y"]}
    old.write_text(json.dumps({"x": "pw"}))
    assert AnnotatorPasswords.load(old).get("x") == "pw"
    old.write_text(
        json.dumps(
            {
                "u|project:1": {
                    "a#0": {
                        "x": {
                            "state": "planned",
                            "source": "m",
                            "source_hash": "h",
                            "example_id": 1,
                            "segment_start": 0,
                            "article_id": "a",
                            "spans": [[0, 1, "X"]],
                            "at": "t",
                        }
                    }
                }
            }
        )
    )
    assert SuggestionLedger(old).project("u|project:1")["a#0"]["x"].state == "planned"
    # manifests kept their layout: no format field is format 1
    old.write_text(json.dumps({"config_file": "c.cfg", "best_dev": {"ents_f": 0.5}}))
    assert TrainingManifest.load(old).best_dev.ents_f == 0.5


def test_records_passwords_are_0600_and_never_printed(tmp_path: Path) -> None:
    path = tmp_path / "annotators.json"
    passwords = AnnotatorPasswords(passwords={"ann_a": "s3cret"})
    passwords.save(path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert "s3cret" not in repr(passwords) and "s3cret" not in str(passwords)

    class Client:
        def login(self, username: str, password: str) -> None:
            self.seen = (username, password)

    client = Client()
    AnnotatorPasswords.load(path).login(client, "ann_a")
    assert client.seen == ("ann_a", "s3cret")


def test_records_one_project_key_for_both_ledgers() -> None:
    manifest = EXAMPLES[1]
    assert isinstance(manifest, PullManifest)
    assert manifest.project_key == project_key("http://127.0.0.1:8000", 1)
    assert PushLedger.key("http://127.0.0.1:8000", 1) == manifest.project_key


def _parses_json_of_a_read(node: ast.Call) -> bool:
    """``json.loads(<anything that calls .read_text() or .read_bytes()>)``."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "loads"):
        return False
    if not (isinstance(func.value, ast.Name) and func.value.id == "json"):
        return False
    return any(
        isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Attribute)
        and inner.func.attr in ("read_text", "read_bytes")
        for arg in node.args
        for inner in ast.walk(arg)
    )


# Files parsed outside records, and why they are not stage hand-offs: each in its own owner's
# format, named by file and by what the parsing line reads.
NOT_RECORDS = {
    ("evaluate/run.py", "metrics_path"): "an evaluation's own metrics.json (EvalMetrics.from_json)",
    ("predict/output.py", "index_path"): "a prediction folder's own index, read back to resume",
    ("server/local.py", "path.read_text"): "the local server's state, read by its manager",
    ("server/local.py", "_settings_path"): "the local server's settings, read by its manager",
    ("training/run.py", "meta.json"): "spaCy's own meta.json of the model it has just written",
    ("lock.py", "lock_holder_path"): "who holds the workspace lock: nerwb.lock's own note, below "
    "the records layer, where an unreadable note means 'not known' by design",
}


def test_records_no_stage_file_is_parsed_outside_records() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("records/"):
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and _parses_json_of_a_read(node):
                code = ast.get_source_segment(source, node) or ""
                if not any(f == rel and what in code for f, what in NOT_RECORDS):
                    found.append(f"{rel}:{node.lineno}")
    assert found == [], f"read these through a nerwb.records model: {found}"


def test_records_the_grep_catches_a_hand_written_read() -> None:
    tree = ast.parse('data = json.loads(ws.push_ledger_path.read_text(encoding="utf-8"))')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(_parses_json_of_a_read(c) for c in calls)


@pytest.mark.parametrize("record", EXAMPLES, ids=IDS)
def test_records_a_renamed_field_breaks_the_writer_and_the_reader(record: Record) -> None:
    """What a renamed field does: the writer that still uses the old name fails at once, and a
    file with a name the record does not know is refused by name, never half read."""
    from pydantic import ValidationError

    data = record.to_json()
    first = next(k for k in data if k != "format")
    renamed = {(f"{k}_renamed" if k == first else k): v for k, v in data.items()}
    with pytest.raises(ValidationError, match=f"{first}_renamed"):
        type(record)(**{k: v for k, v in renamed.items() if k != "format"})
    with pytest.raises(InputError, match=rf"^old\.json: .*{first}_renamed"):
        type(record).from_json(renamed, "old.json")
