"""The predict tests' model: the session's one tiny trained model (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def model(tiny_model) -> Path:
    return tiny_model[1]
