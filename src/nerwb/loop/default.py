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


# Issue 33's simulation (bench/loop_simulation.py, bench/results/loop-simulation.json; 3 seeds,
# 10-100 % of the pool, every round trained to convergence): labelling in random order reached
# 90 % and 95 % of each seed's whole-pool F with fewer words than issue 26's loop (novel first,
# then uncertain-diverse) on every seed: 10,384 and 16,666 words on average against 15,512 and
# 19,456; novel then novel-uncertain (one seed) did no better. The model's suggestions cut the
# edits to 95 % of the full F from 343 to 240 in random order; name propagation saved less alone
# and added edits on top of suggestions. So: random order, the last model's suggestions.
DEFAULT_LOOP = LoopDefault(
    first=SelectStrategy.RANDOM,
    then=SelectStrategy.RANDOM,
    suggest_from_model=True,
    propagate=None,
    measured=(
        "issue 33's simulation, 3 seeds: random order reached 95 % of the full-pool F with "
        "16,666 words against 19,456 for novel then uncertain-diverse; suggestions cut edits 30 %"
    ),
)
