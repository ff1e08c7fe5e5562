"""Pure functions of the Doccano stage: no server needed."""

import io
import json
import zipfile

import pytest

from nerwb.doccano.errors import DoccanoError
from nerwb.doccano.pull import diff_snapshots, parse_export, safe_entries
from nerwb.doccano.push import plan_assignments
from nerwb.doccano.upload import row_chunks
from nerwb.errors import InputError
from nerwb.labels.annotations import AnnotatedSegment, LabeledSpan


def make_zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name", ["../evil.jsonl", "/etc/passwd.jsonl", "sub/../../x.jsonl", "dir/a.jsonl", "C:x.jsonl"]
)
def test_pull_zip_entry_escaping_is_refused(name: str) -> None:
    with pytest.raises(DoccanoError, match="would escape its folder"):
        safe_entries(make_zip({"ok.jsonl": "", name: "{}"}))


def test_pull_zip_entry_not_jsonl_is_refused() -> None:
    with pytest.raises(DoccanoError, match=r"'run\.sh' is not a \.jsonl file"):
        safe_entries(make_zip({"run.sh": "echo"}))
    assert safe_entries(make_zip({"alice.jsonl": "x"})) == {"alice": b"x"}


ARTICLE = "Intro paragraph.\n\nGunmen of the Lions Brigade killed four people."


def record(eid: int, start: int, text: str, label: list, assigned: str = "") -> str:
    return json.dumps(
        {
            "id": eid,
            "text": text,
            "article_id": "a1",
            "segment_id": f"a1#{eid}",
            "segment_start": start,
            "assigned_to": assigned,
            "label": label,
        }
    )


def test_pull_maps_segment_spans_to_article_offsets() -> None:
    seg = ARTICLE[18:]
    files = {
        "alice": (
            record(7, 18, seg, [[14, 27, "ARMED_GROUP"], [35, 46, "CASUALTY_FIGURE"]]) + "\n"
        ).encode()
    }
    parsed = parse_export(files, files, {"a1": ARTICLE})
    unit = parsed.units["alice"]["a1#7"]
    assert [s.text(ARTICLE) for s in unit.spans] == ["Lions Brigade", "four people"]
    assert unit.local_spans()[0] == LabeledSpan(14, 27, "ARMED_GROUP")
    assert unit.confirmed and unit.example_id == 7 and parsed.foreign == 0


def test_pull_records_assigned_confirmed_and_skips_the_idle_admin() -> None:
    intro, rest = ARTICLE[:16], ARTICLE[18:]
    alice = record(1, 0, intro, [], "alice") + "\n" + record(2, 18, rest, [[14, 27, "ARMED_GROUP"]])
    admin = record(1, 0, intro, [], "alice") + "\n" + record(2, 18, rest, [])
    confirmed = record(2, 18, rest, [[14, 27, "ARMED_GROUP"]])
    parsed = parse_export(
        {"alice": alice.encode(), "admin": admin.encode()},
        {"alice": confirmed.encode()},
        {"a1": ARTICLE},
    )
    assert set(parsed.units) == {"alice"}  # admin: nothing assigned, labelled or confirmed
    first, second = parsed.units["alice"]["a1#1"], parsed.units["alice"]["a1#2"]
    assert (first.assigned, first.confirmed, first.spans) == (True, False, [])
    # not in the plan (assigned_to empty: no plan) but labelled and confirmed by her
    assert (second.assigned, second.confirmed) == (None, True)


def test_pull_confirmed_spans_come_from_the_confirming_export() -> None:
    rest = ARTICLE[18:]
    # the full export was taken before alice labelled and confirmed; the confirmed one after
    full = record(2, 18, rest, [])
    confirmed = record(2, 18, rest, [[14, 27, "ARMED_GROUP"]])
    parsed = parse_export({"alice": full.encode()}, {"alice": confirmed.encode()}, {"a1": ARTICLE})
    unit = parsed.units["alice"]["a1#2"]
    assert unit.confirmed and [s.text(ARTICLE) for s in unit.spans] == ["Lions Brigade"]
    assert parsed.mismatched == 1


def test_pull_span_outside_text_names_annotator_line_span() -> None:
    files = {"bob": (record(1, 0, "Intro", [[0, 99, "ARMED_GROUP"]]) + "\n").encode()}
    with pytest.raises(
        InputError,
        match=r"bob\.jsonl \(export\), line 1: span \[0, 99, 'ARMED_GROUP'\] of Doccano example 1 lies outside",
    ):
        parse_export(files, {}, {"a1": ARTICLE})


def test_pull_text_changed_in_doccano_is_error() -> None:
    files = {"bob": (record(1, 0, "Edited text", []) + "\n").encode()}
    with pytest.raises(InputError, match="no longer matches article 'a1'"):
        parse_export(files, {}, {"a1": ARTICLE})


def test_pull_diff_counts_added_removed_changed_confirmed() -> None:
    def unit(spans, confirmed=False):
        return AnnotatedSegment("x", "x#0", 0, "t" * 30, spans, confirmed)

    old = {"a": {"x#0": unit([LabeledSpan(0, 5, "A"), LabeledSpan(10, 12, "B")])}}
    new = {"a": {"x#0": unit([LabeledSpan(0, 6, "A"), LabeledSpan(20, 22, "B")], True)}}
    diff = diff_snapshots(old, new)["a"]
    assert (diff.added, diff.removed, diff.changed, diff.newly_confirmed) == (1, 1, 1, 1)


def test_pull_zip_entry_of_a_dotted_username_is_accepted() -> None:
    assert safe_entries(make_zip({"..bob.jsonl": "x"})) == {"..bob": b"x"}


def test_push_plan_overlap_share_and_balance() -> None:
    plan = plan_assignments([f"s{i}" for i in range(100)], ["a", "b", "c"], 0.3, seed=1)
    doubles = [names for names in plan.values() if len(names) == 2]
    assert len(doubles) == 30
    load = {n: sum(n in names for names in plan.values()) for n in "abc"}
    assert max(load.values()) - min(load.values()) <= 1
    assert plan == plan_assignments([f"s{i}" for i in range(100)], ["a", "b", "c"], 0.3, seed=1)


def test_push_chunks_respect_row_limit() -> None:
    rows = [{"text": "x" * 10} for _ in range(25)]
    assert [len(c) for c in row_chunks(rows, 10)] == [10, 10, 5]
