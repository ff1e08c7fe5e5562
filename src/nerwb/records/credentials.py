"""The Doccano admin credentials of a workspace's server (``.nerwb/doccano/credentials.json``, 0600).

Written by the local server's manager (``nerwb.server``) when it first starts; read by every
command that connects (``nerwb.doccano.connection``), so it sits below both.
"""

from __future__ import annotations

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

    def __repr__(self) -> str:  # never a password in a log or a traceback
        return f"Credentials(url={self.url!r}, username={self.username!r})"

    __str__ = __repr__
