"""What a training run is asked to do: one options object, checked once when it is made.

``nerwb train`` builds it from its options (``train`` then takes it whole); the learning curve,
the demo and the tests build it the same way. Its names are the library's (``train_data``, not
``--train``); an error about one names it as its ``setting``, and the CLI shows the flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nerwb.errors import TrainingError, bad_setting
from nerwb.io import check_output_folder
from nerwb.training.gpu import check_gpu


@dataclass(frozen=True)
class TrainOptions:
    """One training run.

    ``config``: the spaCy config; ``output``: the run folder; ``train_data``/``dev_data``: the
    DocBins (None: the config's ``[paths]``, else ``labels/{train,dev}.spacy``); ``overrides``:
    ``{"section.key": value}`` applied to the config; ``gpu_id``: -1 for the CPU; ``force``:
    replace an output folder that holds another run; ``base_model``: the installed pipeline or
    folder whose tok2vec the config sources; ``unique_output``: ``output`` is a name nerwb made
    up, so a taken one gets a suffix; ``lock_wait``: seconds to wait for the workspace lock
    (None: the default; 0: not at all).

    Raises:
        TrainingError: a GPU that cannot be used (kind ``NO_GPU``).
        OutputError: the output folder cannot be written.
    """

    config: Path
    output: Path
    train_data: Path | None = None
    dev_data: Path | None = None
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    gpu_id: int = -1
    force: bool = False
    base_model: str | None = None
    unique_output: bool = False
    lock_wait: float | None = None

    def __post_init__(self) -> None:
        # before the data is read or spaCy loads: a missing CuPy or a read-only folder is a line
        check_gpu(self.gpu_id)
        check_output_folder(self.output)
        object.__setattr__(self, "config", Path(self.config))
        object.__setattr__(self, "output", Path(self.output))
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))


DEFAULT_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class CurveOptions:
    """A learning curve: ``seeds`` runs on each share (``fractions``) of the training articles
    of ``train_data``, scored on ``dev_data`` (None: the workspace's ``labels/{train,dev}.spacy``);
    ``target`` is the dev F each label should reach. ``config`` (None: the workspace's default),
    ``overrides`` and ``base_model`` are each run's, as for ``TrainOptions``.

    Raises:
        TrainingError: shares outside (0, 1] or repeated, fewer than one seed, a target
            outside (0, 1] (kind ``BAD_SETTING``).
    """

    config: Path | None = None
    train_data: Path | None = None
    dev_data: Path | None = None
    fractions: tuple[float, ...] = DEFAULT_FRACTIONS
    seeds: int = 1
    target: float = 0.8
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    base_model: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fractions", tuple(float(f) for f in self.fractions))
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))
        shown = repr(",".join(map(str, self.fractions)))
        if not self.fractions or any(not 0 < f <= 1 for f in self.fractions):
            raise _bad(
                "fractions",
                f"{shown}: each is a share of the training articles in (0, 1], e.g. 0.25,0.5,1.0",
            )
        repeated = sorted({f for f in self.fractions if self.fractions.count(f) > 1})
        if repeated:
            # each share is one point of the curve; more runs of a point are what seeds are for
            again = ", ".join(f"{f:g}" for f in repeated)
            raise _bad(
                "fractions",
                f"{shown} repeats {again}: give each share once (more seeds run a share several "
                "times)",
            )
        if self.seeds < 1:
            raise _bad("seeds", f"{self.seeds}: give at least 1 run per share")
        if not 0 < self.target <= 1:
            raise _bad(
                "target", f"{self.target}: give the dev F to reach, between 0 and 1 (e.g. 0.8)"
            )


def _bad(setting: str, problem: str) -> TrainingError:
    return bad_setting(TrainingError, setting, problem)
