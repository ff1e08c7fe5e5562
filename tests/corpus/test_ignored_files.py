"""`corpus add` and `predict` on folders with files nerwb cannot read (.pdf, .docx): say so."""

from __future__ import annotations

from pathlib import Path

from conftest import snapshot_tree


def _office_folder(root: Path, *, with_text: bool) -> Path:
    folder = root / "reports"
    (folder / "2024").mkdir(parents=True)
    (folder / "a.pdf").write_bytes(b"%PDF-1.4")
    (folder / "2024" / "b.pdf").write_bytes(b"%PDF-1.4")
    (folder / "c.docx").write_bytes(b"PK")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "d.pdf").write_bytes(b"%PDF-1.4")  # hidden: neither read nor counted
    if with_text:
        (folder / "e.txt").write_text("Rebels took the town of Kidal on Monday.", encoding="utf-8")
    return folder


def test_corpus_add_folder_of_only_pdf_and_docx_is_refused(ws, cli, tmp_path) -> None:
    folder = _office_folder(tmp_path, with_text=False)
    before = snapshot_tree(ws.root)
    result = cli("corpus", "add", folder, "-w", ws.root)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "no article to add" in message
    assert "ignored 3 file(s)" in message and "2 .pdf" in message and "1 .docx" in message
    assert "pdftotext" in message and "pandoc" in message
    assert snapshot_tree(ws.root) == before


def test_corpus_add_names_the_files_it_ignored_beside_those_it_read(ws, cli, tmp_path) -> None:
    folder = _office_folder(tmp_path, with_text=True)
    result = cli("corpus", "add", folder, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    assert "Added 1 article(s)" in result.stdout
    message = " ".join(result.stderr.split())
    assert "Ignored 3 file(s)" in message and "2 .pdf, 1 .docx" in message


def test_corpus_add_named_pdf_suggests_a_converter(ws, cli, tmp_path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    result = cli("corpus", "add", pdf, "-w", ws.root)
    assert result.exit_code == 1
    assert "'.pdf'" in result.stderr and "pdftotext" in " ".join(result.stderr.split())
