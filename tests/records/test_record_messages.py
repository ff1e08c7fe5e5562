"""A corrupt record file is refused in plain English: "not an assignment plan file" (issue 30,
item 22: "not a assignment plan file")."""

from __future__ import annotations

import pytest

from nerwb.errors import InputError
from nerwb.records.doccano import AnnotatorPasswords, AssignmentPlan, PushLedgerFile


@pytest.mark.parametrize(
    ("record", "start"),
    [
        (AssignmentPlan, "not an assignment plan file"),
        (AnnotatorPasswords, "not an annotator passwords file"),
        (PushLedgerFile, "not a push ledger file"),
    ],
)
def test_refusals_take_a_or_an(tmp_path, record, start) -> None:
    path = tmp_path / "state.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError) as err:
        record.load(path)
    assert str(err.value) == f"{path}: {start} (expected a JSON object)"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=f"^{path}: {start}: malformed JSON"):
        record.load(path)
