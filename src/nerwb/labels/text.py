"""Small text helpers shared by audit, agreement and error analysis."""

from __future__ import annotations

import string
from functools import lru_cache

import spacy
from spacy.language import Language

CONTEXT_CHARS = 60
EDGE_PUNCTUATION = set(string.punctuation + "“”‘’«»—–…") - {"%", "$", "€", "£"}


@lru_cache(maxsize=8)
def blank(lang: str) -> Language:
    """``spacy.blank(lang)``, once per language: its tokenizer defines token boundaries."""
    return spacy.blank(lang)


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """The span in its sentence-ish surroundings, marked with ⟦ ⟧, on one line."""
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    snippet = f"{'…' if start > width else ''}{left}⟦{text[start:end]}⟧{right}{'…' if end + width < len(text) else ''}"
    return " ".join(snippet.split())
