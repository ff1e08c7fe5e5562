"""`nerwb predict` messages: folders it cannot read, output extensions, Ctrl-C, long articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, snapshot_tree, write_jsonl
from nerwb.predict.inputs import InputSource
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

build, made = run.build_record, []
def build_then_interrupt(*args, **kwargs):
    made.append(1)
    if len(made) == 12:
        os.kill(os.getpid(), signal.SIGINT)
    return build(*args, **kwargs)
run.build_record = build_then_interrupt
app(["predict", *sys.argv[1:]], prog_name="nerwb")
"""


def test_predict_ctrl_c_says_what_is_done_and_how_to_resume(model: Path, folder: Path) -> None:
    out = folder.parent / "preds.jsonl"
    args = [str(model), str(folder), "-o", str(out), "--part-size", "5"]
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPT_AT_12, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 130, done.stderr
    message = " ".join(done.stderr.split())
    assert "predict interrupted: 10 of 20 article(s) are done" in message
    assert "run the same `nerwb predict` command again to resume" in message
    assert "Traceback" not in done.stderr and not out.exists()
    report = predict(model, InputSource(paths=(folder,)), out, part_size=5)
    assert (report.resumed, report.predicted, report.records) == (10, 10, 20)
