"""The conversion policies (on_misaligned, on_overlap) are enums in every record that keeps
them: the conversion report, the training manifest's conversion facts and metrics.json; the
files keep their bytes (the enum's value, "" where a report predates the policies)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_conversion_record_keeps_its_policies_as_enums_with_the_same_json(
    tmp_path: Path,
) -> None:
    from nerwb.choices import MisalignedPolicy, OverlapPolicy
    from nerwb.records.conversion import ConversionRecord

    path = tmp_path / "conversion-report.json"
    ConversionRecord(on_misaligned="expand", on_overlap="longest").save(path)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert (written["on_misaligned"], written["on_overlap"]) == ("expand", "longest")
    record = ConversionRecord.load(path)
    assert record.on_misaligned is MisalignedPolicy.EXPAND
    assert record.on_overlap is OverlapPolicy.LONGEST
    # saved again, the same bytes
    again = tmp_path / "again.json"
    record.save(again)
    assert again.read_bytes() == path.read_bytes()


def test_conversion_record_from_before_the_policies_loads_and_keeps_its_empty_strings(
    tmp_path: Path,
) -> None:
    from nerwb.records.conversion import ConversionRecord
    from nerwb.records.training import ConversionFacts

    path = tmp_path / "conversion-report.json"
    path.write_text(json.dumps({"on_misaligned": "", "on_overlap": ""}), encoding="utf-8")
    record = ConversionRecord.load(path)
    assert record.on_misaligned is None and record.on_overlap is None
    assert record.to_json()["on_misaligned"] == "" and record.to_json()["on_overlap"] == ""
    facts = ConversionFacts(on_misaligned=record.on_misaligned, on_overlap=record.on_overlap)
    assert facts.model_dump(mode="json")["on_misaligned"] == ""
    assert ConversionFacts.model_validate({"on_overlap": ""}).on_overlap is None


def test_conversion_policies_refuse_a_value_that_is_not_one() -> None:
    from nerwb.errors import InputError
    from nerwb.records.conversion import ConversionRecord

    with pytest.raises(InputError):
        ConversionRecord.from_json({"on_misaligned": "stretch"}, "conversion-report.json")


def test_manifest_and_metrics_keep_the_policies_as_enums() -> None:
    from nerwb.choices import MisalignedPolicy, OverlapPolicy
    from nerwb.evaluate.metrics import ConversionSummary
    from nerwb.records.metrics import ConversionDone
    from nerwb.records.training import ConversionFacts

    facts = ConversionFacts.model_validate({"on_misaligned": "skip", "on_overlap": "error"})
    assert facts.on_misaligned is MisalignedPolicy.SKIP
    assert facts.model_dump(mode="json")["on_misaligned"] == "skip"
    done = ConversionDone.model_validate(
        {
            "on_misaligned": "contract",
            "on_overlap": "skip",
            "spans_in": 1,
            "changed": 0,
            "skipped": 0,
        }
    )
    assert done.on_overlap is OverlapPolicy.SKIP
    summary = ConversionSummary.from_json(done.model_dump(mode="json"))
    assert summary.on_misaligned is MisalignedPolicy.CONTRACT
    assert summary.to_json()["on_misaligned"] == "contract"
