"""A ``nerwb.toml`` saved with a byte order mark (Windows Notepad) is read like any other
UTF-8 file nerwb reads (issue 30, item 19: it was refused as invalid TOML, without the word BOM)."""

from __future__ import annotations

from conftest import DEMO_ARTICLES
from nerwb.workspace import find_workspace


def test_a_bom_in_nerwb_toml_is_accepted(ws, cli) -> None:
    toml = ws.root / "nerwb.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes().replace(b"seed = 13", b"seed = 7"))
    assert find_workspace(ws.root).config.corpus.seed == 7
    result = cli("corpus", "add", DEMO_ARTICLES, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert toml.read_bytes().startswith(b"\xef\xbb\xbf")  # read, never rewritten


def test_a_bom_elsewhere_is_still_invalid_toml(ws, cli) -> None:
    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\ufeffextra = 1\n", encoding="utf-8")
    result = cli("corpus", "stats", "-w", ws.root)
    assert result.exit_code == 1 and "not valid TOML" in result.stderr
