"""The label schema, ``labels/labels.yml``: names, descriptions, colours, shortcut keys."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nerwb.errors import SETTING, ErrorKind, SchemaError
from nerwb.io import atomic_write_text, read_text

LABEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class LabelType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    color: str = "#209cee"
    key: str | None = Field(default=None, description="one-character shortcut key in Doccano")

    @field_validator("name")
    @classmethod
    def _name_shape(cls, value: str) -> str:
        if not LABEL_NAME.match(value):
            raise ValueError(f"name {value!r} must match {LABEL_NAME.pattern}")
        return value

    @field_validator("color")
    @classmethod
    def _colour_shape(cls, value: str) -> str:
        if not HEX_COLOUR.match(value):
            raise ValueError(f"color {value!r} must be a hex colour like '#e6194b'")
        return value.lower()

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 1 or not value.isalnum()):
            raise ValueError(f"key {value!r} must be a single letter or digit")
        return value.lower() if value else value

    @property
    def text_color(self) -> str:
        """Black or white, whichever reads better on the label's colour (WCAG luminance)."""
        r, g, b = (int(self.color[i : i + 2], 16) / 255 for i in (1, 3, 5))
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        return "#000000" if luminance > 0.5 else "#ffffff"


class LabelSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: list[LabelType]

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def get(self, name: str) -> LabelType | None:
        return next((label for label in self.labels if label.name == name), None)

    def colours(self) -> dict[str, str]:
        return {label.name: label.color for label in self.labels}

    def with_labels(self, names: list[str]) -> LabelSchema:
        """A copy with ``names`` appended (default colours, no keys), for ``--add-labels``."""
        palette = ["#3cb44b", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#008080", "#9a6324"]
        extra = [
            LabelType(name=name, color=palette[i % len(palette)])
            for i, name in enumerate(n for n in names if n not in self.names)
        ]
        return LabelSchema(labels=[*self.labels, *extra])


def _check_unique(schema: LabelSchema, path: Path) -> None:
    seen_names: dict[str, int] = {}
    seen_keys: dict[str, str] = {}
    for index, label in enumerate(schema.labels):
        if label.name in seen_names:
            raise SchemaError(
                f"{path}: labels[{index}]: duplicate name {label.name!r} "
                f"(also labels[{seen_names[label.name]}])"
            )
        seen_names[label.name] = index
        if label.key is not None:
            if label.key in seen_keys:
                raise SchemaError(
                    f"{path}: labels[{index}] ({label.name}): key {label.key!r} "
                    f"clashes with {seen_keys[label.key]}"
                )
            seen_keys[label.key] = label.name


def load_schema(path: Path, *, allow_empty: bool = False) -> LabelSchema:
    """Read and validate ``labels.yml``; an empty ``labels:`` list only with ``allow_empty``
    (a new project's schema that ``labels import --add-labels`` fills).

    Raises:
        SchemaError: names the file, the entry and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"{path}: label schema not found")
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as err:
        raise SchemaError(f"{path}: not valid YAML ({err})") from None
    if isinstance(data, dict) and "labels" in data and data["labels"] is None:
        data["labels"] = []  # `labels:` with no entries under it
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        raise SchemaError(f"{path}: expected a top-level `labels:` list with at least one entry")
    if not data["labels"] and not allow_empty:
        raise SchemaError(
            f"{path}: no labels yet (the `labels:` list needs at least one entry)",
            kind=ErrorKind.NO_LABELS,
            path=path,
        )
    try:
        schema = LabelSchema.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = first["loc"]
        where = (
            f"labels[{loc[1]}]" if len(loc) > 1 and loc[0] == "labels" else ".".join(map(str, loc))
        )
        if len(loc) > 1 and loc[0] == "labels" and isinstance(loc[1], int):
            entry = data["labels"][loc[1]]
            if isinstance(entry, dict) and "name" in entry:
                where += f" ({entry['name']})"
        field = f" {loc[2]}" if len(loc) > 2 else ""
        message = first["msg"].removeprefix("Value error, ")
        raise SchemaError(f"{path}: {where}{field}: {message}") from None
    _check_unique(schema, path)
    return schema


def check_label_name(name: str) -> str | None:
    """Why ``name`` cannot be a label name, or None when it can."""
    if not LABEL_NAME.match(name):
        return f"{name!r} is not a valid label name (a letter, then letters, digits, _ or -)"
    return None


_LIST_ITEM = re.compile(r"^( *)- +name *:", re.MULTILINE)


def schema_text_with_labels(path: Path, names: list[str]) -> tuple[LabelSchema, str]:
    """``labels.yml`` as the user wrote it, comments and all, with ``names`` appended as text.

    Returns the new schema and the new file text, checked to read back as exactly that
    schema; the caller writes it (``atomic_write_text``) when the rest of its work is checked.

    Raises:
        SchemaError: a name is invalid, or the file's layout (``labels:`` not the last block
            list) does not allow appending; then it names the labels to add by hand.
    """
    schema = load_schema(path, allow_empty=True)
    for name in names:
        problem = check_label_name(name)
        if problem:
            raise SchemaError(f"{path}: cannot add a label: {problem}")
    wanted = schema.with_labels(names)
    added = wanted.labels[len(schema.labels) :]
    text = read_text(path)
    match = _LIST_ITEM.search(text)
    indent = match.group(1) if match else "  "
    block = "".join(
        f"{indent}- name: '{label.name}'\n{indent}  color: '{label.color}'\n" for label in added
    )
    new_text = text + ("" if not text or text.endswith("\n") else "\n") + block
    try:
        reread = LabelSchema.model_validate(yaml.safe_load(new_text))
    except (yaml.YAMLError, ValidationError, TypeError):
        reread = None
    if reread != wanted:
        raise SchemaError(
            f"{path}: cannot append to the `labels:` list as the file is laid out (it is not the "
            f"file's last block list); add these labels by hand: {', '.join(a.name for a in added)}"
        )
    return wanted, new_text


EMPTY_SCHEMA_TEXT = """\
# Label schema: each entry becomes a Doccano span type (colour, shortcut key) and an entity
# label of the spaCy pipeline. Add entries like the one below, or let
# `nerwb labels import FILE --add-labels` add the labels its annotations use.
#  - name: ARMED_GROUP
#    description: Name of an organised armed group.
#    color: "#e6194b"
#    key: a
labels:
"""


def schema_text_for(names: list[str]) -> str:
    """A new ``labels.yml`` holding ``names`` (default colours, no keys), for ``nerwb init``.

    Raises:
        SchemaError: a name is invalid or repeated.
    """
    for name in names:
        problem = check_label_name(name)
        if problem:
            raise SchemaError(f"{SETTING}: {problem}", kind=ErrorKind.BAD_SETTING, setting="labels")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SchemaError(
            f"{SETTING}: {', '.join(repeated)} given twice",
            kind=ErrorKind.BAD_SETTING,
            setting="labels",
        )
    block = "".join(
        f"  - name: '{label.name}'\n    color: '{label.color}'\n"
        for label in LabelSchema(labels=[]).with_labels(names).labels
    )
    return EMPTY_SCHEMA_TEXT + block


def save_schema(schema: LabelSchema, path: Path) -> None:
    data = {"labels": [label.model_dump(exclude_none=True) for label in schema.labels]}
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
