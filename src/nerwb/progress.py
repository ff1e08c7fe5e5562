"""The one progress protocol: what a long library call reports as it goes.

Library code calls ``on_progress(ProgressEvent(...))``; the CLI renders every event the same way
(``nerwb.cli._progress``: a Rich bar on a terminal, plain lines in a log), and the demo, the
benchmarks and the tests read the same fields. It replaces the callback shapes each stage had
(``(done, total)``, ``(done, total, words)``, one call per article, per run of a curve).
Training's ``StepEvent`` stays its own type because it carries scores; its bar is drawn by the
same helper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    """``done`` of ``total`` ``unit``s of ``stage``; ``total`` is None while it is not known.

    ``item`` names what was just done where that helps a reader (the file being read); ``words``
    counts the words done so far where a stage measures them (prediction).
    """

    stage: str
    done: int
    total: int | None
    unit: str
    item: str | None = None
    words: int | None = None


OnProgress = Callable[[ProgressEvent], None]


def emit(on_progress: OnProgress | None, event: ProgressEvent) -> None:
    """Send ``event`` to ``on_progress`` when there is one (most calls pass none)."""
    if on_progress is not None:
        on_progress(event)
