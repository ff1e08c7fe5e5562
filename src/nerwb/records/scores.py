"""Scores: the one P/R/F of nerwb, and the dev scores a training run records.

``prf`` is the definition of precision, recall and F that ``evaluate.scoring`` (strict and
SemEval schemas), the bootstrap, the dev scores and the number component's threshold choice
share; it lives this low so that the components, below the evaluate stage, can use it too.

Dev scores are spaCy's strict entity scores of a pipeline on the dev data: ``ents_p``/
``ents_r``/``ents_f`` and ``ents_per_type``; they reach the training manifest's ``best_dev``,
each evaluation step's progress event, and the CLI's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # numpy costs every command ~0.1 s at start-up; only the bootstrap needs it
    import numpy as np


@dataclass
class PRF:
    p: float
    r: float
    f: float

    def to_json(self) -> dict[str, float]:
        return {"p": self.p, "r": self.r, "f": self.f}


def prf(tp: float, n_pred: float, n_gold: float) -> PRF:
    """P = tp / predicted, R = tp / gold, F their harmonic mean; 0 where a count is 0."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f)


def f_of_arrays(tp: np.ndarray, n_pred: np.ndarray, n_gold: np.ndarray) -> np.ndarray:
    """``prf(...).f`` element by element (the same operations, so the same floats), for many
    resamples at once."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_pred > 0, tp / n_pred, 0.0)
        r = np.where(n_gold > 0, tp / n_gold, 0.0)
        return np.where(p + r > 0, 2 * p * r / (p + r), 0.0)


class LabelScores(BaseModel):
    model_config = ConfigDict(extra="forbid")

    p: float = 0.0
    r: float = 0.0
    f: float = 0.0


class DevScores(BaseModel):
    """The ``ents_*`` scores of spaCy's NER scorer; ``None`` where spaCy had none to give."""

    model_config = ConfigDict(extra="forbid")

    ents_f: float | None = None
    ents_p: float | None = None
    ents_r: float | None = None
    ents_per_type: dict[str, LabelScores] | None = None

    @classmethod
    def from_spacy(cls, scores: dict[str, Any] | None) -> DevScores:
        """The entity scores among spaCy's ``performance`` or ``other_scores`` (the rest, such
        as a tagger's, are not nerwb's to carry)."""
        picked = {k: v for k, v in (scores or {}).items() if k in cls.model_fields}
        if not isinstance(picked.get("ents_per_type"), dict | None):
            # spaCy's scorer gives a bare 0.0 here when the dev data holds no entity
            picked["ents_per_type"] = None
        return cls.model_validate(picked)
