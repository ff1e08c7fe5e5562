"""``predict --format doccano`` never writes ``id``: Doccano would take it as its own example id
and overwrite it in its exports (issue 30, item 16). The article's id goes under ``article_id``,
as ``doccano push`` writes it, and an interrupted run resumes by it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DEMO_ARTICLES, write_jsonl
from nerwb.predict.inputs import InputArticle, InputSource
from nerwb.predict.model import ModelInfo
from nerwb.predict.options import PredictOptions
from nerwb.predict.output import OutputFormat
from nerwb.predict.run import build_record, predict
from nerwb.progress import ProgressEvent


def test_doccano_line_keeps_the_article_id_under_article_id() -> None:
    article = InputArticle(
        id="a1", text="IRGC fired", origin="x.csv:2", meta={"id": "row-7", "desk": "wire"}
    )
    info = ModelInfo(Path("m"), "m", "f" * 64, "files")
    line = build_record(
        article, [(0, 4, "ARMED_GROUP", "IRGC")], info, fmt=OutputFormat.DOCCANO, include_text=True
    )
    assert "id" not in line
    assert line["article_id"] == "a1"
    # a metadata column named id is kept, under a name Doccano leaves alone
    assert line["meta_id"] == "row-7" and line["desk"] == "wire"
    assert line["label"] == [[0, 4, "ARMED_GROUP"]]
    # nerwb's own records keep `id`
    record = build_record(article, [], info, fmt=OutputFormat.RECORDS, include_text=False)
    assert record["id"] == "a1" and "article_id" not in record


class Interrupt(Exception):
    pass


def test_doccano_format_resumes_by_article_id(model: Path, tmp_path: Path) -> None:
    records = [json.loads(line) for line in DEMO_ARTICLES.read_text(encoding="utf-8").splitlines()]
    source = InputSource(paths=(write_jsonl(tmp_path / "in.jsonl", records[:12]),))
    out = tmp_path / "suggestions.jsonl"

    def stop_after_7(event: ProgressEvent) -> None:
        if event.done == 7:
            raise Interrupt

    with pytest.raises(Interrupt):
        predict(
            PredictOptions(model, source, out, fmt=OutputFormat.DOCCANO, part_size=5),
            on_progress=stop_after_7,
        )
    report = predict(PredictOptions(model, source, out, fmt=OutputFormat.DOCCANO, part_size=5))
    assert (report.resumed, report.predicted) == (5, 7)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["article_id"] for line in lines] == [r["id"] for r in records[:12]]
    assert not any("id" in line for line in lines)
