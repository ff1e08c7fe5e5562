"""The one progress protocol: what a long library call reports as it goes.

Library code calls ``on_progress(ProgressEvent(...))``; the CLI renders every event the same way
(``nerwb.cli._progress``: a Rich bar or spinner on a terminal, plain lines in a log), and the
demo, the benchmarks and the tests read the same fields. One shape for every kind of long work:

- counted work (articles read, segments pushed, documents predicted): ``done`` of ``total``;
- steps of a set-up (``doccano up``, ``migrate``): ``item`` says what is being done now, and
  ``unit`` is ``STEP``; ``total`` is None;
- a wait (for the workspace lock, for Doccano's export tasks): ``item`` says what for, and
  ``limit_s`` how long at most;
- training steps: ``done`` steps of ``total``, carrying spaCy's dev ``score``, the ``losses``
  and the per-label ``scores`` at the steps it evaluates (``training.run.StepEvent``, a
  ProgressEvent with names for those fields).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

STEP = "step"  # the unit of a set-up step whose ``item`` says what it does


@dataclass(frozen=True)
class ProgressEvent:
    """``done`` of ``total`` ``unit``s of ``stage``; ``total`` is None while it is not known.

    ``item`` names what was just done (or is being done) where that helps a reader; ``words``
    counts the words done so far where a stage measures them (prediction); ``limit_s`` is the
    most seconds a wait will take; ``score``, ``losses`` and ``scores`` are a training step's.
    """

    stage: str
    done: int
    total: int | None
    unit: str
    item: str | None = None
    words: int | None = None
    limit_s: float | None = None
    score: float | None = None
    losses: Mapping[str, float] | None = None
    scores: object | None = None  # the step's per-label dev scores (records.DevScores)


OnProgress = Callable[[ProgressEvent], None]


def emit(on_progress: OnProgress | None, event: ProgressEvent) -> None:
    """Send ``event`` to ``on_progress`` when there is one (most calls pass none)."""
    if on_progress is not None:
        on_progress(event)


class Steps:
    """Numbers the steps of a set-up for ``on_progress``: ``steps("Installing Doccano")``."""

    def __init__(self, on_progress: OnProgress | None, stage: str):
        self.on_progress, self.stage, self.done = on_progress, stage, 0

    def __call__(self, what: str) -> None:
        self.done += 1
        emit(self.on_progress, ProgressEvent(self.stage, self.done, None, STEP, item=what))
