"""``nerwb predict`` with a real trained pipeline: outputs, long articles, resume, bad input."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import spacy

from conftest import DEMO_ARTICLES, SHARED_DATA, needs_shared, snapshot_tree, write_jsonl
from nerwb.choices import OnError
from nerwb.corpus.model import article_id_for
from nerwb.corpus.readers import read_articles
from nerwb.corpus.segments import segment_article
from nerwb.errors import PredictError
from nerwb.predict.inputs import InputSource
from nerwb.predict.options import PredictOptions
from nerwb.predict.output import OutputFormat, parts_folder, pyarrow_available
from nerwb.predict.run import predict
from nerwb.progress import ProgressEvent


def demo_texts() -> list[dict]:
    return [json.loads(line) for line in DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()]


def spacy_entities(model: Path, texts: list[str]) -> list[list[list]]:
    """spaCy's own answer, to hold nerwb's output against."""
    nlp = spacy.load(model)
    return [
        [[e.start_char, e.end_char, e.label_, e.text] for e in doc.ents] for doc in nlp.pipe(texts)
    ]


def read_out(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of articles in four formats: txt, md, html and a JSONL of the demo corpus."""
    records = demo_texts()
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(records[0]["text"], encoding="utf-8")
    (root / "sub" / "b.md").write_text("# A title\n\n" + records[1]["text"], encoding="utf-8")
    (root / "c.html").write_text(
        f"<html><body><article><p>{records[2]['text']}</p></article></body></html>",
        encoding="utf-8",
    )
    write_jsonl(root / "wire.jsonl", [{"text": r["text"], "title": "t"} for r in records[3:20]])
    return root


def test_predict_folder_matches_spacy_and_corpus_ids(model: Path, folder: Path, cli) -> None:
    out = folder.parent / "preds.jsonl"
    result = cli("predict", model, folder, "--output", out)
    assert result.exit_code == 0, result.stderr
    records = read_out(out)
    raw = list(read_articles([folder]))
    assert [r["id"] for r in records] == [a.id or article_id_for(a.text) for a in raw]
    assert len(records) == 20 and records[0]["id"] == article_id_for(raw[0].text)
    assert [r["entities"] for r in records] == spacy_entities(model, [a.text for a in raw])
    assert sum(len(r["entities"]) for r in records) > 0  # the model really finds entities
    manifest = (model.parent / "manifest.json").read_bytes()
    expected = hashlib.sha256(manifest + b"\0" + b"model-best").hexdigest()
    assert {r["model_hash"] for r in records} == {expected}
    assert records[0]["model"] == "tiny-model-best" and records[0]["nerwb_version"]
    by_file = {Path(r["origin"]).name: r for r in records}
    assert by_file["b.md"]["title"] == "A title" and by_file["a.txt"]["text"] == raw[0].text
    assert not parts_folder(out).exists()  # assembled, work folder gone
    assert "Wrote 20 record(s)" in " ".join(result.stdout.split())


def test_predict_long_articles_in_pieces_map_back(model: Path, tmp_path: Path) -> None:
    records = demo_texts()
    long_text = "\n\n".join(r["text"] for r in records[:6])
    path = write_jsonl(tmp_path / "long.jsonl", [{"id": "long", "text": long_text}])
    out = tmp_path / "out.jsonl"
    max_length = 400
    assert len(long_text) > 3 * max_length
    predict(PredictOptions(model, InputSource(paths=(path,)), out, max_length=max_length))
    (record,) = read_out(out)
    pieces = segment_article("long", long_text, max_length)
    expected = []
    for piece, found in zip(pieces, spacy_entities(model, [p.text for p in pieces]), strict=True):
        for s, e, label, text in found:
            expected.append([s + piece.start, e + piece.start, label, text])
    assert record["entities"] == expected and expected
    assert all(long_text[s:e] == t for s, e, _, t in record["entities"])


def test_predict_doccano_format_and_no_text(model: Path, folder: Path, cli) -> None:
    out = folder.parent / "doccano.jsonl"
    assert cli("predict", model, folder, "-o", out, "--format", "doccano").exit_code == 0
    examples = read_out(out)
    ents = spacy_entities(model, [a.text for a in read_articles([folder])])
    assert [x["label"] for x in examples] == [[e[:3] for e in doc] for doc in ents]
    assert examples[0]["text"] and examples[0]["model_hash"] and "entities" not in examples[0]
    bare = folder.parent / "bare.jsonl"
    assert cli("predict", model, folder, "-o", bare, "--no-text").exit_code == 0
    assert all("text" not in r and r["entities"] is not None for r in read_out(bare))
    refused = cli(
        "predict",
        model,
        folder,
        "-o",
        folder.parent / "x.jsonl",
        "--format",
        "doccano",
        "--no-text",
    )
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1 and "--format doccano needs each article's text" in said


class Interrupt(Exception):
    pass


