"""Which Doccano server a workspace talks to, and logging in to it.

The embedded default is the workspace's local server (``nerwb doccano up``), whose admin
credentials are in ``.nerwb/doccano/credentials.json`` (0600). A remote server is named by
``DOCCANO_URL`` (or ``[doccano] url`` in nerwb.toml), with ``DOCCANO_USERNAME`` and
``DOCCANO_PASSWORD`` from the environment only, never from argv.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from nerwb.doccano.errors import DoccanoError
from nerwb.errors import ErrorKind
from nerwb.records.credentials import Credentials
from nerwb.workspace import Workspace

if TYPE_CHECKING:
    from nerwb.doccano.client import DoccanoClient


def remote_url(ws: Workspace) -> str:
    """The remote server's URL, or "" when the workspace uses its own local server."""
    return os.environ.get("DOCCANO_URL") or ws.config.doccano.url


def credentials_for(ws: Workspace) -> Credentials:
    url = remote_url(ws)
    if url:
        missing = [v for v in ("DOCCANO_USERNAME", "DOCCANO_PASSWORD") if not os.environ.get(v)]
        if missing:
            raise DoccanoError(
                f"remote Doccano at {url}: set {' and '.join(missing)} in the environment"
            )
        return Credentials(
            url=url.rstrip("/"),
            username=os.environ["DOCCANO_USERNAME"],
            password=os.environ["DOCCANO_PASSWORD"],
        )
    path = ws.doccano_credentials_path
    if not path.exists():
        raise DoccanoError(
            f"no local Doccano server in this workspace ({path} is missing)",
            kind=ErrorKind.NO_SERVER,
            path=path,
        )
    return Credentials.load(path)


def connect(ws: Workspace) -> DoccanoClient:
    """A client logged in to the workspace's server."""
    credentials = credentials_for(ws)
    from nerwb.doccano.client import DoccanoClient  # httpx: only when a command connects

    client = DoccanoClient(credentials.url)
    try:
        client.login(credentials.username, credentials.password)
    except BaseException:
        client.close()
        raise
    return client
