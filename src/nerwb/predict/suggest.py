"""What the model (or a patterns file) proposes for a text: the spans that become suggestions.

A trained pipeline, a spaCy entity-ruler ``patterns.jsonl`` (for a project with no model yet),
or both (the ruler fills in where the model found nothing). Model labels must be in
``labels.yml``, or be mapped there with a label map: a suggestion of a label annotators cannot
even select would only be noise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language

from nerwb.components.names import names_as_patterns, read_names
from nerwb.errors import SETTING, ErrorKind, NerwbError
from nerwb.io import sha256_of
from nerwb.labels.patterns import read_patterns
from nerwb.labels.schema import LabelSchema
from nerwb.predict.model import load_pipeline, model_info


class SuggestionError(NerwbError):
    """A model or patterns file that cannot make suggestions for this workspace."""


@dataclass
class Suggester:
    nlp: Language
    source: str  # what made the suggestions, for the ledger: "model:<path>", "patterns:<path>"
    source_hash: str  # the model's manifest hash, or the patterns file's
    label_map: dict[str, str]
    # with a label map: the model labels neither in labels.yml nor mapped, whose spans are
    # dropped (a stock pipeline's PERSON, GPE... when only ORG is wanted), and how many were
    drop: frozenset[str] = frozenset()
    dropped: dict[str, int] = field(default_factory=dict)

    def spans(self, texts: Iterable[str], batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
        """Each text's proposed spans ``(start, end, label)``, labels mapped to labels.yml;
        spans of labels in ``drop`` are left out and counted in ``dropped``."""
        out = []
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            kept = []
            for e in doc.ents:
                if e.label_ in self.drop:
                    self.dropped[e.label_] = self.dropped.get(e.label_, 0) + 1
                    continue
                kept.append((e.start_char, e.end_char, self.label_map.get(e.label_, e.label_)))
            out.append(kept)
        return out


def load_suggester(
    schema: LabelSchema,
    *,
    lang: str,
    model: Path | None = None,
    patterns: Path | None = None,
    label_map: dict[str, str] | None = None,
) -> Suggester:
    """A model, a patterns file (entity-ruler JSONL, or a names list ``.csv``), or both,
    checked against ``labels.yml``.

    Raises:
        PredictError: not a pipeline folder, a broken one, or one without ``ner``.
        SuggestionError: neither given, or a label neither in labels.yml nor mapped there.
        InputError: a malformed patterns line or names row (its number), or an unknown label.
    """
    label_map = dict(label_map or {})
    if model is None and patterns is None:
        raise SuggestionError(
            "give a trained model folder, a patterns.jsonl, or both", kind=ErrorKind.NOTHING_TO_DO
        )
    sources, hashes = [], []
    drop: frozenset[str] = frozenset()
    if model is not None:
        nlp = load_pipeline(model)
        unknown = sorted(
            lab for lab in nlp.get_pipe("ner").labels if schema.get(label_map.get(lab, lab)) is None
        )
        wrong_targets = sorted(t for t in set(label_map.values()) if schema.get(t) is None)
        if wrong_targets:
            raise SuggestionError(
                f"{SETTING} maps to label(s) {', '.join(wrong_targets)} that labels.yml does "
                f"not have ({', '.join(schema.names)})",
                kind=ErrorKind.BAD_SETTING,
                setting="label_map",
            )
        if unknown and not label_map:
            raise SuggestionError(
                f"{model} predicts label(s) {', '.join(unknown)} that labels.yml does not have",
                kind=ErrorKind.MODEL_LABELS,
                path=model,
            )
        drop = frozenset(unknown)  # with a map, what it leaves out is not wanted
        sources.append(f"model:{model}")
        hashes.append(model_info(model).hash)
    else:
        nlp = spacy.blank(lang)
    if patterns is not None:
        ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": False}, last=True)
        if patterns.suffix.lower() == ".csv":  # a names list (labels/names.csv)
            names = read_names(patterns, labels=schema.names)
            ruler.add_patterns(names_as_patterns(names, nlp.tokenizer))
        else:
            ruler.add_patterns(read_patterns(patterns, schema))
        sources.append(f"patterns:{patterns}")
        hashes.append(sha256_of(patterns))
    digest = hashes[0] if len(hashes) == 1 else hashlib.sha256("".join(hashes).encode()).hexdigest()
    return Suggester(nlp, "+".join(sources), digest, label_map, drop)
