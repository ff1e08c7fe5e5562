"""How unsure a trained NER model is about a text, from spaCy's beam.

A transition-based NER trained greedily can still be decoded with a beam
(``EntityRecognizer.beam_parse``); the beam's final parses, weighted by their probabilities,
give each candidate entity a probability (``EntityRecognizer.scored_ents``). An entity the
model is sure of has p near 1 (or is absent, p near 0); one it hesitates on has p near 0.5.

The segment's score is the sum over candidate entities of ``min(p, 1 - p)`` (the chance the
model's call on that entity is wrong), per 100 tokens, so a long segment is not favoured for its
length alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

BEAM_WIDTH = 16  # spaCy's beam_ner default
PER_TOKENS = 100


@dataclass(frozen=True)
class Uncertainty:
    score: float  # sum of min(p, 1 - p) per 100 tokens
    tokens: int
    entities: int  # candidate entities with 0.05 < p < 0.95: the ones it hesitates on
    most_doubtful: tuple[str, str, float] | None  # (text, label, p) nearest 0.5


def _through_ner(nlp: Language, docs: list[Doc]) -> list[Doc]:
    """Run every component before ``ner`` (a shared tok2vec among them) on ``docs``."""
    for name, component in nlp.pipeline:
        if name == "ner":
            break
        docs = (
            list(component.pipe(docs))
            if hasattr(component, "pipe")
            else [component(d) for d in docs]
        )
    return docs


def uncertainties(
    nlp: Language, texts: Iterable[str], *, beam_width: int = BEAM_WIDTH, batch_size: int = 32
) -> list[Uncertainty]:
    """One ``Uncertainty`` per text, in order. ``nlp`` must have a ``ner`` component."""
    ner = nlp.get_pipe("ner")
    out: list[Uncertainty] = []
    batch: list[str] = []

    def flush() -> None:
        docs = _through_ner(nlp, [nlp.make_doc(t) for t in batch])
        beams = ner.beam_parse(docs, beam_width=beam_width)
        for doc, scores in zip(docs, ner.scored_ents(beams), strict=True):
            doubt = {key: min(p, 1.0 - p) for key, p in scores.items()}
            total = sum(doubt.values())
            tokens = max(len(doc), 1)
            top = max(scores, key=lambda k: doubt[k], default=None)
            out.append(
                Uncertainty(
                    score=PER_TOKENS * total / tokens,
                    tokens=len(doc),
                    entities=sum(0.05 < p < 0.95 for p in scores.values()),
                    most_doubtful=(
                        None
                        if top is None
                        else (doc[top[0] : top[1]].text, top[2], float(scores[top]))
                    ),
                )
            )
        batch.clear()

    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return out