def test_predict_resumes_after_interruption_without_duplicates(model: Path, folder: Path) -> None:
    source = InputSource(paths=(folder,))
    whole = folder.parent / "whole.jsonl"
    predict(PredictOptions(model, source, whole, part_size=5))
    out = folder.parent / "preds.jsonl"

    def stop_after_12(event: ProgressEvent) -> None:
        assert event.unit == "article" and event.words is not None
        if event.done == 12:
            raise Interrupt

    with pytest.raises(Interrupt):
        predict(PredictOptions(model, source, out, part_size=5), on_progress=stop_after_12)
    assert not out.exists()
    index = json.loads((parts_folder(out) / "_index.json").read_text())
    assert [p["count"] for p in index["parts"]] == [5, 5]  # 2 records of part 3 not kept
    seen: list[int] = []
    report = predict(
        PredictOptions(model, source, out, part_size=5), on_progress=lambda e: seen.append(e.total)
    )
    assert report.resumed == 10 and report.predicted == 10 and set(seen) == {10}
    ids = [r["id"] for r in read_out(out)]
    assert len(ids) == len(set(ids)) == 20
    assert out.read_bytes() == whole.read_bytes()


def test_predict_resume_refuses_other_inputs_or_model(model: Path, folder: Path) -> None:
    out = folder.parent / "preds.jsonl"

    def stop(event: ProgressEvent) -> None:
        if event.done == 6:
            raise Interrupt

    with pytest.raises(Interrupt):
        predict(
            PredictOptions(model, InputSource(paths=(folder,)), out, part_size=5), on_progress=stop
        )
    before = snapshot_tree(parts_folder(out))
    (folder / "new.txt").write_text(
        "Another article about the Kata'ib Hezbollah.", encoding="utf-8"
    )
    with pytest.raises(PredictError, match="unfinished run with another inputs"):
        predict(PredictOptions(model, InputSource(paths=(folder,)), out, part_size=5))
    assert snapshot_tree(parts_folder(out)) == before
    report = predict(
        PredictOptions(model, InputSource(paths=(folder,)), out, part_size=5, force=True)
    )
    assert report.resumed == 0 and report.records == 21


def test_predict_refuses_output_of_another_model(
    model: Path, folder: Path, tmp_path: Path, cli
) -> None:
    other = tmp_path / "other-model"
    shutil.copytree(model, other)  # outside a run folder: hashed by its files
    out = folder.parent / "preds.jsonl"
    assert cli("predict", model, folder, "-o", out).exit_code == 0
    before = out.read_bytes()
    result = cli("predict", other, folder, "-o", out)
    assert (
        result.exit_code == 1 and "predictions of another model (tiny-model-best" in result.stderr
    )
    assert out.read_bytes() == before
    again = cli("predict", model, folder, "-o", out)
    assert again.exit_code == 1 and "finished predictions of this model" in again.stderr
    forced = cli("predict", other, folder, "-o", out, "--force")
    assert forced.exit_code == 0 and "hash of files" in " ".join(forced.stdout.split())
    records = read_out(out)
    assert {r["model"] for r in records} == {"other-model"}
    assert [r["entities"] for r in records] == [
        json.loads(line)["entities"] for line in before.decode().splitlines()
    ]


