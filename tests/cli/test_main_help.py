"""`-h` works like `--help`, and each command group's help shows an example."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args", [(), ("corpus",), ("doccano",), ("labels",), ("corpus", "add")])
def test_main_short_help_option(cli, args) -> None:
    result = cli(*args, "-h")
    assert result.exit_code == 0, result.stderr
    assert "Usage" in result.stdout


@pytest.mark.parametrize("group", ["corpus", "doccano", "labels"])
def test_main_group_help_has_an_example(cli, group) -> None:
    result = cli(group, "--help")
    assert result.exit_code == 0
    assert f"nerwb {group} " in result.stdout.split("Commands")[0]
    assert "Example" in result.stdout
