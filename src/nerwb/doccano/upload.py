"""Segments into a Doccano project: the JSONL row each segment becomes, the upload files it is
cut into, the chunked bulk import (shared by ``doccano push`` and ``labels review``), and what
the server already holds, read back from the rows' ``meta``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nerwb.corpus.model import Segment

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient

CHUNK_ROWS = 2000  # one bulk import each; 2,000 short documents import in ~2.6 s
CHUNK_BYTES = 8 * 1024 * 1024  # far under Doccano's MAX_UPLOAD_SIZE default (1 GiB)

Row = dict[str, Any]


def segment_hash(segment: Segment) -> str:
    return hashlib.sha256(segment.text.encode("utf-8")).hexdigest()[:16]


def import_row(segment: Segment, split: str, title: str | None, assigned: list[str] | None) -> Row:
    """The JSONL row Doccano imports for one segment: its text, and in ``meta`` what a pull
    needs to map it back (article, segment, offset, content hash, who it is for)."""
    # Every row carries every key (Doccano fails a whole file otherwise) and never `id`
    # (it would overwrite Doccano's own id in exports).
    return {
        "text": segment.text,
        "article_id": segment.article_id,
        "segment_id": segment.id,
        "segment_start": segment.start,
        "split": split,
        "content_hash": segment_hash(segment),
        "title": title or "",
        "assigned_to": ",".join(assigned) if assigned else "",
        "label": [],
    }


def row_chunks(rows: list[Row], max_rows: int) -> list[list[Row]]:
    """Rows in upload files of at most ``max_rows`` rows and ``CHUNK_BYTES`` bytes."""
    chunks, current, size = [], [], 0
    for row in rows:
        line = len(json.dumps(row, ensure_ascii=False).encode("utf-8")) + 1
        if current and (len(current) >= max_rows or size + line > CHUNK_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(row)
        size += line
    if current:
        chunks.append(current)
    return chunks


def upload_rows(
    client: DoccanoClient,
    project_id: int,
    rows: list[Row],
    *,
    record_chunk: Callable[[list[Row]], None],
    chunk_rows: int = CHUNK_ROWS,
    file_prefix: str = "nerwb-push",
    what: str = "import of chunk {number}",
    record_sent: Callable[[list[Row]], None] = lambda _: None,
) -> None:
    """Import ``rows`` in chunks, one bulk import each, waiting for each to finish.

    ``record_chunk`` gets each chunk once the server holds it: where the caller records it in its
    ledger, so an interrupted upload resumes after the last chunk. ``record_sent`` gets it earlier,
    once the server has started to import it: from then on the server may hold it whatever
    happens here (an interrupt while waiting). ``what`` (with ``{number}``) names the import in
    a timeout's message.
    """
    for number, chunk in enumerate(row_chunks(rows, chunk_rows), start=1):
        content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk).encode("utf-8")
        upload_id = client.upload_file(f"{file_prefix}-{number}.jsonl", content)
        task = client.start_import(project_id, [upload_id])
        record_sent(chunk)
        client.wait_task(task, what=what.format(number=number))
        record_chunk(chunk)


def server_segments(
    client: DoccanoClient, project_id: int
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """The segments on the server (id -> content hash), and those held by more than one
    example (id -> example ids): the mark of pushes that ran at once."""
    hashes: dict[str, str] = {}
    examples: dict[str, list[int]] = {}
    for e in client.examples(project_id):
        if e.meta.get("segment_id"):
            segment_id = str(e.meta["segment_id"])
            hashes[segment_id] = str(e.meta.get("content_hash", ""))
            examples.setdefault(segment_id, []).append(e.id)
    return hashes, {s: sorted(ids) for s, ids in examples.items() if len(ids) > 1}
