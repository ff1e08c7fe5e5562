"""Dev scores of a trained model: what the learning curve and the benchmarks compare.

Lighter than ``nerwb evaluate``: spaCy's own strict scorer, no report on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.scorer import Scorer
from spacy.tokens import DocBin
from spacy.training import Example

from nerwb.evaluate.novelty import Novelty, novelty_counts
from nerwb.evaluate.scoring import DocCounts, doc_counts
from nerwb.labels.annotations import doc_spans
from nerwb.text import blank


@dataclass
class DevEvaluation:
    f: float
    per_label: dict[str, float]
    counts: list[DocCounts]  # per dev document, for paired bootstraps
    novelty: list[dict[Novelty, DocCounts]] | None  # per dev document, when seen names were given


def dev_evaluation(
    model: Path, dev_path: Path, lang: str, seen: set[str] | None = None
) -> DevEvaluation:
    """Dev F of a model, F per label, each dev document's counts and, given the normalised
    names of the training data (``novelty.gold_names``), each document's seen/unseen counts."""
    nlp = spacy.load(model)
    docs = list(DocBin().from_disk(dev_path).get_docs(blank(lang).vocab))
    examples = [Example(nlp(d.text), d) for d in docs]
    scores = Scorer.score_spans(examples, "ents")
    per_type = scores.get("ents_per_type") or {}
    pairs = [(doc_spans(eg.reference), doc_spans(eg.predicted)) for eg in examples]
    novelty = None
    if seen is not None:
        novelty = [
            novelty_counts(eg.reference.text, gold, pred, seen)
            for eg, (gold, pred) in zip(examples, pairs, strict=True)
        ]
    return DevEvaluation(
        float(scores["ents_f"] or 0.0),
        {k: float(v["f"]) for k, v in per_type.items()},
        [doc_counts(gold, pred) for gold, pred in pairs],
        novelty,
    )


def dev_scores(
    model: Path, dev_path: Path, lang: str
) -> tuple[float, dict[str, float], list[DocCounts]]:
    """Dev F of a model, F per label, and each dev document's counts (for paired bootstraps)."""
    result = dev_evaluation(model, dev_path, lang)
    return result.f, result.per_label, result.counts
