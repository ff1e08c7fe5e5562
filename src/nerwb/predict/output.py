"""Resumable output: part files and an index of finished parts, assembled atomically at the end.

While a run is under way, ``OUT`` does not exist yet; its work folder ``OUT.parts/`` holds
``part-00000.jsonl``, ``part-00001.jsonl``, ... and ``_index.json``, which lists each finished
part with its record count, beside the model hash and the inputs' fingerprint. The ids a part
holds are read back from the part itself when a run resumes (each record carries its id), so
the index stays small and the driver never holds every id. A part is written
(temp file, rename) before the index names it, so after an interruption the index lists only
whole parts, and a part file it does not list is overwritten by the rerun. When every article
is done, the parts are concatenated into a temp file beside ``OUT`` and renamed onto it, then
``OUT.parts/`` is removed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from nerwb.errors import SETTING, ErrorKind, PredictError
from nerwb.io import atomic_write_json, atomic_write_jsonl

INDEX = "_index.json"
PARQUET_ROWS = 10_000  # records per Parquet row group: what assembling holds in memory
INDEX_VERSION = 2  # 1 listed every id in the index; 2 lists counts


class OutputFormat(StrEnum):
    """What each line holds: nerwb's prediction record, or a Doccano-importable example."""

    RECORDS = "records"
    DOCCANO = "doccano"


# Where a Doccano-importable line keeps the article's id: a key `id` would replace Doccano's own
# example id in its exports. A metadata field named `id` is kept as `meta_id`, for that reason.
DOCCANO_ID_KEY = "article_id"
DOCCANO_META_ID = "meta_id"
ID_KEYS = {OutputFormat.RECORDS: "id", OutputFormat.DOCCANO: DOCCANO_ID_KEY}


class Container(StrEnum):
    """The file type of OUT, from its extension."""

    JSONL = "jsonl"
    PARQUET = "parquet"


def container_of(output: Path) -> Container:
    """The file type that ``output``'s extension names.

    Raises:
        PredictError: an extension other than .jsonl or .parquet (JSONL in a file named
            .csv or .json would mislead whoever opens it).
    """
    suffix = output.suffix.lower()
    for container in Container:
        if suffix == f".{container}":
            return container
    raise PredictError(
        f"{SETTING} {output}: nerwb writes .jsonl (or .parquet), not "
        f"{suffix or 'a file without an extension'}; name it e.g. {output.with_suffix('.jsonl').name}",
        kind=ErrorKind.BAD_SETTING,
        setting="output",
        path=output,
    )


def parts_folder(output: Path) -> Path:
    return output.with_name(output.name + ".parts")


def skipped_file(output: Path) -> Path:
    """Where ``--on-error skip`` lists the records it left out."""
    return output.with_name(output.stem + ".skipped.jsonl")


def pyarrow_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


