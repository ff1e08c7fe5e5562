"""Annotator accounts: created with a random password kept in ``.nerwb/`` (the
``AnnotatorPasswords`` record, mode 0600), and made members of a project in the annotator role.

``account_changes`` reads what the server has and says what is missing; ``apply_accounts``
makes it. ``doccano push`` plans with the first and applies with the second (a dry run stops
between them); ``ensure_annotators`` does both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.doccano.errors import DoccanoError
from nerwb.records.doccano import AnnotatorPasswords

if TYPE_CHECKING:  # httpx: imported by whoever connects, so the CLI starts quickly
    from nerwb.doccano.client import DoccanoClient

ANNOTATOR_ROLE = "annotator"


@dataclass
class AccountChanges:
    """The accounts to create and the members to add (in the annotator role) for ``names``."""

    role_id: int
    names: list[str]
    create: list[str] = field(default_factory=list)  # no such user on the server yet
    add: list[str] = field(default_factory=list)  # not yet a member (the new accounts too)
    user_ids: dict[str, int] = field(default_factory=dict)  # the existing users' ids


def account_changes(
    client: DoccanoClient, project_id: int | None, names: list[str]
) -> AccountChanges:
    """What ``names`` need on the server: accounts, and membership of ``project_id`` (None: a
    project still to be made, of which nobody is a member). Reads only.

    Raises:
        DoccanoError: the server has no annotator role.
    """
    # the role first: a server without it would otherwise get accounts no project can use
    roles = {r.name: r.id for r in client.roles()}
    if ANNOTATOR_ROLE not in roles:
        raise DoccanoError(f"the server has no {ANNOTATOR_ROLE!r} role (roles: {', '.join(roles)})")
    users = {u.username: u.id for u in client.users()}
    members = {m.user for m in client.members(project_id)} if project_id is not None else set()
    changes = AccountChanges(roles[ANNOTATOR_ROLE], list(names))
    for name in names:
        if name in users:
            changes.user_ids[name] = users[name]
        else:
            changes.create.append(name)
        if users.get(name) not in members:
            changes.add.append(name)
    return changes


def apply_accounts(
    client: DoccanoClient, project_id: int, changes: AccountChanges, passwords_path: Path
) -> tuple[dict[str, str], list[str]]:
    """Create the accounts ``changes`` lists (random passwords, saved 0600 at once) and add the
    members. Returns the accounts created (name -> password) and the names made members."""
    created: dict[str, str] = {}
    ids = dict(changes.user_ids)
    saved = AnnotatorPasswords.load_or_new(passwords_path) if changes.create else None
    for name in changes.create:
        password = secrets.token_urlsafe(12)
        ids[name] = client.create_user(name, password).id
        created[name] = password
        assert saved is not None
        saved.passwords[name] = password
        saved.save(passwords_path)  # at once: never lose a password
    for name in changes.add:
        client.add_member(project_id, ids[name], changes.role_id)
    return created, list(changes.add)


def ensure_annotators(
    client: DoccanoClient, project_id: int, names: list[str], passwords_path: Path
) -> tuple[dict[str, str], list[str]]:
    """Create missing accounts (random passwords, saved 0600) and make everyone a member.

    Returns the accounts created (name -> password) and the names made members now.

    Raises:
        DoccanoError: the server has no annotator role.
    """
    changes = account_changes(client, project_id, names)
    return apply_accounts(client, project_id, changes, passwords_path)
