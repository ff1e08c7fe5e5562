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


# Issue 33's simulation (bench/loop_simulation.py, bench/results/loop-simulation.json; seed 0 of
# 3 so far, 10-100 % of the pool, every round trained to convergence): labelling in random order
# reached every share's F at least as soon as issue 26's loop (novel first, then
# uncertain-diverse): dev F 0.561 / 0.744 / 0.786 / 0.789 / 0.838 at 10 / 20 / 30 / 50 / 70 %
# against 0.481 / 0.691 / 0.753 / 0.789 / 0.824, and 90 % of the full-pool F with 8,174 words
# against 12,828, as issue 26's run had found at 30 %. The model's suggestions cut the edits in
# either order (to 90 % of the full F in random order: 155 edits against 204 by hand); name
# propagation alone cut fewer (187). So: random order, the last model's suggestions. Seeds 1 and
# 2 confirm or reverse it.
DEFAULT_LOOP = LoopDefault(
    first=SelectStrategy.RANDOM,
    then=SelectStrategy.RANDOM,
    suggest_from_model=True,
    propagate=None,
    measured=(
        "issue 33's simulation, seed 0 of 3: random order reached 90 % of the full-pool F with "
        "8,174 words against 12,828 for novel then uncertain-diverse; suggestions cut edits"
    ),
)
