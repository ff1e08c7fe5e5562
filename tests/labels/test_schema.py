from pathlib import Path

import pytest

from nerwb.errors import SchemaError
from nerwb.labels.schema import load_schema

GOOD = """labels:
  - name: ARMED_GROUP
    description: d
    color: "#e6194b"
    key: a
  - name: DESIGNATION
    color: "#4363d8"
    key: d
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.yml"
    path.write_text(text)
    return path


def test_schema_loads_names_colours_keys(tmp_path: Path) -> None:
    schema = load_schema(write(tmp_path, GOOD))
    assert schema.names == ["ARMED_GROUP", "DESIGNATION"]
    assert schema.get("ARMED_GROUP").key == "a"
    assert schema.get("DESIGNATION").text_color == "#ffffff"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "  - name: ARMED_GROUP\n", r"labels\[2\]: duplicate name 'ARMED_GROUP'"),
        (GOOD.replace('"#e6194b"', '"red"'), r"labels\[0\] \(ARMED_GROUP\) color: color 'red'"),
        (
            GOOD.replace("key: d", "key: a"),
            r"labels\[1\] \(DESIGNATION\): key 'a' clashes with ARMED_GROUP",
        ),
        (GOOD.replace("name: DESIGNATION", "name: 9LIST"), r"labels\[1\] \(9LIST\) name"),
        (GOOD.replace("name: DESIGNATION", "name: TWO WORDS"), r"must match"),
        ("labels: []\n", "at least one entry"),
        ("labels: [\n", "not valid YAML"),
        (GOOD.replace("key: a", "key: ab"), "single letter"),
        (GOOD + "    shade: 3\n", "shade"),
    ],
)
def test_schema_invalid_names_file_entry_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SchemaError, match=message) as info:
        load_schema(path)
    assert str(path) in str(info.value)


def test_schema_cli_show_and_invalid(ws, cli) -> None:
    result = cli("labels", "show", "-w", ws.root)
    assert result.exit_code == 0
    assert "CASUALTY_FIGURE" in result.stdout
    (ws.root / "labels" / "labels.yml").write_text("labels: [\n")
    result = cli("labels", "show", "-w", ws.root)
    assert result.exit_code == 1
    assert "labels.yml: not valid YAML" in result.stderr
