"""Dev scores of a trained model: what the learning curve and the benchmarks compare.

Lighter than ``nerwb evaluate``: spaCy's own strict scorer, no report on disk.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.scorer import Scorer
from spacy.tokens import DocBin
from spacy.training import Example

from nerwb.evaluate.scoring import DocCounts, doc_counts
from nerwb.labels.annotations import doc_spans
from nerwb.text import blank


def dev_scores(
    model: Path, dev_path: Path, lang: str
) -> tuple[float, dict[str, float], list[DocCounts]]:
    """Dev F of a model, F per label, and each dev document's counts (for paired bootstraps)."""
    nlp = spacy.load(model)
    docs = list(DocBin().from_disk(dev_path).get_docs(blank(lang).vocab))
    examples = [Example(nlp(d.text), d) for d in docs]
    scores = Scorer.score_spans(examples, "ents")
    per_type = scores.get("ents_per_type") or {}
    per_doc = [doc_counts(doc_spans(eg.reference), doc_spans(eg.predicted)) for eg in examples]
    return (
        float(scores["ents_f"] or 0.0),
        {k: float(v["f"]) for k, v in per_type.items()},
        per_doc,
    )
