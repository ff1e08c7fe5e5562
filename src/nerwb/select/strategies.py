"""Choosing the next segments to label: at random, those the model is least sure of, or those
holding the most names the labelled data has not named yet (``novel``, which needs no model).

Prodigy's ``ner.teach`` orders its stream by uncertainty; the evidence that this saves labels
for NER is real but fragile, so every strategy here can be compared with ``random`` on the same
pool (``bench/active_learning.py`` is where that belongs).

The pool they rank (the segments no push has uploaded yet) is ``select.pool``'s.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nerwb.corpus.dedup import jaccard, shingles
from nerwb.errors import SETTING, ErrorKind, NerwbError, bad_setting

if TYPE_CHECKING:  # spaCy and the pydantic models only where used: `nerwb select --help` offers
    # SelectStrategy and should start quickly
    from spacy.language import Language

    from nerwb.corpus.model import Segment
    from nerwb.labels.schema import LabelSchema


class SelectStrategy(StrEnum):
    RANDOM = "random"
    UNCERTAIN = "uncertain"
    UNCERTAIN_DIVERSE = "uncertain-diverse"  # uncertain, no two near-duplicates in one batch
    # most unseen name candidates per 100 words; no model needed (the first batch)
    NOVEL = "novel"
    NOVEL_UNCERTAIN = "novel-uncertain"  # novel and uncertain, each scaled to its pool maximum


NEEDS_MODEL = frozenset(
    {SelectStrategy.UNCERTAIN, SelectStrategy.UNCERTAIN_DIVERSE, SelectStrategy.NOVEL_UNCERTAIN}
)
NOVEL_STRATEGIES = frozenset({SelectStrategy.NOVEL, SelectStrategy.NOVEL_UNCERTAIN})
# strategies given the latest model when there is one (novel reads only its tokenizer)
USES_MODEL = NEEDS_MODEL | NOVEL_STRATEGIES
# A short segment (an article's tail) would win "per 100 words" on one name: count at least this.
MIN_WORDS = 50


class SelectionError(NerwbError):
    """A selection that cannot be made: no model, a model that does not fit, nothing left."""


@dataclass
class Ranked:
    segment_id: str
    article_id: str
    rank: int  # 1 = first to label
    score: float  # uncertainty or unseen name candidates per 100 words (novel-uncertain: their
    # sum, each scaled to the pool's maximum); for random, 0
    chars: int
    words: int
    why: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Selection:
    """``--select``: the ``n`` unpushed segments ``strategy`` ranks first (``nerwb select``,
    ``doccano push --select``); checked when made, before anything is read.

    Raises:
        SelectionError: ``n`` below 1, or a strategy that ranks by a model without one.
    """

    strategy: SelectStrategy
    n: int
    nlp: Language | None = None
    model: str = ""  # the model folder, for the ledger
    seed: int = 0

    def __post_init__(self) -> None:
        self.strategy = SelectStrategy(self.strategy)
        if self.n < 1:
            raise bad_setting(SelectionError, "n", f"must be at least 1, not {self.n}")
        if self.nlp is None and self.strategy in NEEDS_MODEL:
            raise needs_model(self.strategy)


def needs_model(strategy: SelectStrategy) -> SelectionError:
    """The error for a strategy that ranks by a model, given none; ``value``: a strategy that
    needs none and serves the same purpose (for a first batch), where there is one."""
    return SelectionError(
        f"{SETTING} {strategy} ranks by a model's uncertainty, and no model was given",
        kind=ErrorKind.NEEDS_MODEL,
        setting="strategy",
        value=SelectStrategy.NOVEL if strategy in NOVEL_STRATEGIES else None,
    )


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
            f"{SETTING} {path} predicts label(s) {', '.join(unknown)} that labels.yml does not "
            f"have ({', '.join(schema.names)})",
            kind=ErrorKind.MODEL_LABELS,
            setting="model",
            path=path,
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
    known_names: set[str] | None = None,
    lang: str = "en",
) -> list[Ranked]:
    """The ``n`` segments to label first (all of them when fewer are left), in order.

    Args:
        known_names: The normalised gold names of the labelled data (``novel`` strategies):
            candidates among them are not new.

    Raises:
        SelectionError: an uncertainty strategy without a model, or no segment. (``n`` was
            checked where the ``Selection`` was made.)
    """
    if not segments:
        raise SelectionError(
            "nothing left to choose from: every segment of the pool is pushed",
            kind=ErrorKind.NOTHING_TO_DO,
        )
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
    if nlp is None and strategy in NEEDS_MODEL:
        raise needs_model(strategy)
    if strategy in NOVEL_STRATEGIES:
        return _rank_novel(
            segments,
            strategy,
            n=n,
            nlp=nlp,
            seed=seed,
            near_duplicate_threshold=near_duplicate_threshold,
            known=known_names or set(),
            lang=lang,
        )
    assert nlp is not None
    from nerwb.select.uncertainty import uncertainties

    scored = sorted(
        zip(segments, uncertainties(nlp, [s.text for s in segments]), strict=True),
        key=lambda pair: (-pair[1].score, pair[0].id),
    )
    chosen: list[tuple[Segment, Any, str]] = []
    taken_shingles: list[set[int]] = []
    for segment, doubt in scored:
        if len(chosen) >= n:
            break
        why = f"{doubt.entities} uncertain entit{'y' if doubt.entities == 1 else 'ies'}"
        if doubt.most_doubtful:
            text, label, p = doubt.most_doubtful
            why += f"; most doubtful {text!r} {label} p={p:.2f}"
        if strategy is SelectStrategy.UNCERTAIN_DIVERSE and _near_duplicate(
            segment, taken_shingles, near_duplicate_threshold
        ):
            continue  # a near-duplicate of one already in the batch teaches little more
        chosen.append((segment, doubt, why))
    return [
        Ranked(s.id, s.article_id, i + 1, round(d.score, 6), len(s.text), len(s.text.split()), why)
        for i, (s, d, why) in enumerate(chosen)
    ]


def _near_duplicate(segment: Segment, taken: list[set[int]], threshold: float) -> bool:
    """Whether ``segment`` nearly repeats one already chosen; if not, it joins ``taken``."""
    mine = shingles(segment.text)
    if any(jaccard(mine, other) >= threshold for other in taken):
        return True
    taken.append(mine)
    return False


def _rank_novel(
    segments: list[Segment],
    strategy: SelectStrategy,
    *,
    n: int,
    nlp: Language | None,
    seed: int,
    near_duplicate_threshold: float,
    known: set[str],
    lang: str,
) -> list[Ranked]:
    """Greedy: each pick is the segment with the most candidates that neither the labelled data
    nor the segments already picked name, per 100 tokens, so one batch does not spend its words
    on the same new name twice. Ties (no new candidate left) go in a seeded random order."""
    from nerwb.select.candidates import candidate_names  # spaCy
    from nerwb.select.uncertainty import uncertainties

    texts = [s.text for s in segments]
    names = candidate_names(texts, nlp=nlp, lang=lang)
    words = [len(t.split()) for t in texts]  # what labelling costs
    doubt = [0.0] * len(segments)
    if strategy is SelectStrategy.NOVEL_UNCERTAIN:
        assert nlp is not None
        raw = [u.score for u in uncertainties(nlp, texts)]
        top = max(raw) or 1.0
        doubt = [d / top for d in raw]
    batch: set[str] = set()

    def novelty(i: int) -> float:
        return 100.0 * len(names[i] - known - batch) / max(words[i], MIN_WORDS)

    top_novelty = max((novelty(i) for i in range(len(segments))), default=0.0) or 1.0
    score: Callable[[int], float] = (
        novelty
        if strategy is SelectStrategy.NOVEL
        else (lambda i: novelty(i) / top_novelty + doubt[i])
    )
    tiebreak = list(range(len(segments)))
    random.Random(seed).shuffle(tiebreak)
    # Scores only fall as the batch grows (a lazy greedy): a popped segment whose fresh score
    # still beats the next one's stale score is the best.
    heap = [(-score(i), tiebreak[i], i) for i in range(len(segments))]
    heapq.heapify(heap)
    chosen: list[Ranked] = []
    taken: list[set[int]] = []
    while heap and len(chosen) < n:
        _, _, i = heapq.heappop(heap)
        fresh = score(i)
        if heap and -fresh > heap[0][0] + 1e-12:
            heapq.heappush(heap, (-fresh, tiebreak[i], i))
            continue
        if _near_duplicate(segments[i], taken, near_duplicate_threshold):
            continue
        new = sorted(names[i] - known - batch)
        why = f"{len(new)} unseen name candidate{'' if len(new) == 1 else 's'}"
        if new:
            why += ": " + ", ".join(repr(x) for x in new[:4]) + (", ..." if len(new) > 4 else "")
        if strategy is SelectStrategy.NOVEL_UNCERTAIN:
            why += f"; uncertainty {doubt[i]:.2f} of the pool's highest"
        batch.update(new)
        s = segments[i]
        chosen.append(
            Ranked(
                s.id,
                s.article_id,
                len(chosen) + 1,
                round(fresh, 6),
                len(s.text),
                len(s.text.split()),
                why,
            )
        )
    return chosen
