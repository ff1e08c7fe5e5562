"""Where the labels stage writes its results in the workspace, used by the CLI and the demo alike."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.io import atomic_write_json, atomic_write_jsonl
from nerwb.labels.annotations import save_annotated
from nerwb.labels.audit import Problem
from nerwb.labels.merge import MergeReport
from nerwb.workspace import Workspace

if TYPE_CHECKING:  # agreement imports scikit-learn: keep it out of the CLI's start-up
    from nerwb.labels.agreement import AgreementReport


def save_problems(ws: Workspace, problems: list[Problem]) -> Path:
    """``labels/audit/problems.jsonl``: every problem, with context and alternatives."""
    path = ws.labels_dir / "audit" / "problems.jsonl"
    atomic_write_jsonl(path, (p.to_record() for p in problems))
    return path


def save_agreement(ws: Workspace, report: AgreementReport) -> Path:
    """``labels/agreement/agreement.json`` and ``disagreements.jsonl``; returns the latter."""
    folder = ws.labels_dir / "agreement"
    atomic_write_json(folder / "agreement.json", report.to_json())
    path = folder / "disagreements.jsonl"
    atomic_write_jsonl(path, (d.to_record() for p in report.pairs for d in p.disagreements))
    return path


def save_gold(ws: Workspace, report: MergeReport) -> Path:
    """``labels/gold/gold.jsonl`` and ``conflicts.jsonl``; returns the conflicts file."""
    save_annotated(ws.gold_path, report.gold)
    path = ws.gold_path.with_name("conflicts.jsonl")
    atomic_write_jsonl(path, (c.to_record() for c in report.conflicts))
    return path
