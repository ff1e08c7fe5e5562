"""``nerwb predict``: apply a trained model to articles and write one record per article."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nerwb import __version__
from nerwb.choices import OnError
from nerwb.errors import SETTING, ErrorKind, PredictError
from nerwb.io import atomic_write_jsonl
from nerwb.predict.allocator import keep_freed_memory
from nerwb.predict.idbook import IdBook
from nerwb.predict.inputs import BadRecord, InputArticle, InputSource
from nerwb.predict.local import Entity, annotate, annotate_in_processes
from nerwb.predict.model import ModelInfo, load_pipeline, model_info
from nerwb.predict.options import Engine, PredictOptions
from nerwb.predict.output import (
    DOCCANO_ID_KEY,
    DOCCANO_META_ID,
    OutputFormat,
    PartStore,
    container_of,
    skipped_file,
)
from nerwb.predict.ray_engine import predict_ray, preflight, ray_session
from nerwb.progress import OnProgress, ProgressEvent, emit

if TYPE_CHECKING:  # spaCy is imported where a model is loaded, so the CLI starts quickly
    from spacy.language import Language

ID_BOOK = "_ids.sqlite"  # in the work folder: the ids this run has read (see idbook.py)


class PredictInterrupted(PredictError):
    """Ctrl-C during a run: the finished parts stay, and the same command resumes after them."""

    default_kind = ErrorKind.PREDICT_INTERRUPTED

    def __init__(self, saved: int, total: int, parts: Path) -> None:
        self.saved, self.total = saved, total
        super().__init__(
            f"predict interrupted: {saved} of {total} article(s) are done and kept in {parts}",
            kind=ErrorKind.PREDICT_INTERRUPTED,
            path=parts,
        )


@dataclass
class PredictReport:
    output: Path
    model: ModelInfo
    engine: Engine
    records: int = 0  # in the output file
    predicted: int = 0  # this run
    resumed: int = 0  # done by an earlier, interrupted run
    duplicates: int = 0  # an id seen before in the same inputs: predicted once
    words: int = 0
    seconds: float = 0.0
    skipped: list[BadRecord] = field(default_factory=list)
    skipped_path: Path | None = None

    @property
    def docs_per_second(self) -> float:
        return self.predicted / self.seconds if self.seconds else 0.0


def build_record(
    article: InputArticle,
    entities: list[Entity],
    model: ModelInfo,
    *,
    fmt: OutputFormat,
    include_text: bool,
) -> dict[str, Any]:
    """One output line. ``records``: nerwb's record; ``doccano``: text + label for Doccano's
    JSONL import, the rest becoming the example's metadata."""
    provenance = {"model": model.name, "model_hash": model.hash, "nerwb_version": __version__}
    about = {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "date": article.date,
        "source": article.source,
        "origin": article.origin,
    }
    if fmt is OutputFormat.DOCCANO:
        # Never `id`: Doccano would take it as its own example id and overwrite it in its
        # exports (as push does, the article's id goes under `article_id`). Metadata first, so
        # that a CSV column named "label" cannot replace the predictions.
        meta = {(DOCCANO_META_ID if k == "id" else k): v for k, v in article.meta.items()}
        about[DOCCANO_ID_KEY] = about.pop("id")
        return {
            **meta,
            "text": article.text,
            "label": [[s, e, label] for s, e, label, _ in entities],
            **about,
            **provenance,
        }
    record: dict[str, Any] = {**about, "meta": article.meta}
    if include_text:
        record["text"] = article.text
    record["entities"] = [list(e) for e in entities]
    record.update(provenance)
    return record


def _check_output(output: Path, model: ModelInfo, *, force: bool) -> None:
    if not output.exists() or force:
        return
    held = "predictions"
    try:
        with output.open(encoding="utf-8") as fh:
            first = json.loads(fh.readline() or "{}")
        if first.get("model_hash") == model.hash:
            held = f"finished predictions of this model ({model.name})"
        elif first.get("model_hash"):
            held = f"predictions of another model ({first.get('model')}, hash {first['model_hash'][:12]})"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        pass  # parquet or not nerwb's: say only that it exists
    raise PredictError(
        f"{SETTING} {output} already holds {held}",
        kind=ErrorKind.OUTPUT_HOLDS_PREDICTIONS,
        path=output,
        setting="output",
    )


