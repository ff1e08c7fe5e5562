"""The README is the front door and docs/ holds the rest (issue 31, item 7): the README stays
under 300 lines and links only to files that exist; troubleshooting.md has a section for every
error code; architecture.md names every record and every use case's options object."""

from __future__ import annotations

import re

from conftest import REPO

README = REPO / "README.md"
DOCS = REPO / "docs"
MAX_README_LINES = 300


def test_the_readme_is_a_front_door() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES
    for heading in (
        "## Set-up",
        "## The loop with a real team",
        "## Commands",
        "## Where to read on",
    ):
        assert heading in text
    # the benchmark section moved; the headline figures stayed, each dated, with a link
    assert "docs/benchmarks.md" in text and "(2026-" in text
    assert "## Troubleshooting" in text and "docs/troubleshooting.md" in text


def test_every_local_link_resolves() -> None:
    for page in (README, *sorted(DOCS.glob("*.md"))):
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://")):
                continue
            assert (page.parent / target).exists(), f"{page.name} links to {target}, missing"


def test_docs_are_complete() -> None:
    for name in (
        "benchmarks.md",
        "architecture.md",
        "troubleshooting.md",
        "commands.md",
        "guide.md",
    ):
        assert (DOCS / name).is_file(), name


def test_troubleshooting_has_a_section_for_every_code() -> None:
    from nerwb.errors import ERROR_CODES

    text = (DOCS / "troubleshooting.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (E\d{3})\n\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S))
    assert set(sections) == set(ERROR_CODES.values())
    for kind, code in ERROR_CODES.items():
        assert f"(kind `{kind}`)" in sections[code], code


def test_architecture_names_every_record_and_options_object() -> None:
    import nerwb.records as records

    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    table = records.__doc__ or ""
    named = set(re.findall(r"\b[a-z_]+\.([A-Z]\w+)", table))
    assert {"TrainingManifest", "PushLedger", "SplitsFile"} <= named
    missing = {
        n
        for n in named
        if n not in text and n not in ("SuggestionLedgerFile", "ServerProcess", "RecordLine")
    }
    assert missing == set(), f"records missing from docs/architecture.md: {missing}"
    for options in (
        "PushOptions",
        "TrainOptions",
        "CurveOptions",
        "EvaluateOptions",
        "EvaluateContext",
        "PredictOptions",
        "CompareOptions",
        "AuditOptions",
        "AgreementOptions",
        "PatternsOptions",
        "SplitOptions",
        "PullOptions",
        "SuggestOptions",
        "SelectOptions",
        "PackageOptions",
    ):
        assert options in text
