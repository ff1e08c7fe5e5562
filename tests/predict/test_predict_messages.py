"""`nerwb predict` messages: folders it cannot read, output extensions, Ctrl-C, long articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, snapshot_tree, write_jsonl
from nerwb.predict.inputs import InputSource
from nerwb.predict.options import PredictOptions
from nerwb.predict.output import parts_folder
from nerwb.predict.run import predict


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    records = [json.loads(x) for x in DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()]
    root = tmp_path / "in"
    root.mkdir()
    write_jsonl(root / "wire.jsonl", [{"text": r["text"]} for r in records[:20]])
    return root


def test_predict_folder_of_only_pdf_and_docx_is_refused(model: Path, tmp_path: Path, cli) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf", "c.docx"):
        (folder / name).write_bytes(b"%PDF")
    out = tmp_path / "preds.jsonl"
    result = cli("predict", model, folder, "-o", out)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "no article to predict" in message and "ignored 3 file(s)" in message
    assert "2 .pdf, 1 .docx" in message and "pdftotext" in message
    assert not out.exists() and not parts_folder(out).exists()


@pytest.mark.parametrize("name", ["x.csv", "x.json", "preds"])
def test_predict_refuses_an_output_extension_it_does_not_write(
    model: Path, folder: Path, tmp_path: Path, cli, name: str
) -> None:
    before = snapshot_tree(tmp_path)
    result = cli("predict", model, folder, "-o", tmp_path / name)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"--output {tmp_path / name}" in message and "nerwb writes .jsonl" in message
    assert snapshot_tree(tmp_path) == before


# The real CLI in its own process; the 12th record it builds sends this process a real SIGINT,
# as Ctrl-C in a terminal does, at a point the test knows.
INTERRUPT_AT_12 = """
import os, signal, sys
import nerwb.predict.run as run
from nerwb.cli.main import app

# a terminal's Ctrl-C even where this process inherited SIGINT ignored (a background job)
signal.signal(signal.SIGINT, signal.default_int_handler)

build, made = run.build_record, []
def build_then_interrupt(*args, **kwargs):
    made.append(1)
    if len(made) == 12:
        os.kill(os.getpid(), signal.SIGINT)
    return build(*args, **kwargs)
run.build_record = build_then_interrupt
app(["predict", *sys.argv[1:]], prog_name="nerwb")
"""


@pytest.mark.slow  # interrupts a child process
def test_predict_ctrl_c_says_what_is_done_and_how_to_resume(model: Path, folder: Path) -> None:
    out = folder.parent / "preds.jsonl"
    args = [str(model), str(folder), "-o", str(out), "--part-size", "5"]
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPT_AT_12, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 130, done.stderr
    message = " ".join(done.stderr.split())
    assert "predict interrupted: 10 of 20 article(s) are done" in message
    assert "Run the same `nerwb predict` command again to resume" in message
    assert "Traceback" not in done.stderr and not out.exists()
    report = predict(PredictOptions(model, InputSource(paths=(folder,)), out, part_size=5))
    assert (report.resumed, report.predicted, report.records) == (10, 10, 20)


def test_predict_long_articles_go_in_word_bounded_batches(model: Path) -> None:
    """A 1 MB article was one 1M-character Doc (3.1 GB peak); now pieces and batches are
    bounded by characters and words, and the entities still map back to the article."""
    from nerwb.predict.local import PIECE_CHARS, annotate
    from nerwb.predict.model import load_pipeline

    nlp = load_pipeline(model)
    calls: list[tuple[int, int, int]] = []  # texts, words, longest text of each nlp.pipe call
    pipe = nlp.pipe

    def recording_pipe(texts, **kwargs):
        if not kwargs.get("as_tuples"):  # spaCy's own inner call for the tuples' texts
            return pipe(texts, **kwargs)
        batch = list(texts)
        sizes = [len(t) for t, _ in batch]
        calls.append((len(batch), sum(len(t.split()) for t, _ in batch), max(sizes)))
        return pipe(batch, **kwargs)

    nlp.pipe = recording_pipe  # the real pipeline runs; the batches it is given are recorded
    records = [json.loads(x) for x in DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()]
    long_text = "\n\n".join(r["text"] for r in records) * 20
    assert len(long_text) > 2 * PIECE_CHARS
    texts = [records[0]["text"], long_text, records[1]["text"]]
    found = list(annotate(nlp, texts, str, batch_size=64, batch_words=5_000))
    assert [t for t, _ in found] == texts
    assert all(words <= 5_000 or n == 1 for n, words, _ in calls), calls
    assert max(longest for _, _, longest in calls) <= PIECE_CHARS
    assert sum(n for n, _, _ in calls) > len(texts)  # the long article went in pieces
    entities = found[1][1]
    assert entities and all(long_text[s:e] == text for s, e, _, text in entities)
