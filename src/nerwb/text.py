"""The tokenizer every stage shares: labels, evaluation and training must agree on token
boundaries, so they all take them from here."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=8)
def blank(lang: str) -> Language:
    """``spacy.blank(lang)``, once per language: its tokenizer defines token boundaries."""
    import spacy  # here, not at the top: the CLI imports this module and must start quickly

    return spacy.blank(lang)
