"""P/R/F: the one definition of precision, recall and F in nerwb.

``evaluate.scoring`` (strict and SemEval schemas), the bootstrap, the dev scores, labels'
pairwise agreement and the number component's threshold choice all use ``prf``; it lives below
every stage (the components included), so none of them defines its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
