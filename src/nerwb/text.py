"""The tokenizer every stage shares (labels, evaluation and training must agree on token
boundaries, so they all take them from here), and what "the same name" means across texts."""

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


def normalise_name(text: str) -> str:
    """The text of a name as compared across documents: case-folded, whitespace runs made one
    space, no leading or trailing space ("Al-Shabaab", "al-shabaab " and "AL-SHABAAB" are one).

    Here, beside the tokenizer and without spaCy, so that ``nerwb status`` can compare names
    without loading it."""
    return " ".join(text.casefold().split())
