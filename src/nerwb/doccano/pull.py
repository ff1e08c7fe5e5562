"""Pull every annotator's labels into an immutable snapshot, ``labels/pulls/<UTC time>/``.

Doccano's export (collaborative annotation off) is a zip with one ``<username>.jsonl`` per
member. Each record is one segment; its meta says which article it came from and where, so
spans map back to article offsets exactly.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import shutil
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nerwb.corpus.store import load_articles
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.push import find_or_create_project
from nerwb.errors import InputError
from nerwb.labels.annotations import AnnotatedArticle, LabeledSpan, save_annotated
from nerwb.labels.schema import LabelSchema
from nerwb.labels.snapshots import latest_snapshot, load_snapshot
from nerwb.workspace import Workspace


def safe_entries(archive: bytes) -> dict[str, bytes]:
    """The ``.jsonl`` files of an export zip, by annotator name.

    Raises:
        DoccanoError: an entry would escape its folder (absolute, ``..``, a sub-folder) or is not
            a ``.jsonl`` file; nothing is extracted then.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        raise DoccanoError("the export is not a zip file") from None
    files: dict[str, bytes] = {}
    with zf:
        for info in zf.infolist():
            name = info.filename
            normal = posixpath.normpath(name.replace("\\", "/"))
            if (
                name.startswith(("/", "\\"))
                or normal.startswith("..")
                or "/" in normal
                or ":" in name
            ):
                raise DoccanoError(
                    f"export zip entry {name!r} would escape its folder; refusing the export"
                )
            if info.is_dir():
                continue
            if not normal.endswith(".jsonl"):
                raise DoccanoError(
                    f"export zip entry {name!r} is not a .jsonl file; refusing the export"
                )
            files[normal.removesuffix(".jsonl")] = zf.read(info)
    return files


@dataclass
class AnnotatorSummary:
    articles: int = 0
    spans: int = 0
    confirmed: int = 0
    unknown_labels: dict[str, int] = field(default_factory=dict)


@dataclass
class SnapshotDiff:
    added: int = 0
    removed: int = 0
    changed: int = 0
    newly_confirmed: int = 0


@dataclass
class PullReport:
    snapshot: Path
    annotators: dict[str, AnnotatorSummary]
    foreign_examples: int
    diff: dict[str, SnapshotDiff] | None  # None for the first snapshot


