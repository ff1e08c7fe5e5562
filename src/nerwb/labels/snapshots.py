"""Pulled snapshots (``labels/pulls/<time>/``) and imported annotations (``labels/imports/``).

Both hold one ``<annotator>.jsonl`` per annotator, one record per unit of work (a segment, or a
whole imported article). The annotations the labels stage works on are the latest snapshot (or a
named one) plus every import.
"""

from __future__ import annotations

from pathlib import Path

from nerwb.errors import ErrorKind, LabelsError
from nerwb.labels.annotations import AnnotatedSegment, load_units
from nerwb.labels.options import check_snapshot
from nerwb.records.pull import is_snapshot
from nerwb.workspace import Workspace

Annotations = dict[str, dict[str, AnnotatedSegment]]  # annotator -> segment id -> unit


REVIEW_FOLDER = "review"  # a snapshot's adjudication decisions (the review project)


def load_reviews(folder: Path) -> Annotations:
    """The adjudicators' units in a snapshot's ``review/`` (none when there was no review)."""
    return load_snapshot(folder / REVIEW_FOLDER) if (folder / REVIEW_FOLDER).is_dir() else {}


def snapshot_file_name(annotator: str) -> str:
    """An annotator's file in a snapshot (a Doccano username has no path separator)."""
    return f"{annotator}.jsonl"


def snapshots(pulls_dir: Path) -> list[Path]:
    if not pulls_dir.is_dir():
        return []
    return sorted(p for p in pulls_dir.iterdir() if p.is_dir() and is_snapshot(p))


def latest_snapshot(pulls_dir: Path) -> Path | None:
    found = snapshots(pulls_dir)
    return found[-1] if found else None


def load_snapshot(folder: Path) -> Annotations:
    return {path.stem: load_units(path) for path in sorted(folder.glob("*.jsonl"))}


def by_article(units: dict[str, AnnotatedSegment]) -> dict[str, list[AnnotatedSegment]]:
    """The article view of one annotator's units, derived from the segments, in text order."""
    out: dict[str, list[AnnotatedSegment]] = {}
    for unit in sorted(units.values(), key=lambda u: (u.article_id, u.start)):
        out.setdefault(unit.article_id, []).append(unit)
    return out


def load_annotations(
    ws: Workspace, snapshot: Path | None = None, *, annotators: list[str] | None = None
) -> tuple[Annotations, list[str]]:
    """The annotations to audit, compare and merge, and where they came from.

    Args:
        snapshot: A pull folder; default the latest. Imports are always included.
        annotators: Keep only these annotators (default: all).

    Raises:
        LabelsError: nothing to work on, or a named snapshot does not exist.
    """
    sources: list[str] = []
    merged: Annotations = {}
    folder = snapshot or latest_snapshot(ws.pulls_dir)
    check_snapshot(snapshot)  # options check it when made; a direct caller is checked here
    if folder is not None:
        merged.update(load_snapshot(folder))
        sources.append(
            str(folder.relative_to(ws.root)) if folder.is_relative_to(ws.root) else str(folder)
        )
    if ws.imports_dir.is_dir():
        for path in sorted(ws.imports_dir.glob("*.jsonl")):
            merged.setdefault(path.stem, {}).update(load_units(path))
            sources.append(str(path.relative_to(ws.root)))
    if annotators is not None:
        merged = {name: units for name, units in merged.items() if name in annotators}
    if not merged:
        raise LabelsError("no annotations yet", kind=ErrorKind.NO_ANNOTATIONS)
    return merged, sources
