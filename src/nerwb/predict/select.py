"""Choosing the next segments to label: at random, or those the model is least sure of.

Prodigy's ``ner.teach`` orders its stream by uncertainty; the evidence that this saves labels
for NER is real but fragile, so every strategy here can be compared with ``random`` on the same
pool (``bench/active_learning.py`` is where that belongs).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nerwb.corpus.dedup import jaccard, shingles
from nerwb.corpus.model import Segment
from nerwb.errors import NerwbError
from nerwb.labels.schema import LabelSchema

if TYPE_CHECKING:  # spaCy is imported where a model is loaded, so `nerwb --help` stays quick
    from spacy.language import Language


class SelectStrategy(StrEnum):
    RANDOM = "random"
    UNCERTAIN = "uncertain"
    UNCERTAIN_DIVERSE = "uncertain-diverse"  # uncertain, no two near-duplicates in one batch


class SelectionError(NerwbError):
    """A selection that cannot be made: no model, a model that does not fit, nothing left."""


@dataclass
class Ranked:
    segment_id: str
    article_id: str
    rank: int  # 1 = first to label
    score: float  # uncertainty per 100 tokens; for random, 0
    chars: int
    words: int
    why: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def load_selection_model(path: Path, schema: LabelSchema) -> Language:
    """A trained pipeline with ``ner`` whose labels are all in ``labels.yml``.

    Raises:
        PredictError: not a pipeline folder, a broken one, or one without ``ner``.
        SelectionError: labels that labels.yml lacks.
    """
    from nerwb.predict.model import load_pipeline

    nlp = load_pipeline(path)
    unknown = sorted(set(nlp.get_pipe("ner").labels) - set(schema.names))
    if unknown:
        raise SelectionError(
            f"--model {path} predicts label(s) {', '.join(unknown)} that labels.yml does not have "
            f"({', '.join(schema.names)}); train it on this workspace's labels"
        )
    return nlp


def rank_segments(
    segments: list[Segment],
    strategy: SelectStrategy,
    *,
    n: int,
    nlp: Language | None = None,
    seed: int = 0,
    near_duplicate_threshold: float = 0.7,
) -> list[Ranked]:
    """The ``n`` segments to label first (all of them when fewer are left), in order.

    Raises:
        SelectionError: an uncertainty strategy without a model, ``n`` below 1, or no segment.
    """
    if n < 1:
        raise SelectionError(f"--n must be at least 1, not {n}")
    if not segments:
        raise SelectionError("nothing left to choose from: every segment of the pool is pushed")
    if strategy is SelectStrategy.RANDOM:
        order = sorted(segments, key=lambda s: s.id)
        random.Random(seed).shuffle(order)
        return [
            Ranked(
                s.id,
                s.article_id,
                i + 1,
                0.0,
                len(s.text),
                len(s.text.split()),
                f"random draw (seed {seed})",
            )
            for i, s in enumerate(order[:n])
        ]
    if nlp is None:
        raise SelectionError(f"--select {strategy} needs --model (a trained pipeline folder)")
    from nerwb.predict.uncertainty import uncertainties

    scored = sorted(
        zip(segments, uncertainties(nlp, [s.text for s in segments]), strict=True),
        key=lambda pair: (-pair[1].score, pair[0].id),
    )
    chosen: list[tuple[Segment, Any, str]] = []
    taken_shingles: list[tuple[str, set[int]]] = []
    for segment, doubt in scored:
        if len(chosen) >= n:
            break
        why = f"{doubt.entities} uncertain entit{'y' if doubt.entities == 1 else 'ies'}"
        if doubt.most_doubtful:
            text, label, p = doubt.most_doubtful
            why += f"; most doubtful {text!r} {label} p={p:.2f}"
        if strategy is SelectStrategy.UNCERTAIN_DIVERSE:
            mine = shingles(segment.text)
            twin = next(
                (
                    sid
                    for sid, other in taken_shingles
                    if jaccard(mine, other) >= near_duplicate_threshold
                ),
                None,
            )
            if twin is not None:
                continue  # a near-duplicate of one already in the batch teaches little more
            taken_shingles.append((segment.id, mine))
        chosen.append((segment, doubt, why))
    return [
        Ranked(s.id, s.article_id, i + 1, round(d.score, 6), len(s.text), len(s.text.split()), why)
        for i, (s, d, why) in enumerate(chosen)
    ]
