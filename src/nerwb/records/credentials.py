"""The Doccano admin credentials of a workspace's server (``.nerwb/doccano/credentials.json``,
only ever written 0600).

Written by the local server's manager (``nerwb.server``) when it first starts; read by every
command that connects (``nerwb.doccano.connection``), so it sits below both. A remote server's
credentials come from the environment and are never written.
"""

from __future__ import annotations

from typing import Any

from pydantic import SerializerFunctionWrapHandler, model_serializer

from nerwb.records._base import Record

SECRET_MODE = 0o600


class Credentials(Record):
    """How to log in to the local server as its admin (and the workspace PostgreSQL cluster's
    password, once it has one); only ever written 0600."""

    MODE = SECRET_MODE
    WHAT = "Doccano credentials"

    url: str
    username: str
    password: str
    database_password: str = ""

    @model_serializer(mode="wrap")
    def _no_empty_database_password(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # written once the workspace has a PostgreSQL cluster, as before records
        data = handler(self)
        if not data.get("database_password"):
            data.pop("database_password", None)
        return data

    def __repr__(self) -> str:  # never a password in a log or a traceback
        return f"Credentials(url={self.url!r}, username={self.username!r})"

    __str__ = __repr__
