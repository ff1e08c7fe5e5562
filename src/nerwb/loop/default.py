"""What the loop does when a command is not told: one table, to be switched by measurement.

``bench/loop_simulation.py`` measures each lever of the loop alone and together (the order of
the batches, suggestions from the last model, confirmed names propagated): whichever
combination labels the fewest words (and edits) to a given F goes here. ``DEFAULT_LOOP`` is
what

* ``nerwb select`` and ``nerwb doccano push --n N`` rank by when no ``--select`` is given:
  ``first`` while there is no model (``--model``), ``then`` once there is one;
* ``nerwb doccano suggest`` proposes when given no model, ``--patterns`` or ``--propagate``:
  the latest trained model's spans (``suggest_from_model``) and/or the confirmed names
  (``propagate``);
* the demo's round two runs;
* ``nerwb status`` recommends for the next batch.

To switch, edit the table (and its ``measured`` note) and the README's "Choosing what to label
next"; ``tests/loop/test_default.py`` checks that every command follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nerwb.choices import NameSource
from nerwb.select.strategies import SelectStrategy


@dataclass(frozen=True)
class LoopDefault:
    first: SelectStrategy  # the first batch: no model yet, so no model-based strategy
    then: SelectStrategy  # later batches, with the last round's model
    suggest_from_model: bool  # pre-annotate with the last round's model
    propagate: NameSource | None  # pre-annotate the names the team has confirmed (None: off)
    measured: str  # what the choice rests on

    def strategy(self, *, has_model: bool) -> SelectStrategy:
        """The strategy for the next batch."""
        return self.then if has_model else self.first


# Today's loop (issue 26's "nerwb loop" arm). Issue 33's simulation (10-100 % of the pool,
# training to convergence, every lever alone) decides whether it stays.
DEFAULT_LOOP = LoopDefault(
    first=SelectStrategy.NOVEL,
    then=SelectStrategy.UNCERTAIN_DIVERSE,
    suggest_from_model=True,
    propagate=None,
    measured="issue 26's loop; to be confirmed or switched by bench/loop_simulation.py",
)
