"""A small typed Doccano 1.8.4 client on httpx. All of nerwb's HTTP lives in this package.

Layered like doccano-client (one method group per REST resource, use cases elsewhere), but on
httpx and pydantic v2: doccano-client pins pydantic < 2, which cannot sit beside spaCy 3.8.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx

from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.models import Example, Member, Project, Role, Span, SpanType, TaskStatus, User
from nerwb.errors import ErrorKind

RETRIES = 4  # idempotent calls and connection failures: 0.25 s, 0.5 s, 1 s, 2 s
BACKOFF_S = 0.25
PAGE = 500  # examples per page when listing; Doccano's default page is 5
TASK_POLL_S = 0.05  # a 2,000-row import takes ~2.6 s: poll often, it is one cheap GET


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        if "detail" in body:
            return str(body["detail"])
        return "; ".join(f"{k}: {v}" for k, v in body.items())[:500]
    return str(body)[:500]


class DoccanoClient:
    """A logged-in connection to one Doccano server.

    Args:
        url: The server's base URL, e.g. ``http://127.0.0.1:8000``.
        timeout: Seconds for each request.
    """

    def __init__(
        self, url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ):
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DoccanoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing
    def _request(
        self, method: str, path: str, *, idempotent: bool | None = None, **kwargs: Any
    ) -> httpx.Response:
        idempotent = (
            method in ("GET", "HEAD", "PUT", "DELETE") if idempotent is None else idempotent
        )
        url = f"{self.url}{path}"
        for attempt in range(RETRIES + 1):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as err:
                # A request that never reached the server is safe to repeat, POST included.
                connect_failed = isinstance(err, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt < RETRIES and (idempotent or connect_failed):
                    time.sleep(BACKOFF_S * 2**attempt)
                    continue
                raise DoccanoError(
                    f"cannot reach the Doccano server ({type(err).__name__}: {err})",
                    url=url,
                    kind=ErrorKind.SERVER_UNREACHABLE,
                ) from None
            if response.status_code >= 500 and idempotent and attempt < RETRIES:
                time.sleep(BACKOFF_S * 2**attempt)
                continue
            if response.status_code >= 400:
                raise DoccanoError(_server_message(response), status=response.status_code, url=url)
            return response
        raise AssertionError("unreachable")

    def _get(self, path: str, **params: Any) -> Any:
        return self._request("GET", path, params=params or None).json()

    def _post(self, path: str, payload: Any = None, **kwargs: Any) -> httpx.Response:
        return self._request("POST", path, json=payload, **kwargs)

    def _pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        data = self._get(path, limit=PAGE, offset=0, **params)
        while True:
            yield from data["results"]
            if not data.get("next"):
                return
            # `next` is an absolute URL on the server's idea of its own host: keep only the query.
            query = httpx.URL(data["next"]).query.decode()
            data = self._request("GET", f"{path}?{query}").json()

    # ------------------------------------------------------------------ auth, health
    def health(self) -> bool:
        try:
            return self._http.get("/v1/health/", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def login(self, username: str, password: str) -> None:
        try:
            response = self._post("/v1/auth/login/", {"username": username, "password": password})
        except DoccanoError as err:
            if err.status == 400:
                raise DoccanoError(
                    f"login as {username!r} refused: wrong username or password",
                    status=400,
                    url=err.url,
                ) from None
            raise
        self._http.headers["Authorization"] = f"Token {response.json()['key']}"
        # Login also sets a session cookie; with it, Django asks for a CSRF token on every
        # POST. Token auth needs neither, so drop the cookie.
        self._http.cookies.clear()

    def use_token(self, token: str) -> None:
        """Authenticate with an API token instead of a login (a remote annotator's own token)."""
        self._http.headers["Authorization"] = f"Token {token}"

    def me(self) -> User:
        return User.model_validate(self._get("/v1/me"))

    # ------------------------------------------------------------------ projects
    def projects(self) -> list[Project]:
        return [Project.model_validate(p) for p in self._pages("/v1/projects")]

    def create_project(
        self, name: str, *, description: str = "", allow_overlapping: bool = False
    ) -> Project:
        payload = {
            "name": name,
            "description": description or name,
            "project_type": "SequenceLabeling",
            "resourcetype": "SequenceLabelingProject",
            "guideline": "",
            # Each annotator's spans and confirmations stay their own: agreement needs that.
            "collaborative_annotation": False,
            # The review project shows disagreeing (overlapping) proposals side by side.
            "allow_overlapping": allow_overlapping,
            "grapheme_mode": False,
            "random_order": False,
        }
        return Project.model_validate(self._post("/v1/projects", payload).json())

    def update_project(self, project: Project, fields: dict[str, Any]) -> Project:
        # Doccano's project serializer is polymorphic: an update names the project's type too.
        payload = {"resourcetype": "SequenceLabelingProject", **fields}
        response = self._request(
            "PATCH", f"/v1/projects/{project.id}", json=payload, idempotent=True
        )
        return Project.model_validate(response.json())

    # ------------------------------------------------------------------ span types
    def span_types(self, project_id: int) -> list[SpanType]:
        data = self._get(f"/v1/projects/{project_id}/span-types")
        items = data["results"] if isinstance(data, dict) else data
        return [SpanType.model_validate(t) for t in items]

    def create_span_type(self, project_id: int, fields: dict[str, Any]) -> SpanType:
        return SpanType.model_validate(
            self._post(f"/v1/projects/{project_id}/span-types", fields).json()
        )

    def update_span_type(self, project_id: int, type_id: int, fields: dict[str, Any]) -> SpanType:
        response = self._request(
            "PATCH", f"/v1/projects/{project_id}/span-types/{type_id}", json=fields, idempotent=True
        )
        return SpanType.model_validate(response.json())

    # ------------------------------------------------------------------ examples
    def count_examples(self, project_id: int) -> int:
        return int(self._get(f"/v1/projects/{project_id}/examples", limit=1)["count"])

    def examples(self, project_id: int) -> Iterator[Example]:
        for item in self._pages(f"/v1/projects/{project_id}/examples"):
            yield Example.model_validate(item)

    def set_score(self, project_id: int, example_id: int, score: float) -> None:
        """The example's ``score``, which annotators can sort by in Doccano's list."""
        self._request(
            "PATCH",
            f"/v1/projects/{project_id}/examples/{example_id}",
            json={"score": score},
            idempotent=True,
        )

    def create_example(self, project_id: int, text: str, meta: dict[str, Any]) -> Example:
        """One POST per example: what doccano-client does; kept for the benchmark baseline."""
        return Example.model_validate(
            self._post(f"/v1/projects/{project_id}/examples", {"text": text, "meta": meta}).json()
        )

    # ------------------------------------------------------------------ spans and states (the caller's own)
    def create_span(
        self, project_id: int, example_id: int, label_id: int, start: int, end: int
    ) -> Span:
        payload = {"label": label_id, "start_offset": start, "end_offset": end}
        return Span.model_validate(
            self._post(f"/v1/projects/{project_id}/examples/{example_id}/spans", payload).json()
        )

    def delete_example(self, project_id: int, example_id: int) -> None:
        self._request("DELETE", f"/v1/projects/{project_id}/examples/{example_id}")

    def delete_span(self, project_id: int, example_id: int, span_id: int) -> None:
        self._request("DELETE", f"/v1/projects/{project_id}/examples/{example_id}/spans/{span_id}")

    def spans(self, project_id: int, example_id: int) -> list[Span]:
        data = self._get(f"/v1/projects/{project_id}/examples/{example_id}/spans")
        return [
            Span.model_validate(s) for s in (data["results"] if isinstance(data, dict) else data)
        ]

    def is_confirmed(self, project_id: int, example_id: int) -> bool:
        data = self._get(f"/v1/projects/{project_id}/examples/{example_id}/states")
        return bool(
            data.get("count", len(data.get("results", []))) if isinstance(data, dict) else data
        )

    def confirm(self, project_id: int, example_id: int) -> None:
        """Mark the example confirmed by the caller. The endpoint toggles, so read the state first."""
        if not self.is_confirmed(project_id, example_id):
            self._post(f"/v1/projects/{project_id}/examples/{example_id}/states")

    # ------------------------------------------------------------------ bulk import and export
    def upload_file(self, name: str, content: bytes) -> str:
        response = self._request(
            "POST",
            "/v1/fp/process/",
            files={"filepond": (name, io.BytesIO(content), "application/json")},
        )
        return response.text.strip()

    def start_import(self, project_id: int, upload_ids: list[str]) -> str:
        payload = {
            "uploadIds": upload_ids,
            "task": "SequenceLabeling",
            "format": "JSONL",
            "column_data": "text",
            "column_label": "label",
        }
        return str(self._post(f"/v1/projects/{project_id}/upload", payload).json()["task_id"])

    def wait_task(self, task_id: str, *, timeout: float = 600.0, what: str = "task") -> TaskStatus:
        """Poll until the server's task is done; a failed task raises with the server's error.

        Doccano reports a file-level failure in ``error`` and row-level ones in ``result.error``.
        """
        deadline = time.monotonic() + timeout
        path = f"/v1/tasks/status/{task_id}"
        while True:
            status = TaskStatus.model_validate(self._get(path))
            if status.ready:
                break
            if time.monotonic() > deadline:
                raise DoccanoError(
                    f"{what} did not finish within {timeout:.0f} s",
                    url=f"{self.url}{path}",
                    kind=ErrorKind.WORKER_TIMEOUT,
                )
            time.sleep(TASK_POLL_S)
        errors = status.error or (
            status.result.get("error") if isinstance(status.result, dict) else None
        )
        if errors:
            # "Column label not found" is reported for files without labels, yet they import.
            real = [
                e
                for e in (errors if isinstance(errors, list) else [errors])
                if "Column label" not in json.dumps(e)
            ]
            if real:
                raise DoccanoError(
                    f"{what} failed on the server: {json.dumps(real)[:800]}",
                    url=f"{self.url}{path}",
                )
        return status

    def start_export(self, project_id: int, *, confirmed_only: bool) -> str:
        payload = {"format": "JSONL", "exportApproved": confirmed_only}
        return str(self._post(f"/v1/projects/{project_id}/download", payload).json()["task_id"])

    def download_export(self, project_id: int, task_id: str) -> bytes:
        return self._request(
            "GET", f"/v1/projects/{project_id}/download", params={"taskId": task_id}
        ).content

    # ------------------------------------------------------------------ users and members
    def users(self, search: str | None = None) -> list[User]:
        data = self._get("/v1/users", **({"q": search} if search else {}))
        return [User.model_validate(u) for u in data]

    def create_user(self, username: str, password: str) -> User:
        payload = {"username": username, "password1": password, "password2": password}
        return User.model_validate(self._post("/v1/users/create", payload).json())

    def roles(self) -> list[Role]:
        return [Role.model_validate(r) for r in self._get("/v1/roles")]

    def members(self, project_id: int) -> list[Member]:
        data = self._get(f"/v1/projects/{project_id}/members")
        return [
            Member.model_validate(m) for m in (data["results"] if isinstance(data, dict) else data)
        ]

    def add_member(self, project_id: int, user_id: int, role_id: int) -> Member:
        return Member.model_validate(
            self._post(
                f"/v1/projects/{project_id}/members", {"user": user_id, "role": role_id}
            ).json()
        )

    def member_progress(self, project_id: int) -> list[dict[str, Any]]:
        data = self._get(f"/v1/projects/{project_id}/metrics/member-progress")
        return list(data.get("progress", [])) if isinstance(data, dict) else list(data)
