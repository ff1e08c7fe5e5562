"""Dev scores of a trained model: what the learning curve and the benchmarks compare.

Lighter than ``nerwb evaluate``: strict scores only (nerwb's one P/R/F over the same counts as
spaCy's scorer, so the same floats), no report on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from nerwb.evaluate.novelty import Novelty, novelty_counts
from nerwb.evaluate.scoring import DocCounts, doc_counts
from nerwb.labels.annotations import doc_spans
from nerwb.scores import prf
from nerwb.text import blank


@dataclass
class DevEvaluation:
    f: float
    per_label: dict[str, float]
    counts: list[DocCounts]  # per dev document, for paired bootstraps
    novelty: list[dict[Novelty, DocCounts]] | None  # per dev document, when seen names were given


def _strict_f(per_doc: list[DocCounts]) -> tuple[float, dict[str, float]]:
    """Micro F, and F per label (each label predicted or in gold), over the documents."""
    labels = sorted({k for c in per_doc for k in (*c.n_pred, *c.n_gold)})

    def total(counts: str, label: str | None = None) -> int:
        return sum(
            sum(getattr(c, counts).values()) if label is None else getattr(c, counts).get(label, 0)
            for c in per_doc
        )

    return (
        prf(total("tp"), total("n_pred"), total("n_gold")).f,
        {k: prf(total("tp", k), total("n_pred", k), total("n_gold", k)).f for k in labels},
    )


def dev_evaluation(
    model: Path, dev_path: Path, lang: str, seen: set[str] | None = None
) -> DevEvaluation:
    """Dev F of a model, F per label, each dev document's counts and, given the normalised
    names of the training data (``labels.gold_names``), each document's seen/unseen counts."""
    nlp = spacy.load(model)
    docs = list(DocBin().from_disk(dev_path).get_docs(blank(lang).vocab))
    pairs = [(doc_spans(d), doc_spans(nlp(d.text))) for d in docs]
    novelty = None
    if seen is not None:
        novelty = [
            novelty_counts(d.text, gold, pred, seen)
            for d, (gold, pred) in zip(docs, pairs, strict=True)
        ]
    counts = [doc_counts(gold, pred) for gold, pred in pairs]
    f, per_label = _strict_f(counts)
    return DevEvaluation(f, per_label, counts, novelty)


def dev_scores(
    model: Path, dev_path: Path, lang: str
) -> tuple[float, dict[str, float], list[DocCounts]]:
    """Dev F of a model, F per label, and each dev document's counts (for paired bootstraps)."""
    result = dev_evaluation(model, dev_path, lang)
    return result.f, result.per_label, result.counts
