"""Typed views of the Doccano 1.8.4 REST resources that nerwb uses (pydantic v2)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Resource(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Project(_Resource):
    id: int
    name: str
    project_type: str = ""
    collaborative_annotation: bool = False
    guideline: str = ""


class SpanType(_Resource):
    id: int
    text: str
    background_color: str = ""
    text_color: str = ""
    suffix_key: str | None = None


class Example(_Resource):
    id: int
    text: str | None = None
    meta: dict[str, Any] = {}
    is_confirmed: bool = False
    score: float | None = None


class User(_Resource):
    id: int
    username: str
    is_superuser: bool = False


class Role(_Resource):
    id: int
    name: str


class Member(_Resource):
    id: int
    user: int
    role: int
    username: str = ""
    rolename: str = ""


class Span(_Resource):
    id: int
    label: int
    start_offset: int
    end_offset: int
    user: int | None = None


class TaskStatus(_Resource):
    ready: bool
    result: Any = None
    error: Any = None
