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

from nerwb.errors import EvaluationError, SchemaError, bad_setting
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

    @classmethod
    def of(cls, ws: Workspace) -> EvaluateContext:
        """The workspace's language, its evaluate/ folder and labels.yml's colours (none when
        labels.yml cannot be read: the report then draws every label alike)."""
        from nerwb.labels.schema import load_schema

        try:
            colours = load_schema(ws.schema_path).colours()
        except SchemaError:
            colours = {}
        return cls(ws.language, ws.evaluate_dir, MappingProxyType(colours))
