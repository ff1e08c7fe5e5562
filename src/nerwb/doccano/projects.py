"""Doccano projects: find the workspace's project (or make it, on push), and keep its span
types and guideline equal to ``labels.yml`` and ``labels/GUIDELINES.md``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Project
from nerwb.errors import ErrorKind
from nerwb.labels.schema import LabelSchema

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient

GUIDELINES = "GUIDELINES.md"  # beside labels.yml: the annotation guidelines, Markdown


def _check_type(project: Project) -> Project:
    if project.project_type != "SequenceLabeling":
        raise DoccanoError(
            f"Doccano project {project.name!r} exists but is a {project.project_type} project"
        )
    return project


def find_project(client: DoccanoClient, name: str) -> Project:
    """The project called ``name``; never creates one (a mistyped name must not make an empty one).

    Raises:
        DoccanoError: no such project on the server, or it is not a sequence-labelling project.
    """
    return project_named(client.projects(), name, client.url)


def project_named(projects: list[Project], name: str, url: str) -> Project:
    """The first of ``projects`` (as the server lists them) called ``name``.

    Raises:
        DoccanoError: none is, or it is not a sequence-labelling project.
    """
    for project in projects:
        if project.name == name:
            return _check_type(project)
    names = ", ".join(sorted(p.name for p in projects)[:10]) or "none"
    names += ", ..." if len(projects) > 10 else ""
    raise DoccanoError(
        f"no Doccano project {name!r} on {url} (projects there: {names})",
        kind=ErrorKind.NO_PROJECT,
        setting="doccano.project",
    )


def ensure_project(client: DoccanoClient, name: str) -> tuple[Project, bool]:
    """The project called ``name``, created when missing (push only). Returns it and whether new."""
    for project in client.projects():
        if project.name == name:
            return _check_type(project), False
    return client.create_project(name), True


def sync_guideline(client: DoccanoClient, project: Project, path: Path) -> str | None:
    """The project's guideline (Doccano shows it to annotators) made equal to ``path``.

    Returns "set" (the project had none), "updated", "unchanged", or None without the file.
    """
    if not path.is_file():
        return None
    # Doccano trims surrounding whitespace from what it stores: compare what it keeps.
    text = path.read_text(encoding="utf-8").strip()
    if project.guideline.strip() == text:
        return "unchanged"
    client.update_project(project, {"guideline": text})
    return "updated" if project.guideline else "set"


def sync_span_types(
    client: DoccanoClient, project_id: int, schema: LabelSchema
) -> tuple[list[str], list[str]]:
    """Make the project's span types match ``labels.yml`` (colours, keys); never deletes one."""
    existing = {t.text: t for t in client.span_types(project_id)}
    created, updated = [], []
    # Clear clashing keys first: Doccano refuses two types with one shortcut key.
    wanted_keys = {label.key for label in schema.labels if label.key}
    for span_type in existing.values():
        if span_type.suffix_key in wanted_keys and schema.get(span_type.text) is None:
            client.update_span_type(project_id, span_type.id, {"suffix_key": None})
    for label in schema.labels:
        fields = {
            "text": label.name,
            "background_color": label.color,
            "text_color": label.text_color,
            "suffix_key": label.key,
        }
        current = existing.get(label.name)
        if current is None:
            client.create_span_type(project_id, fields)
            created.append(label.name)
        elif (current.background_color.lower(), current.text_color.lower(), current.suffix_key) != (
            label.color,
            label.text_color,
            label.key,
        ):
            client.update_span_type(project_id, current.id, fields)
            updated.append(label.name)
    return created, updated