def predict(options: PredictOptions, *, on_progress: OnProgress | None = None) -> PredictReport:
    """Predict entities on every article of ``options.source`` and write ``options.output``
    (see ``output.py`` for the part files that make an interrupted run resumable).

    Raises:
        PredictError: a bad model folder, an output that holds other predictions (without
            ``force``), an unwritable output, a bad input record under ``OnError.FAIL``, or a
            Ray that cannot be started or reached. (The settings were checked when the options
            were made.)
        InputError: an input path that does not exist or has an unknown extension.
    """
    model, source, output, fmt = options.model, options.source, options.output, options.fmt
    engine, force, max_length = options.engine, options.force, options.max_length
    include_text, part_size = options.include_text, options.part_size
    container = container_of(output)
    info = model_info(model)
    _check_output(output, info, force=force)
    header = {
        "model": info.name,
        "model_hash": info.hash,
        "inputs": source.fingerprint(),
        "format": str(fmt),
        "text": include_text,
        "max_length": max_length,
    }
    # Load before anything is written, so a broken pipeline leaves no work folder behind.
    if engine is Engine.LOCAL:
        keep_freed_memory()  # the batches' arrays are reused, not faulted in again
    nlp = load_pipeline(model, max_length=max_length) if engine is Engine.LOCAL else None
    if engine is Engine.RAY:  # a missing Ray or a dead address fails before anything is written
        preflight(options.address)
    store = PartStore.open(output, header, force=force)
    report = PredictReport(output=output, model=info, engine=engine)
    try:
        todo = _first_pass(source, store, report, options.on_error)
    except BaseException:
        store.discard_if_new()  # a refused input (or Ctrl-C while reading) leaves no work folder
        raise
    total = sum(todo)
    if report.skipped:
        report.skipped_path = skipped_file(output)
        atomic_write_jsonl(report.skipped_path, (b.to_json() for b in report.skipped))

    def to_predict() -> Iterator[InputArticle]:
        # Second pass: the same records in the same order, read again as the engine asks.
        for item, wanted in zip(source.items(), todo, strict=False):
            if wanted:
                assert isinstance(item, InputArticle)
                yield item

    start = time.perf_counter()
    buffer: list[dict[str, Any]] = []
    try:
        for article, entities in _run_engine(nlp, options, to_predict(), total):
            buffer.append(build_record(article, entities, info, fmt=fmt, include_text=include_text))
            report.predicted += 1
            report.words += len(article.text.split())
            if len(buffer) >= part_size:  # a part is written as soon as it is full
                store.write_part(buffer)
                buffer = []
            emit(
                on_progress,
                ProgressEvent("Predicting", report.predicted, total, "article", words=report.words),
            )
        if buffer:
            store.write_part(buffer)
    except KeyboardInterrupt:
        # What sits in `buffer` is lost: it was never written, and a rerun predicts it again.
        raise PredictInterrupted(store.done_count(), report.resumed + total, store.folder) from None
    finally:
        report.seconds = time.perf_counter() - start
    report.records = store.assemble(output, container)
    return report


def _first_pass(
    source: InputSource, store: PartStore, report: PredictReport, on_error: OnError
) -> bytearray:
    """Before any model time: bad records are found (and the run fails, under `fail`), the
    progress bar learns its total, and the result gets one byte per input record (1 MB for a
    million): whether the second pass predicts it. Nothing else is kept."""
    with IdBook(store.folder / ID_BOOK) as book:
        book.add_done(store.done_ids())
        todo = bytearray()
        for article in source.checked(on_error=on_error, bad=report.skipped, book=book):
            if article is None:
                todo.append(0)
            elif article.repeated:
                report.duplicates += 1
                todo.append(0)
            elif book.is_done(article.id):
                report.resumed += 1
                todo.append(0)
            else:
                todo.append(1)
    return todo


def _run_engine(
    nlp: Language | None, options: PredictOptions, articles: Iterator[InputArticle], total: int
) -> Iterator[tuple[InputArticle, list[Entity]]]:
    if not total:
        return
    model, batch_size, max_length = options.model, options.batch_size, options.max_length
    n_process, address, actors = options.n_process, options.address, options.actors
    if nlp is None:  # the Ray engine: each actor loads the model itself
        with ray_session(address, actors):
            yield from predict_ray(
                model, articles, batch_size=batch_size, actors=actors, max_length=max_length
            )
        return
    if n_process > 1:
        yield from annotate_in_processes(
            str(Path(model).resolve()),
            articles,
            lambda a: a.text,
            n_process=n_process,
            batch_size=batch_size,
            max_length=max_length,
        )
    else:
        yield from annotate(nlp, articles, lambda a: a.text, batch_size=batch_size)
