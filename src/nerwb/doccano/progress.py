"""Per-annotator progress: what each member was given, has confirmed, and has left."""

from __future__ import annotations

import json
from dataclasses import dataclass

from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.push import find_or_create_project
from nerwb.workspace import Workspace


@dataclass
class AnnotatorProgress:
    annotator: str
    total: int  # segments assigned (or all examples when no plan exists)
    confirmed: int
    remaining: int


def progress(client: DoccanoClient, ws: Workspace) -> tuple[list[AnnotatorProgress], int]:
    """Progress of every project member, and the project's example count."""
    project, _ = find_or_create_project(client, ws.project_name)
    n_examples = client.count_examples(project.id)
    plan_path = ws.doccano_home / "assignments.json"
    plan: dict[str, list[str]] = (
        json.loads(plan_path.read_text(encoding="utf-8")) if plan_path.exists() else {}
    )
    assigned: dict[str, int] = {}
    for names in plan.values():
        for name in names:
            assigned[name] = assigned.get(name, 0) + 1
    rows = []
    for entry in client.member_progress(project.id):
        name = str(entry.get("user"))
        done = int(entry.get("done", 0))
        total = assigned.get(name, n_examples)
        rows.append(AnnotatorProgress(name, total, done, max(total - done, 0)))
    return sorted(rows, key=lambda r: r.annotator), n_examples
