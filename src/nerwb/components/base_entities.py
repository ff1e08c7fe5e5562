"""A base pipeline's entities as evidence for the workspace's NER (stacking, issue 32).

A frozen copy of the base pipeline's ``ner`` (en_core_web_sm's, sourced as ``base_ner``) runs
first and finds OntoNotes' ORG, NORP, GPE, CARDINAL, ... This component moves those entities out
of the way: into the span group ``spans_key`` (for reports and the name candidates) and onto each
token as a feature the next ``ner`` embeds (``token.tag_`` holds the base label: nerwb's
pipelines have no tagger, and spaCy's hash embeddings can read TAG, not a custom attribute).
It then leaves ``doc.ents`` empty and *missing*, not "outside": spaCy's NER keeps entities set
before it and never predicts over tokens preset as outside, so either would tie the new NER to
the base's guesses. Nothing is learned; ``initialize`` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

FACTORY = "nerwb_base_entities"
NO_ENTITY = ""  # the tag of a token the base NER left alone


class BaseEntities:
    def __init__(self, name: str, *, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        found = list(doc.ents)
        doc.spans[self.spans_key] = found
        for token in doc:
            token.tag_ = NO_ENTITY
        for entity in found:
            for token in entity:
                token.tag_ = entity.label_
        doc.set_ents([], default="missing")
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None
    ) -> None:
        return None


@Language.factory(FACTORY, default_config={"spans_key": "base_ents"})
def make_base_entities(nlp: Language, name: str, spans_key: str) -> BaseEntities:
    return BaseEntities(name, spans_key=spans_key)
