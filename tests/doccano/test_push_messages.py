"""`doccano push` output against a real Doccano: passwords only in the 0600 file, guidelines
on the project, selection counts that add up."""

from __future__ import annotations

import re

import pytest

from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.records.doccano import AnnotatorPasswords

pytestmark = pytest.mark.doccano


def _text(result) -> str:
    return " ".join(result.stdout.split())


def test_push_keeps_passwords_out_of_stdout_and_pushes_the_guidelines(doccano_ws, cli) -> None:
    ws = doccano_ws
    guidelines = ws.schema_path.parent / "GUIDELINES.md"
    result = cli("doccano", "push", "--split", "dev", "--annotators", "pw_a", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    passwords = AnnotatorPasswords.load(ws.annotator_passwords_path).passwords
    assert oct(ws.annotator_passwords_path.stat().st_mode & 0o777) == "0o600"
    out = _text(result)
    assert passwords["pw_a"] not in result.stdout + result.stderr
    assert f"Created annotator pw_a; password in {ws.annotator_passwords_path} (mode 0600)" in out
    assert f"Guidelines set from {guidelines}" in out
    with connect(ws) as admin:
        assert find_project(admin, ws.project_name).guideline == guidelines.read_text().strip()

    # --show-passwords prints them on a terminal only: here stdout is captured
    shown = cli(
        "doccano",
        "push",
        "--split",
        "dev",
        "--annotators",
        "pw_b",
        "--show-passwords",
        "-w",
        ws.root,
    )
    assert shown.exit_code == 0, shown.stderr
    passwords = AnnotatorPasswords.load(ws.annotator_passwords_path).passwords
    assert passwords["pw_b"] not in shown.stdout + shown.stderr
    assert "--show-passwords shows them on a terminal only" in " ".join(shown.stderr.split())
    assert "Guidelines" not in shown.stdout  # unchanged file: nothing sent

    guidelines.write_text(guidelines.read_text() + "\n## New rule\n\nTag ranks too.\n")
    again = cli("doccano", "push", "--split", "dev", "-w", ws.root)
    assert again.exit_code == 0, again.stderr
    assert f"Guidelines updated from {guidelines}" in _text(again)
    with connect(ws) as admin:
        assert "Tag ranks too." in find_project(admin, ws.project_name).guideline


def test_push_select_counts_add_up(doccano_ws, cli) -> None:
    ws = doccano_ws
    first = cli(
        "doccano", "push", "--split", "train", "--select", "random", "--n", "2", "-w", ws.root
    )
    assert first.exit_code == 0, first.stderr
    second = cli(
        "doccano", "push", "--split", "train", "--select", "random", "--n", "3", "-w", ws.root
    )
    assert second.exit_code == 0, second.stderr
    found = re.search(
        r"Segments in train: (\d+); (\d+) already on the server, (\d+) not yet\. "
        r"--select random chose (\d+) of those (\d+): uploaded (\d+) in \d+ chunk\(s\), failed 0; "
        r"(\d+) left for a later push\.",
        _text(second),
    )
    assert found, _text(second)
    total, there, pool, chose, of, uploaded, left = map(int, found.groups())
    assert (there, chose, uploaded) == (2, 3, 3)
    assert total == there + pool and pool == of == chose + left
