"""``doccano push --repair``: remove the extra copies of segments that pushes racing each other
uploaded twice, keeping every copy that holds someone's work.

Which copies hold work comes from the exports (every member's spans, comments and
confirmations), not from the spans endpoint, which shows only the caller's own spans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.models import Project
from nerwb.doccano.projects import find_project
from nerwb.doccano.pull import _exports, _records
from nerwb.workspace import Workspace


@dataclass
class RepairReport:
    project: Project
    duplicated: int = 0  # segments held by more than one example
    removed: list[int] = field(default_factory=list)  # example ids deleted
    # segments still on the server more than once, since several copies hold work:
    # segment id -> example ids kept (pull takes the confirmed copy)
    kept_several: dict[str, list[int]] = field(default_factory=dict)


def repair_duplicates(client: DoccanoClient, ws: Workspace) -> RepairReport:
    """Delete every duplicate copy of a segment that nobody labelled, commented on or confirmed;
    of copies all untouched, the first pushed stays. Copies with work are never deleted.

    Raises:
        DoccanoError: no project of the workspace's name, or the server refused a request.
    """
    project = find_project(client, ws.project_name)
    report = RepairReport(project=project)
    every, confirmed = _exports(client, project.id)
    copies: dict[str, set[int]] = {}
    worked: set[int] = set()  # examples someone labelled, commented on or confirmed
    for name, content in every.items():
        for example_id, (_, record) in _records(f"{name}.jsonl (export)", content).items():
            segment_id = record.get("segment_id")
            if segment_id:
                copies.setdefault(str(segment_id), set()).add(example_id)
            # an annotator's comment ("entity unclear, ask the editor") is work as much as a span
            if record.get("label") or record.get("Comments"):
                worked.add(example_id)
    for name, content in confirmed.items():
        worked.update(_records(f"{name}.jsonl (confirmed)", content))
    for segment_id, ids in sorted(copies.items()):
        if len(ids) < 2:
            continue
        report.duplicated += 1
        keep = sorted(ids & worked) or [min(ids)]
        for example_id in sorted(ids - set(keep)):
            client.delete_example(project.id, example_id)
            report.removed.append(example_id)
        if len(keep) > 1:
            report.kept_several[segment_id] = keep
    return report
