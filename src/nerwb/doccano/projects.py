"""Doccano projects: find the workspace's project (or make it, on push), and keep its span
types and guideline equal to ``labels.yml`` and ``labels/GUIDELINES.md``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Project, SpanType
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
    projects = client.projects()
    for project in projects:
        if project.name == name:
            return _check_type(project)
    names = ", ".join(sorted(p.name for p in projects)[:10]) or "none"
    names += ", ..." if len(projects) > 10 else ""
    raise DoccanoError(
        f"no Doccano project {name!r} on {client.url} (projects there: {names})",
        kind=ErrorKind.NO_PROJECT,
        setting="doccano.project",
    )


def existing_project(client: DoccanoClient, name: str) -> Project | None:
    """The project called ``name`` where there is one (checked: a sequence-labelling project)."""
    for project in client.projects():
        if project.name == name:
            return _check_type(project)
    return None


def ensure_project(client: DoccanoClient, name: str) -> tuple[Project, bool]:
    """The project called ``name``, created when missing (push only). Returns it and whether new."""
    project = existing_project(client, name)
    if project is not None:
        return project, False
    return client.create_project(name), True


def guideline_change(project: Project | None, path: Path) -> tuple[str | None, str]:
    """What ``sync_guideline`` would do to ``project`` (None: one still to be made) and the
    text it would set: "set", "updated", "unchanged", or None without the file."""
    if not path.is_file():
        return None, ""
    # Doccano trims surrounding whitespace from what it stores: compare what it keeps.
    text = path.read_text(encoding="utf-8").strip()
    current = project.guideline if project is not None else ""
    if current.strip() == text:
        return "unchanged", text
    return ("updated" if current else "set"), text


def sync_guideline(client: DoccanoClient, project: Project, path: Path) -> str | None:
    """The project's guideline (Doccano shows it to annotators) made equal to ``path``.

    Returns "set" (the project had none), "updated", "unchanged", or None without the file.
    """
    state, text = guideline_change(project, path)
    if state in ("set", "updated"):
        client.update_project(project, {"guideline": text})
    return state


@dataclass
class SpanTypeChanges:
    """What makes a project's span types match ``labels.yml`` (colours, keys); never a deletion."""

    clear_keys: list[int] = field(default_factory=list)  # types whose key a label now takes
    create: list[dict[str, Any]] = field(default_factory=list)  # the new types' fields
    update: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (type id, fields)

    @property
    def created(self) -> list[str]:
        return [fields["text"] for fields in self.create]

    @property
    def updated(self) -> list[str]:
        return [fields["text"] for _, fields in self.update]


def span_type_changes(existing: list[SpanType], schema: LabelSchema) -> SpanTypeChanges:
    """The changes that make ``existing`` (a project's span types) match ``schema``."""
    by_text = {t.text: t for t in existing}
    changes = SpanTypeChanges()
    # Clear clashing keys first: Doccano refuses two types with one shortcut key.
    wanted_keys = {label.key for label in schema.labels if label.key}
    for span_type in by_text.values():
        if span_type.suffix_key in wanted_keys and schema.get(span_type.text) is None:
            changes.clear_keys.append(span_type.id)
    for label in schema.labels:
        fields = {
            "text": label.name,
            "background_color": label.color,
            "text_color": label.text_color,
            "suffix_key": label.key,
        }
        current = by_text.get(label.name)
        if current is None:
            changes.create.append(fields)
        elif (current.background_color.lower(), current.text_color.lower(), current.suffix_key) != (
            label.color,
            label.text_color,
            label.key,
        ):
            changes.update.append((current.id, fields))
    return changes


def apply_span_types(
    client: DoccanoClient, project_id: int, changes: SpanTypeChanges
) -> tuple[list[str], list[str]]:
    """Make ``changes``; returns the names of the span types created and updated."""
    for type_id in changes.clear_keys:
        client.update_span_type(project_id, type_id, {"suffix_key": None})
    for fields in changes.create:
        client.create_span_type(project_id, fields)
    for type_id, fields in changes.update:
        client.update_span_type(project_id, type_id, fields)
    return changes.created, changes.updated


def sync_span_types(
    client: DoccanoClient, project_id: int, schema: LabelSchema
) -> tuple[list[str], list[str]]:
    """Make the project's span types match ``labels.yml`` (colours, keys); never deletes one."""
    changes = span_type_changes(client.span_types(project_id), schema)
    return apply_span_types(client, project_id, changes)
