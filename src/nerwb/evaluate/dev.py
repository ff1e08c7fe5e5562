"""Dev scores of a trained model: what the learning curve and the benchmarks compare.

Lighter than ``nerwb evaluate``: strict scores only (nerwb's one P/R/F over the same counts as
spaCy's scorer, so the same floats), no report on disk.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import DocBin

from nerwb.evaluate.scoring import DocCounts, doc_counts, prf
from nerwb.labels.annotations import doc_spans
from nerwb.text import blank


def dev_scores(
    model: Path, dev_path: Path, lang: str
) -> tuple[float, dict[str, float], list[DocCounts]]:
    """Dev F of a model, F per label, and each dev document's counts (for paired bootstraps)."""
    nlp = spacy.load(model)
    docs = list(DocBin().from_disk(dev_path).get_docs(blank(lang).vocab))
    per_doc = [doc_counts(doc_spans(d), doc_spans(nlp(d.text))) for d in docs]
    labels = sorted({k for c in per_doc for k in (*c.n_pred, *c.n_gold)})

    def total(counts: str, label: str | None = None) -> int:
        return sum(
            sum(getattr(c, counts).values()) if label is None else getattr(c, counts).get(label, 0)
            for c in per_doc
        )

    return (
        prf(total("tp"), total("n_pred"), total("n_gold")).f,
        {k: prf(total("tp", k), total("n_pred", k), total("n_gold", k)).f for k in labels},
        per_doc,
    )
