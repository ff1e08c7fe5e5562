"""Off a terminal (a pipe, a log, CI) tables take the width they need instead of 80 columns,
so cells are neither cut ("ARMED…") nor folded (issue 30, item 22); COLUMNS still rules."""

from __future__ import annotations

import io

from nerwb.labels.schema import load_schema


def test_labels_table_in_a_pipe_keeps_each_label_on_one_line(ws, cli, monkeypatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    result = cli("labels", "show", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for label in load_schema(ws.schema_path).labels:
        row = next(line for line in lines if f" {label.name} " in line)
        assert label.description in row  # whole, on the label's own line
    assert max(len(line) for line in lines) > 80


def test_columns_or_a_terminal_keep_their_width(monkeypatch) -> None:
    from nerwb.cli._common import PLAIN_WIDTH, _Console

    monkeypatch.delenv("COLUMNS", raising=False)
    assert _Console(file=io.StringIO()).width == PLAIN_WIDTH
    assert _Console(file=io.StringIO(), width=70).width == 70
    assert _Console(file=io.StringIO(), force_terminal=True).width < PLAIN_WIDTH
    monkeypatch.setenv("COLUMNS", "90")
    assert _Console(file=io.StringIO()).width == 90
