"""Annotator accounts: created with a random password kept in ``.nerwb/`` (the
``AnnotatorPasswords`` record, mode 0600), and made members of a project in the annotator role."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.doccano.errors import DoccanoError
from nerwb.records.doccano import AnnotatorPasswords

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient

ANNOTATOR_ROLE = "annotator"


def ensure_annotators(
    client: DoccanoClient, project_id: int, names: list[str], passwords_path: Path
) -> tuple[dict[str, str], list[str]]:
    """Create missing accounts (random passwords, saved 0600) and make everyone a member.

    Returns the accounts created (name -> password) and the names made members now.

    Raises:
        DoccanoError: the server has no annotator role.
    """
    # the role first: a server without it would otherwise get accounts no project can use
    roles = {r.name: r.id for r in client.roles()}
    if ANNOTATOR_ROLE not in roles:
        raise DoccanoError(f"the server has no {ANNOTATOR_ROLE!r} role (roles: {', '.join(roles)})")
    created: dict[str, str] = {}
    saved = AnnotatorPasswords.load_or_new(passwords_path)
    users = {u.username: u for u in client.users()}
    for name in names:
        if name not in users:
            password = secrets.token_urlsafe(12)
            users[name] = client.create_user(name, password)
            created[name] = password
            saved.passwords[name] = password
            saved.save(passwords_path)  # at once: never lose a password
    members = {m.user for m in client.members(project_id)}
    added = []
    for name in names:
        if users[name].id not in members:
            client.add_member(project_id, users[name].id, roles[ANNOTATOR_ROLE])
            added.append(name)
    return created, added
