"""The ranking table truncates a long `why` (the ranked list file keeps it whole)."""

from __future__ import annotations

from nerwb.cli._ranking import WHY_CHARS, show_ranking
from nerwb.select.strategies import Ranked


def test_ranking_table_truncates_a_long_why(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    entities = ", ".join(f"ARMED_GROUP 'Brigade number {i}' 0.{i:02d}" for i in range(12))
    assert len(entities) > 400
    ranked = [
        Ranked("s1", "a1", 1, 3.2, 900, 150, entities),
        Ranked("s2", "a1", 2, 1.0, 80, 12, "short"),
    ]
    show_ranking(ranked, title="uncertain")
    out = capsys.readouterr().out
    assert entities not in out and entities[: WHY_CHARS - 1].rstrip(" ,;") + "…" in out
    assert "short" in out
    assert max(len(line) for line in out.splitlines()) < 200