def test_predict_bad_model_folders(folder: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "p.jsonl"
    missing = cli("predict", tmp_path / "nope", folder, "-o", out)
    assert missing.exit_code == 1 and "nope does not exist" in missing.stderr
    (tmp_path / "notmodel").mkdir()
    (tmp_path / "notmodel" / "x.txt").write_text("x")
    result = cli("predict", tmp_path / "notmodel", folder, "-o", out)
    assert result.exit_code == 1 and "is not a spaCy pipeline folder" in result.stderr
    assert not out.exists() and not parts_folder(out).exists()


def test_predict_bad_records_fail_or_skip(model: Path, folder: Path, cli) -> None:
    bad = folder / "bad.jsonl"
    bad.write_text(
        '{"text": "Good one about the IRGC."}\n{"text": \n{"title": "no text"}\n', encoding="utf-8"
    )
    (folder / "latin1.txt").write_bytes("caf\xe9 in Basra".encode("latin-1"))
    out = folder.parent / "preds.jsonl"
    failed = cli("predict", model, folder, "-o", out)
    assert failed.exit_code == 1 and "bad.jsonl, line 2: malformed JSON" in failed.stderr
    assert "--on-error skip" in failed.stderr and not out.exists()
    skipped = cli("predict", model, folder, "-o", out, "--on-error", "skip")
    assert skipped.exit_code == 0, skipped.stderr
    assert "3 bad input record(s) skipped" in skipped.stderr
    listed = read_out(folder.parent / "preds.skipped.jsonl")
    assert [(Path(b["file"]).name, b["line"]) for b in listed] == [
        ("bad.jsonl", 2),
        ("bad.jsonl", 3),
        ("latin1.txt", None),
    ]
    assert "not valid UTF-8" in listed[2]["error"]
    assert len(read_out(out)) == 21  # 20 good articles + the good line of bad.jsonl


def test_predict_output_that_cannot_be_written(
    model: Path, folder: Path, tmp_path: Path, cli
) -> None:
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    result = cli("predict", model, folder, "-o", a_file / "preds.jsonl")
    assert result.exit_code == 1 and "cannot write" in result.stderr
    result = cli("predict", model, folder, "-o", tmp_path / "no" / "such" / "preds.jsonl")
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert a_file.read_text() == "x"


def test_predict_corpus_split(tiny_workspace, cli) -> None:
    ws, model = tiny_workspace
    out = ws.root / "test-preds.jsonl"
    result = cli("predict", model, "--corpus", "--split", "test", "-o", out, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    splits = json.loads(ws.splits_path.read_text())
    test_ids = {a for a, s in splits["assignments"].items() if s == "test"}
    assert {r["id"] for r in read_out(out)} == test_ids and test_ids
    both = cli("predict", model, ws.root, "--corpus", "-o", out, "-w", ws.root)
    assert both.exit_code == 1 and "not both" in both.stderr


def test_predict_n_process_2_same_output(model: Path, folder: Path) -> None:
    one, two = folder.parent / "one.jsonl", folder.parent / "two.jsonl"
    predict(PredictOptions(model, InputSource(paths=(folder,)), one))
    predict(PredictOptions(model, InputSource(paths=(folder,)), two, n_process=2, batch_size=4))
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.skipif(
    not pyarrow_available(), reason="pyarrow is not installed (pip install pyarrow)"
)
def test_predict_parquet_holds_the_same_records(model: Path, folder: Path) -> None:
    import pyarrow.parquet as pq

    jsonl, parquet = folder.parent / "p.jsonl", folder.parent / "p.parquet"
    predict(PredictOptions(model, InputSource(paths=(folder,)), jsonl))
    predict(PredictOptions(model, InputSource(paths=(folder,)), parquet))
    rows = pq.read_table(parquet).to_pylist()
    expected = read_out(jsonl)
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    assert [
        [[e["start"], e["end"], e["label"], e["text"]] for e in r["entities"]] for r in rows
    ] == [r["entities"] for r in expected]
    with pytest.raises(PredictError, match="doccano writes JSONL"):
        predict(
            PredictOptions(
                model, InputSource(paths=(folder,)), parquet, fmt=OutputFormat.DOCCANO, force=True
            )
        )


@pytest.mark.slow  # the whole conflict3 corpus
@needs_shared
@pytest.mark.shared
def test_predict_conflict3_files_match_spacy(model: Path, tmp_path: Path) -> None:
    files = sorted((SHARED_DATA / "conflict3").glob("*.jsonl"))
    out = tmp_path / "conflict3.jsonl"
    report = predict(
        PredictOptions(model, InputSource(paths=tuple(files)), out, on_error=OnError.FAIL)
    )
    records = read_out(out)
    texts = [a.text for a in read_articles(files)]
    assert report.records == len(records) == len(texts) == 141
    assert [r["entities"] for r in records] == spacy_entities(model, texts)


KILL_AFTER_12 = """
import os, signal, sys
from pathlib import Path
from nerwb.predict.inputs import InputSource
from nerwb.predict.options import PredictOptions
from nerwb.predict.run import predict

def kill(event):
    if event.done == 12:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: a crash or a power cut

source = InputSource(paths=(Path(sys.argv[2]),))
predict(PredictOptions(Path(sys.argv[1]), source, Path(sys.argv[3]), part_size=5),
        on_progress=kill)
"""


@pytest.mark.slow  # kills and reruns a child process
def test_predict_killed_process_resumes(model: Path, folder: Path) -> None:
    import subprocess
    import sys

    out = folder.parent / "killed.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_12, str(model), str(folder), str(out)], check=False
    )
    assert done.returncode == -9 and not out.exists()
    report = predict(PredictOptions(model, InputSource(paths=(folder,)), out, part_size=5))
    assert (report.resumed, report.predicted) == (10, 10)
    whole = folder.parent / "whole.jsonl"
    predict(PredictOptions(model, InputSource(paths=(folder,)), whole, part_size=5))
    assert out.read_bytes() == whole.read_bytes()


def test_build_record_doccano_metadata_cannot_replace_predictions() -> None:
    from nerwb.predict.inputs import InputArticle
    from nerwb.predict.model import ModelInfo
    from nerwb.predict.run import build_record

    article = InputArticle(id="a1", text="IRGC fired", origin="x.csv:2", meta={"label": "old"})
    info = ModelInfo(Path("m"), "m", "f" * 64, "files")
    example = build_record(
        article, [(0, 4, "ARMED_GROUP", "IRGC")], info, fmt=OutputFormat.DOCCANO, include_text=True
    )
    assert example["label"] == [[0, 4, "ARMED_GROUP"]] and example["model_hash"] == "f" * 64
