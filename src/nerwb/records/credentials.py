"""The Doccano admin credentials of a workspace's server (``.nerwb/doccano/credentials.json``, 0600).

Written by the local server's manager (``nerwb.server``) when it first starts; read by every
command that connects (``nerwb.doccano.connection``), so it sits below both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from nerwb.io import atomic_write_json

SECRET_MODE = 0o600


@dataclass(frozen=True)
class Credentials:
    url: str
    username: str
    password: str
    database_password: str = ""  # the workspace PostgreSQL cluster's, once it has one

    def save(self, path: Path) -> None:
        data = {"url": self.url, "username": self.username, "password": self.password}
        if self.database_password:
            data["database_password"] = self.database_password
        atomic_write_json(path, data, mode=SECRET_MODE)

    @classmethod
    def load(cls, path: Path) -> Credentials:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            data["url"], data["username"], data["password"], data.get("database_password", "")
        )
