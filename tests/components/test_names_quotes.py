"""An unclosed quote in ``labels/names.csv`` is named as such, on the line it opens (issue 30,
item 19: it read as one name holding the rest of the file, "empty label, source")."""

from __future__ import annotations

from pathlib import Path

import pytest

from nerwb.components.names import read_names
from nerwb.errors import InputError

LIST = (
    "name,label,source\n"
    "IRGC,ARMED_GROUP,US list\n"
    '"Boko Haram,ARMED_GROUP,US list\n'
    "Al-Shabaab,ARMED_GROUP,US list\n"
)


def test_unclosed_quote_names_the_line_it_opens_on(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(LIST, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_names(path, labels={"ARMED_GROUP"})
    message = str(err.value)
    assert message.startswith(
        f"{path}, line 3: a quoted field starts on this line and is never closed"
    )
    assert "empty" not in message
    assert path.read_text(encoding="utf-8") == LIST


def test_a_quoted_source_over_two_lines_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(
        'name,label,source\nIRGC,ARMED_GROUP,"US list,\nsection 219"\nHamas,ARMED_GROUP,US\n',
        encoding="utf-8",
    )
    names = read_names(path, labels={"ARMED_GROUP"})
    assert [(n.name, n.source, n.line) for n in names] == [
        ("IRGC", "US list,\nsection 219", 2),
        ("Hamas", "US", 4),
    ]
