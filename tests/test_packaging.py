"""pyproject.toml uses the SPDX license string (a TOML table is deprecated by setuptools)."""

from __future__ import annotations

import tomllib

from conftest import REPO


def test_packaging_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    requires = project["build-system"]["requires"]
    assert "setuptools>=77" in requires  # the first release that reads license = "MIT" (PEP 639)
