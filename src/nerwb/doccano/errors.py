"""The one exception type for Doccano: it carries the HTTP status, the URL and the server's words."""

from __future__ import annotations

from nerwb.errors import NerwbError


class DoccanoError(NerwbError):
    def __init__(self, message: str, *, status: int | None = None, url: str | None = None):
        parts = [message]
        if status is not None:
            parts.append(f"HTTP {status}")
        if url:
            parts.append(url)
        super().__init__(" | ".join(parts))
        self.status = status
        self.url = url
        self.server_message = message
