"""docs/commands.md is the command reference written from the Typer app (issue 31, item 7):
written again here and compared, so a new option, default or help text cannot leave it behind."""

from __future__ import annotations

from conftest import REPO
from nerwb.cli.reference import command_reference

COMMANDS_MD = REPO / "docs" / "commands.md"


def test_the_command_reference_is_current() -> None:
    written = COMMANDS_MD.read_text(encoding="utf-8")
    assert written == command_reference(), (
        "docs/commands.md is out of date: run `make docs` (python -m nerwb.cli.reference "
        "docs/commands.md) and commit it"
    )


def test_the_reference_has_every_command_and_option() -> None:
    text = command_reference()
    for heading in (
        "## `nerwb init`",
        "## `nerwb doccano push`",
        "## `nerwb labels convert`",
        "## `nerwb train-curve`",
        "## `nerwb predict`",
    ):
        assert heading in text
    push = text.split("## `nerwb doccano push`")[1].split("\n## ")[0]
    assert "`--dry-run`" in push and "`--annotators`" in push and "`--workspace`, `-w`" in push
    convert = text.split("## `nerwb labels convert`")[1].split("\n## ")[0]
    assert "error \\| expand \\| contract \\| skip" in convert or "error\\|expand" in convert
    assert "nerwb doccano push --annotators alice,bob --overlap 0.3" in push  # its examples
