"""``labels/names.csv``: names the user already knows, each with its label and where it is from.

One CSV file with a header row and three columns (others are ignored)::

    name,label,source
    Boko Haram,ARMED_GROUP,"US State Department, Foreign Terrorist Organizations list (INA section 219)"
    proscribed organisation,DESIGNATION,"UK Home Office, proscribed terrorist groups or organisations"

``name`` is the name as it is written (matched case-insensitively, token by token, so
"al-Shabaab" also matches "Al-Shabaab"); ``label`` one of labels.yml; ``source`` the list or person
it came from, so every name can be traced. ``nerwb init`` writes a starter list for the
conflict-news schema (resources/names.csv) built from official lists; edit it freely. The
gazetteer component and ``doccano suggest --patterns labels/names.csv`` read it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nerwb.errors import InputError

COLUMNS = ("name", "label", "source")
PATTERN_ID = "names.csv"  # marks entity-ruler patterns made from a names list


@dataclass(frozen=True)
class KnownName:
    name: str
    label: str
    source: str
    line: int  # in the file, for messages


def read_names(path: Path, labels: Collection[str] | None = None) -> list[KnownName]:
    """Every row of a names list, checked; with ``labels``, each row's label must be one of them.

    Raises:
        InputError: a missing or unreadable file, a header without name/label/source, an empty
            cell, or a label not in ``labels`` (each naming its line); no names at all.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("the names list does not exist", path=path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the names list ({type(err).__name__})", path=path) from None
    rows = _rows(text, path)
    header = [cell.strip().lower() for cell in next(rows, (1, []))[1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"expected a header row with the columns {','.join(COLUMNS)} (missing: "
            f"{', '.join(missing)})",
            path=path,
            line=1,
        )
    where = {c: header.index(c) for c in COLUMNS}
    names = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        cells = {c: row[i].strip() if i < len(row) else "" for c, i in where.items()}
        empty = [c for c in COLUMNS if not cells[c]]
        if empty:
            raise InputError(f"empty {', '.join(empty)}", path=path, line=line)
        if labels is not None and cells["label"] not in labels:
            raise InputError(
                f"label {cells['label']!r} is not in labels.yml ({', '.join(sorted(labels))})",
                path=path,
                line=line,
            )
        names.append(KnownName(cells["name"], cells["label"], cells["source"], line))
    if not names:
        raise InputError("no names in the list", path=path)
    return names


def _rows(text: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """The CSV rows of ``text`` with the line each starts on (a quoted field may span lines).

    Raises:
        InputError: a quoted field never closes (it would swallow every row after it, and the
            row would read as one name with an empty label and source).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            problem = (
                "is never closed"
                if "unexpected end of data" in str(err)
                else f"has text after its closing quote ({err})"
            )
            raise InputError(
                f"a quoted field starts on this line and {problem}; close the quote, or "
                'double a quote inside a field ("")',
                path=path,
                line=start,
            ) from None
        yield start, row


def name_tokens(name: str, tokenizer: Any) -> tuple[str, ...]:
    """A name's words as the pipeline splits them, lower-cased."""
    return tuple(t.lower_ for t in tokenizer(name) if not t.is_space)


def names_as_patterns(names: Iterable[KnownName], tokenizer: Any) -> list[dict[str, Any]]:
    """Entity-ruler patterns for the names: one token pattern (LOWER) per distinct name and
    label, so case does not matter and hyphens split as in the texts."""
    patterns: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    for known in names:
        tokens = name_tokens(known.name, tokenizer)
        patterns.setdefault(
            (known.label, tokens),
            {
                "label": known.label,
                "pattern": [{"LOWER": t} for t in tokens],
                "id": PATTERN_ID,
            },
        )
    return list(patterns.values())
