"""Output to a file or pipe is not wrapped at 80 columns: long paths stay whole."""

from __future__ import annotations

from conftest import DEMO_ARTICLES
from nerwb.workspace import init_workspace


def test_common_console_does_not_wrap_when_not_a_terminal(cli, tmp_path) -> None:
    ws = init_workspace(tmp_path / ("a-rather-long-folder-name-" * 3) / "ws", name="p")
    assert cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root).exit_code == 0
    result = cli("corpus", "split", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {ws.splits_path}\n" in result.stdout
