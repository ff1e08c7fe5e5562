"""Acronyms an article defines: "Islamic Revolutionary Guard Corps (IRGC)", then "IRGC".

News writes a group's full name once with its acronym in brackets and the acronym alone after
that. The NER often finds the full name (its head word and context say what it is) and misses
the bare acronym, which is a string it may never have seen. Where an entity is followed by an
acronym in brackets, this component gives the acronym that entity's label at every mention in
the same document where no entity was found (never over an entity). Optionally
(``from_entities``) an acronym the NER labelled once in the document is propagated the same
way to its other mentions. Nothing is learned: it has no weights and ``initialize`` does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example

from nerwb.errors import ErrorKind, TrainingError

FACTORY = "nerwb_acronyms"
OPEN, CLOSE = ("(", "["), (")", "]")


def is_acronym(text: str, min_length: int, max_length: int) -> bool:
    """ "IRGC", "ISIL", "MS-13", "JeM": at least two upper-case letters, at most one letter
    that is not upper-case, only letters, digits and "-", "&" or "." inside."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return (
        min_length <= len(text) <= max_length
        and text[:1].isupper()
        and upper >= 2
        and upper >= len(letters) - 1
        and all(c.isalnum() or c in "-&." for c in text)
    )


def defined_acronyms(
    doc: Doc, ents: list[Span], min_length: int, max_length: int
) -> dict[str, str]:
    """Acronym -> label for each entity directly followed by "(ACRONYM)" in ``doc``."""
    ends = {e.end: e for e in ents}
    found: dict[str, str] = {}
    for i in range(1, len(doc) - 2):
        if doc[i].text not in OPEN or doc[i + 2].text not in CLOSE:
            continue
        acronym = doc[i + 1].text
        entity = ends.get(i)
        if entity is not None and is_acronym(acronym, min_length, max_length):
            found.setdefault(acronym, entity.label_)
    return found


class Acronyms:
    def __init__(self, name: str, *, min_length: int, max_length: int, from_entities: bool) -> None:
        self.name = name
        self.min_length = min_length
        self.max_length = max_length
        self.from_entities = from_entities

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None
    ) -> None:
        """Nothing to fit."""

    def labels_for(self, doc: Doc) -> dict[str, str]:
        ents = list(doc.ents)
        found = defined_acronyms(doc, ents, self.min_length, self.max_length)
        if self.from_entities:
            for ent in ents:
                if len(ent) == 1 and is_acronym(ent.text, self.min_length, self.max_length):
                    found.setdefault(ent.text, ent.label_)
        return found

    def __call__(self, doc: Doc) -> Doc:
        found = self.labels_for(doc)
        if not found:
            return doc
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        added = [
            Span(doc, t.i, t.i + 1, label=found[t.text])
            for t in doc
            if t.text in found and t.i not in taken
        ]
        if added:
            doc.ents = sorted([*doc.ents, *added], key=lambda s: s.start)
        return doc

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({}).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Acronyms:
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        """Nothing to save: the settings are in the pipeline's config."""

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> Acronyms:
        return self


@Language.factory(
    FACTORY,
    default_config={"min_length": 2, "max_length": 8, "from_entities": False},
    requires=["doc.ents"],
    assigns=["doc.ents"],
)
def make_acronyms(
    nlp: Language, name: str, min_length: int, max_length: int, from_entities: bool
) -> Acronyms:
    """spaCy factory ``nerwb_acronyms`` (an entry point of nerwb's package)."""
    if not 2 <= min_length <= max_length:
        raise TrainingError(
            f"{FACTORY}: need 2 <= min_length <= max_length, got {min_length} and {max_length}",
            kind=ErrorKind.BAD_CONFIG,
        )
    return Acronyms(name, min_length=min_length, max_length=max_length, from_entities=from_entities)