def parse_export(
    files: dict[str, bytes],
    confirmed: dict[str, set[int]],
    articles: dict[str, str],
) -> tuple[dict[str, dict[str, AnnotatedArticle]], int]:
    """Map every annotator's segment records to articles.

    Returns:
        ``{annotator: {article_id: AnnotatedArticle}}`` (articles the annotator touched: a span or
        a confirmation) and the number of examples that nerwb did not push (no segment meta).

    Raises:
        InputError: a record's JSON is malformed, its text no longer matches the corpus, or a span
            lies outside its text; the message names annotator file, line and span.
    """
    result: dict[str, dict[str, AnnotatedArticle]] = {}
    foreign = 0
    for annotator, content in sorted(files.items()):
        where = f"{annotator}.jsonl (export)"
        spans: dict[str, list[LabeledSpan]] = defaultdict(list)
        seen: dict[str, list[bool]] = defaultdict(list)
        for number, line in enumerate(content.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(f"malformed JSON ({err.msg})", path=where, line=number) from None
            article_id, start = record.get("article_id"), record.get("segment_start")
            if not article_id or start is None:
                foreign += annotator == sorted(files)[0]  # count each example once
                continue
            text = record.get("text", "")
            article_text = articles.get(article_id)
            if article_text is None:
                raise InputError(
                    f"article {article_id!r} is not in this workspace's corpus",
                    path=where,
                    line=number,
                )
            if article_text[start : start + len(text)] != text:
                raise InputError(
                    f"segment {record.get('segment_id')!r} no longer matches article {article_id!r} "
                    "at its offset (was the text edited in Doccano?)",
                    path=where,
                    line=number,
                )
            for item in record.get("label") or []:
                s, e, label = item
                if not (0 <= s < e <= len(text)):
                    raise InputError(
                        f"span [{s}, {e}, {label!r}] of Doccano example {record.get('id')} lies outside "
                        f"its text (length {len(text)})",
                        path=where,
                        line=number,
                    )
                spans[article_id].append(LabeledSpan(s + start, e + start, str(label)))
            seen[article_id].append(record.get("id") in confirmed.get(annotator, set()))
        touched = {}
        for article_id, states in seen.items():
            if spans.get(article_id) or any(states):
                touched[article_id] = AnnotatedArticle(
                    article_id,
                    articles[article_id],
                    sorted(set(spans.get(article_id, []))),
                    all(states),
                )
        if touched:
            result[annotator] = touched
    return result, foreign


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def diff_snapshots(
    old: dict[str, dict[str, AnnotatedArticle]], new: dict[str, dict[str, AnnotatedArticle]]
) -> dict[str, SnapshotDiff]:
    out = {}
    for annotator in sorted(set(old) | set(new)):
        before, after = old.get(annotator, {}), new.get(annotator, {})
        diff = SnapshotDiff()
        for article_id in set(before) | set(after):
            a = set(before[article_id].spans) if article_id in before else set()
            b = set(after[article_id].spans) if article_id in after else set()
            gone, came = a - b, b - a
            changed = {(x, y) for x in gone for y in came if x.start < y.end and y.start < x.end}
            diff.changed += len({x for x, _ in changed})
            diff.removed += len(gone - {x for x, _ in changed})
            diff.added += len(came - {y for _, y in changed})
            was = before.get(article_id)
            if (
                after.get(article_id)
                and after[article_id].confirmed
                and not (was and was.confirmed)
            ):
                diff.newly_confirmed += 1
        out[annotator] = diff
    return out


def _exports(client: DoccanoClient, project_id: int) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Everything, and the confirmed examples only (per annotator): both tasks started at once,
    so the worker runs them side by side."""
    every = client.start_export(project_id, confirmed_only=False)
    # Nobody has confirmed anything yet (early pulls): the second export would be empty.
    anyone_confirmed = any(int(m.get("done", 0)) for m in client.member_progress(project_id))
    confirmed = client.start_export(project_id, confirmed_only=True) if anyone_confirmed else None
    client.wait_task(every, what="export")
    if confirmed is None:
        return safe_entries(client.download_export(project_id, every)), {}
    client.wait_task(confirmed, what="export of confirmed examples")
    return (
        safe_entries(client.download_export(project_id, every)),
        safe_entries(client.download_export(project_id, confirmed)),
    )


def pull(
    client: DoccanoClient, ws: Workspace, schema: LabelSchema, *, confirmed_only: bool = False
) -> PullReport:
    """Export the project, map spans to articles, write a new snapshot; earlier ones are kept."""
    project, _ = find_or_create_project(client, ws.project_name)
    all_files, confirmed_files = _exports(client, project.id)
    confirmed = {
        name: {
            json.loads(line)["id"] for line in content.decode("utf-8").splitlines() if line.strip()
        }
        for name, content in confirmed_files.items()
    }
    articles = {a.id: a.text for a in load_articles(ws.articles_path)}
    by_annotator, foreign = parse_export(all_files, confirmed, articles)
    if confirmed_only:
        by_annotator = {
            name: kept
            for name, arts in by_annotator.items()
            if (kept := {k: v for k, v in arts.items() if v.confirmed})
        }

    summaries: dict[str, AnnotatorSummary] = {}
    for name, arts in by_annotator.items():
        summary = AnnotatorSummary(
            articles=len(arts), confirmed=sum(a.confirmed for a in arts.values())
        )
        for article in arts.values():
            summary.spans += len(article.spans)
            for span in article.spans:
                if schema.get(span.label) is None:
                    summary.unknown_labels[span.label] = (
                        summary.unknown_labels.get(span.label, 0) + 1
                    )
        summaries[name] = summary

    previous = latest_snapshot(ws.pulls_dir)
    diff = diff_snapshots(load_snapshot(previous), by_annotator) if previous else None

    ws.pulls_dir.mkdir(parents=True, exist_ok=True)
    stamp = _timestamp()
    target = ws.pulls_dir / stamp
    suffix = 1
    while target.exists():
        target = ws.pulls_dir / f"{stamp}-{suffix}"
        suffix += 1
    staging = Path(tempfile.mkdtemp(prefix=".pull-", dir=ws.pulls_dir))
    try:
        hashes = {}
        for name, arts in by_annotator.items():
            path = staging / f"{name}.jsonl"
            save_annotated(path, list(arts.values()))
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        manifest = {
            "project": project.name,
            "project_id": project.id,
            "server": client.url,
            "pulled_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "confirmed_only": confirmed_only,
            "annotators": {n: s.__dict__ for n, s in summaries.items()},
            "foreign_examples": foreign,
            "files": hashes,
            "previous": previous.name if previous else None,
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
        for path in staging.iterdir():
            os.chmod(path, 0o444)  # a snapshot is a record: read-only
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PullReport(target, summaries, foreign, diff)
