"""Per-annotator progress, in segments (Doccano examples): assigned, confirmed, remaining.

Counts are segments throughout, never articles; an article is done for an annotator when every
segment assigned to them in it is confirmed, which only a pull can tell (``doccano pull``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nerwb.doccano.accounts import ANNOTATOR_ROLE
from nerwb.doccano.projects import find_project
from nerwb.records.doccano import AssignmentPlan
from nerwb.workspace import Workspace

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient


@dataclass
class AnnotatorProgress:
    annotator: str
    total: int  # segments assigned (or all examples when no plan exists)
    confirmed: int  # segments this annotator confirmed
    remaining: int
    articles: int = 0  # articles with at least one segment assigned to them (0 without a plan)
    # False: a plan exists and gives this member nothing (an account added by hand, a former
    # annotator); `total` and `remaining` are then 0, not the project's size
    assigned: bool = True


@dataclass
class ProjectProgress:
    members: list[AnnotatorProgress]
    segments: int  # examples in the project
    articles: int  # articles those segments come from (by the assignment plan; 0 without one)


def progress(client: DoccanoClient, ws: Workspace) -> ProjectProgress:
    """Progress of every annotator of the project; the admin account is not an annotator.

    A member counts as an annotator when their role is annotator, or the plan assigns them
    segments, or they confirmed any.
    """
    project = find_project(client, ws.project_name)
    n_examples = client.count_examples(project.id)
    plan = AssignmentPlan.load_or_new(ws.assignments_path).segments
    assigned: dict[str, int] = {}
    articles: dict[str, set[str]] = {}
    for segment_id, names in plan.items():
        for name in names:
            assigned[name] = assigned.get(name, 0) + 1
            articles.setdefault(name, set()).add(segment_id.rsplit("#", 1)[0])
    roles = {m.username: m.rolename for m in client.members(project.id) if m.username}
    rows = []
    for entry in client.member_progress(project.id):
        name = str(entry.get("user"))
        done = int(entry.get("done", 0))
        if (
            roles.get(name, ANNOTATOR_ROLE) != ANNOTATOR_ROLE
            and not assigned.get(name)
            and not done
        ):
            continue  # the project's admin, who labels nothing
        # without a plan every member is given every example; with one, only what it says
        in_plan = not plan or name in assigned
        total = assigned.get(name, 0) if plan else n_examples
        rows.append(
            AnnotatorProgress(
                name,
                total,
                done,
                max(total - done, 0),
                len(articles.get(name, set())),
                assigned=in_plan,
            )
        )
    n_articles = len({s.rsplit("#", 1)[0] for s in plan})
    return ProjectProgress(sorted(rows, key=lambda r: r.annotator), n_examples, n_articles)