class PartStore:
    """The ``OUT.parts/`` folder of one run: which articles are done, and the next part."""

    def __init__(self, folder: Path, header: dict[str, Any]) -> None:
        self.folder = folder
        self.header = header
        self.parts: list[dict[str, Any]] = []
        self.created = False  # made by this run (not resumed): removed if the run is refused

    @classmethod
    def open(cls, output: Path, header: dict[str, Any], *, force: bool) -> PartStore:
        """Resume the run in ``OUT.parts/`` if it is this same job, or start a fresh one.

        Raises:
            PredictError: the folder holds a run of another model, other inputs or other
                settings (without ``force``), or cannot be written.
        """
        folder = parts_folder(output)
        store = cls(folder, header)
        index_path = folder / INDEX
        if index_path.is_file():
            try:
                index = json.loads(index_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                raise PredictError(
                    f"{index_path} is unreadable ({err})",
                    kind=ErrorKind.UNREADABLE_PARTS,
                    path=index_path,
                ) from None
            different = [
                key for key, value in header.items() if index.get("header", {}).get(key) != value
            ]
            if not different:
                store.parts = list(index.get("parts", []))
                return store
            if not force:
                held = index.get("header", {})
                raise PredictError(
                    f"{folder} holds an unfinished run with another "
                    f"{', '.join(different)} (model {held.get('model')}, hash "
                    f"{str(held.get('model_hash'))[:12]})",
                    kind=ErrorKind.UNFINISHED_OTHER_RUN,
                    path=folder,
                )
        if folder.exists():
            shutil.rmtree(folder)
        try:
            folder.mkdir(parents=True)
            store.created = True
            store._write_index()
        except OSError as err:
            raise PredictError(
                f"cannot write {folder} ({err.strerror or err}); choose another {SETTING}",
                kind=ErrorKind.UNWRITABLE_OUTPUT,
                setting="output",
                path=folder,
            ) from None
        return store

    def discard_if_new(self) -> None:
        """Remove the folder if this run made it and wrote no part: a refused run leaves none."""
        if self.created and not self.parts:
            shutil.rmtree(self.folder, ignore_errors=True)

    def done_count(self) -> int:
        return sum(_count(part) for part in self.parts)

    def done_ids(self) -> Iterator[str]:
        """The id of every finished record, read from the part files one line at a time."""
        key = ID_KEYS.get(OutputFormat(self.header.get("format", OutputFormat.RECORDS)), "id")
        for line in self.records():
            record = json.loads(line)
            yield record[key] if key in record else record["id"]  # parts of an older nerwb

    def write_part(self, records: list[dict[str, Any]]) -> None:
        name = f"part-{len(self.parts):05d}.jsonl"
        atomic_write_jsonl(self.folder / name, records)
        self.parts.append({"file": name, "count": len(records)})
        self._write_index()

    def _write_index(self) -> None:
        atomic_write_json(
            self.folder / INDEX,
            {"version": INDEX_VERSION, "header": self.header, "parts": self.parts},
        )

    def records(self) -> Iterable[str]:
        """Every finished line, part after part."""
        for part in self.parts:
            with (self.folder / part["file"]).open(encoding="utf-8") as fh:
                yield from fh

    def assemble(self, output: Path, container: Container) -> int:
        """Write all parts to ``output`` atomically, then remove the work folder.

        Returns:
            The number of records written.
        """
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
        os.close(fd)
        try:
            if container is Container.PARQUET:
                _write_parquet(Path(tmp), (json.loads(line) for line in self.records()))
            else:
                with open(tmp, "w", encoding="utf-8") as fh:
                    for line in self.records():
                        fh.write(line)
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, output)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        shutil.rmtree(self.folder)
        return self.done_count()


def _count(part: dict[str, Any]) -> int:
    return int(part["count"]) if "count" in part else len(part["ids"])  # version 1 listed ids


def _parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    row = dict(record)
    # Entities as structs and metadata as JSON text: a column needs one type for all rows.
    row["entities"] = [
        {"start": s, "end": e, "label": label, "text": t} for s, e, label, t in row["entities"]
    ]
    row["meta"] = json.dumps(row.get("meta") or {}, ensure_ascii=False)
    return row


def _write_parquet(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write ``records`` as Parquet, one row group per ``PARQUET_ROWS`` records (never all of
    them in memory at once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    entity = pa.struct(
        [("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()), ("text", pa.string())]
    )
    fields = [
        ("id", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("date", pa.string()),
        ("source", pa.string()),
        ("origin", pa.string()),
        ("meta", pa.string()),
        ("entities", pa.list_(entity)),
        ("model", pa.string()),
        ("model_hash", pa.string()),
        ("nerwb_version", pa.string()),
    ]
    writer = None
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal writer, rows
        if writer is None:
            if rows and "text" in rows[0]:
                fields.insert(6, ("text", pa.string()))
            writer = pq.ParquetWriter(path, pa.schema(fields))
        writer.write_table(pa.Table.from_pylist(rows, schema=writer.schema))
        rows = []

    try:
        for record in records:
            rows.append(_parquet_row(record))
            if len(rows) >= PARQUET_ROWS:
                flush()
        if rows or writer is None:
            flush()
    finally:
        if writer is not None:
            writer.close()
