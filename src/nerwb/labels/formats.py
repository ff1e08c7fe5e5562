"""The formats of annotated data that ``labels import --format`` offers.

Names only, importing nothing, so the command's ``--help`` starts quickly; the reader of each
is ``labels.readers.ANNOTATION_READERS``'s.
"""

from __future__ import annotations

from enum import StrEnum


class ImportFormat(StrEnum):
    """``labels import --format``: the keys of ``ANNOTATION_READERS``."""

    DOCCANO = "doccano"
    CONLL = "conll"
    IOB = "iob"
    BILUO = "biluo"
    SPACY = "spacy"
