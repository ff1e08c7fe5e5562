"""Gold names: the normalised text of every gold entity of some labelled data.

What "the same name" means across documents (``normalise_name``: case- and whitespace-folded),
and the set of names a model was trained on. Training records it in its manifest, evaluation
splits recall into seen and unseen names by it, and ``select``'s ``novel`` strategy looks for
names outside it; it lives with the labels, below all three.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from spacy.attrs import ENT_IOB, ORTH
from spacy.strings import StringStore
from spacy.tokens import Doc, DocBin

from nerwb.errors import ErrorKind, EvaluationError


def normalise_name(text: str) -> str:
    """The text of a name as compared across documents: case-folded, whitespace runs made one
    space, no leading or trailing space ("Al-Shabaab", "al-shabaab " and "AL-SHABAAB" are one)."""
    return " ".join(text.casefold().split())


def gold_names(docs: Iterable[Doc], label: str | None = None) -> set[str]:
    """The normalised text of every gold entity of ``docs`` (of one label when ``label`` is given)."""
    return {
        normalise_name(ent.text)
        for doc in docs
        for ent in doc.ents
        if label is None or ent.label_ == label
    }


def gold_names_by_label(docs: Iterable[Doc]) -> dict[str, set[str]]:
    """The normalised gold entity texts of ``docs``, per label."""
    out: dict[str, set[str]] = {}
    for doc in docs:
        for ent in doc.ents:
            out.setdefault(ent.label_, set()).add(normalise_name(ent.text))
    return out


BEGIN, INSIDE = 3, 1  # ENT_IOB's codes (2 = outside, 0 = not annotated)


def docbin_gold_names(path: Path) -> set[str]:
    """``gold_names`` of a DocBin file, read from its token arrays without building ``Doc``
    objects (which is most of the cost of reading a training set).

    Raises:
        EvaluationError: the file is missing or not a DocBin.
    """
    if not path.is_file():
        raise EvaluationError(
            f"training data {path} does not exist", kind=ErrorKind.MISSING_FILE, path=path
        )
    try:
        docbin = DocBin().from_disk(path)
    except Exception as err:  # spaCy raises several types for a file that is not a DocBin
        raise EvaluationError(
            f"training data {path} is not a spaCy DocBin ({type(err).__name__})",
            kind=ErrorKind.BAD_INPUT,
            path=path,
        ) from None
    if ENT_IOB not in docbin.attrs or ORTH not in docbin.attrs:
        return set()
    iob, orth = docbin.attrs.index(ENT_IOB), docbin.attrs.index(ORTH)
    strings = StringStore(docbin.strings)
    names: set[str] = set()
    for tokens, spaces in zip(docbin.tokens, docbin.spaces, strict=True):
        current: list[str] = []  # the open entity's tokens, each with its trailing space
        for row, space in zip(tokens, spaces.reshape(-1), strict=True):
            code = int(row[iob])
            if code != INSIDE and current:  # a new entity, outside, or unannotated ends it
                names.add(normalise_name("".join(current)))
                current = []
            if code == BEGIN or (code == INSIDE and current):
                current.append(strings[int(row[orth])] + (" " if space else ""))
        if current:
            names.add(normalise_name("".join(current)))
    return names


def names_sha256(names: Iterable[str]) -> str:
    """A fingerprint of a set of names (sorted, one per line), to tell whether two sets differ."""
    digest = hashlib.sha256()
    for name in sorted(set(names)):
        digest.update(name.encode("utf-8") + b"\n")
    return digest.hexdigest()
