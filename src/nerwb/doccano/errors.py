"""The one exception type for Doccano: it carries the HTTP status, the URL and the server's words."""

from __future__ import annotations

from pathlib import Path

from nerwb.errors import ErrorKind, NerwbError


class DoccanoError(NerwbError):
    """``status`` and ``url`` of the failed request where there was one; ``server_message`` is
    the message without them."""

    default_kind = ErrorKind.SERVER_ERROR

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        kind: ErrorKind | None = None,
        path: Path | str | None = None,
        setting: str | None = None,
        value: object = None,
    ):
        parts = [message]
        if status is not None:
            parts.append(f"HTTP {status}")
        if url:
            parts.append(url)
        super().__init__(" | ".join(parts), kind=kind, path=path, setting=setting, value=value)
        self.status = status
        self.url = url
        self.server_message = message
