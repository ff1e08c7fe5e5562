"""`nerwb predict` streams: inputs are read as the engine asks, ids live on disk (issue 27.5).

The memory curve itself (1M articles against 100k) is measured in
bench/predict_stream_memory.py; these tests check the mechanisms that make it flat.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from nerwb.choices import OnError
from nerwb.predict.idbook import IdBook, text_digest
from nerwb.predict.inputs import InputSource
from nerwb.predict.local import IN_FLIGHT_PER_PROCESS, annotate, annotate_in_processes
from nerwb.predict.model import load_pipeline
from nerwb.predict.options import PredictOptions
from nerwb.predict.run import predict

TEXTS = [f"Gunmen of the Lions Brigade attacked Basra on day {i}." for i in range(400)]


def test_worker_processes_read_the_inputs_as_they_go(model: Path) -> None:
    pulled = 0

    def items() -> Iterator[str]:
        nonlocal pulled
        for text in TEXTS:
            pulled += 1
            yield text

    batch = 8
    results = annotate_in_processes(str(model), items(), str, n_process=2, batch_size=batch)
    first = next(results)
    # Pool.imap would have read all 400 ahead; the window holds what the workers work on
    assert pulled <= 2 * IN_FLIGHT_PER_PROCESS * batch + batch < len(TEXTS)
    found = [first, *results]
    assert pulled == len(TEXTS)
    expected = list(annotate(load_pipeline(model), TEXTS, str, batch_size=batch))
    assert found == expected
    assert any(ents for _, ents in found)


def test_id_book_keeps_first_readings_and_done_ids_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "ids.sqlite"
    with IdBook(path) as book:
        book.add_done(f"d{i}" for i in range(25_000))  # past one transaction
        assert book.is_done("d24999") and not book.is_done("a1")
        assert book.first_read("a1", text_digest("one"), "x.csv:2") is None
        assert book.first_read("a1", text_digest("two"), "y.csv:5") == (
            text_digest("one"),
            "x.csv:2",
        )
        assert path.exists()
    assert not path.exists()  # a book lives for one read of the inputs


def test_a_file_not_utf8_is_still_refused_whole(model: Path, tmp_path: Path) -> None:
    # read line by line now, a file is still checked whole first: none of its lines is used
    folder = tmp_path / "in"
    folder.mkdir()
    good = "".join(json.dumps({"id": f"g{i}", "text": TEXTS[i]}) + "\n" for i in range(3))
    (folder / "a.jsonl").write_text(good, encoding="utf-8")
    (folder / "b.jsonl").write_bytes(good.replace("g", "b").encode() + b'{"text": "\xff"}\n')
    bad: list = []
    source = InputSource(paths=(folder,))
    articles = list(source.read(on_error=OnError.SKIP, bad=bad))
    assert [a.id for a in articles] == ["g0", "g1", "g2"]
    assert len(bad) == 1 and "not valid UTF-8" in bad[0].error and bad[0].file.endswith("b.jsonl")
    out = tmp_path / "out.jsonl"
    report = predict(PredictOptions(model, source, out, on_error=OnError.SKIP))
    assert report.records == 3 and len(report.skipped) == 1


def test_repeated_ids_are_predicted_once_in_input_order(model: Path, tmp_path: Path) -> None:
    rows = [{"id": f"r{i % 5}", "text": TEXTS[i % 5]} for i in range(12)]  # each id 2-3 times
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    report = predict(PredictOptions(model, InputSource(paths=(inputs,)), out, part_size=2))
    ids = [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["r0", "r1", "r2", "r3", "r4"]
    assert report.duplicates == 7 and report.predicted == 5
