"""What an evaluation is asked to do: one options object, checked once when it is made.

Imports nothing heavy (no spaCy, no scikit-learn): ``nerwb evaluate`` makes it, and so checks
every argument, before the dozen seconds of importing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from nerwb.errors import ErrorKind, EvaluationError, SchemaError, bad_setting
from nerwb.evaluate.inputs import check_inputs
from nerwb.labels.policies import SpanPolicies

if TYPE_CHECKING:
    from nerwb.workspace import Workspace

DEFAULT_RESAMPLES = 1000


def check_resamples(resamples: int) -> None:
    """Raises EvaluationError: fewer than one bootstrap resample (kind ``BAD_SETTING``)."""
    if resamples < 1:
        raise bad_setting(
            EvaluationError,
            "bootstrap",
            f"{resamples}: give at least 1 resample ({DEFAULT_RESAMPLES} is the default)",
        )


def check_run(folder: Path) -> None:
    """Raises EvaluationError: ``folder`` is not an evaluation run (no metrics.json and
    per_doc.jsonl; kind ``BAD_INPUT``)."""
    if not (folder / "metrics.json").is_file() or not (folder / "per_doc.jsonl").is_file():
        raise EvaluationError(
            f"{folder} is not an evaluation run (metrics.json and per_doc.jsonl expected)",
            kind=ErrorKind.BAD_INPUT,
            path=folder,
        )


@dataclass(frozen=True)
class CompareOptions:
    """``nerwb compare``: the evaluation folders ``run_a`` and ``run_b`` (made on the same
    data), compared on ``bootstrap`` paired resamples drawn with ``seed``. Checked once, when
    made: the resamples, and that each folder is an evaluation run; whether both were made on
    the same data is known once they are read.

    Raises:
        EvaluationError: fewer than one resample (kind ``BAD_SETTING``), a folder that is not
            an evaluation run (kind ``BAD_INPUT``).
    """

    run_a: Path
    run_b: Path
    bootstrap: int = DEFAULT_RESAMPLES
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_a", Path(self.run_a))
        object.__setattr__(self, "run_b", Path(self.run_b))
        check_resamples(self.bootstrap)
        check_run(self.run_a)
        check_run(self.run_b)


@dataclass(frozen=True)
class EvaluateOptions:
    """One evaluation: ``model`` scored on ``data`` (gold: .spacy, Doccano .jsonl or CoNLL),
    written to ``output`` (None: a new folder under the workspace's evaluate/); ``bootstrap``
    resamples with ``seed`` for the intervals; ``policies`` for converting .jsonl/CoNLL spans;
    ``train_data`` names the model's training data for recall on seen and unseen names (None:
    what the run's manifest records).

    Raises:
        EvaluationError: fewer than one resample; a model, data or training data that is
            missing or of no kind nerwb reads.
    """

    model: Path
    data: Path
    output: Path | None = None
    bootstrap: int = DEFAULT_RESAMPLES
    seed: int = 0
    policies: SpanPolicies = field(default_factory=SpanPolicies)
    train_data: Path | None = None

    def __post_init__(self) -> None:
        check_resamples(self.bootstrap)
        check_inputs(self.model, self.data, self.train_data)


@dataclass(frozen=True)
class EvaluateContext:
    """Where an evaluation runs, apart from what it is asked (``EvaluateOptions``): the
    workspace's ``lang`` (to read .jsonl/CoNLL gold and the training names), the folder that
    takes a report with no ``output`` (``evaluate_dir``) and the label ``colours`` of the HTML
    report.

    Not in the options, because none of the three is a choice of the caller's: each is a fact
    of the workspace the run belongs to (nerwb.toml, labels.yml), the same for every
    evaluation in it, and the options stay checkable before any workspace file is read.
    """

    lang: str
    evaluate_dir: Path
    colours: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluate_dir", Path(self.evaluate_dir))
        # a copy, read-only: the context stays one immutable value
        object.__setattr__(self, "colours", MappingProxyType(dict(self.colours)))

    @classmethod
    def of(cls, ws: Workspace) -> EvaluateContext:
        """The workspace's language, its evaluate/ folder and labels.yml's colours (none when
        labels.yml cannot be read: the report then draws every label alike)."""
        from nerwb.labels.schema import load_schema

        try:
            colours = load_schema(ws.schema_path).colours()
        except SchemaError:
            colours = {}
        return cls(ws.language, ws.evaluate_dir, colours)
