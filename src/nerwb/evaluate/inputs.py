"""What ``nerwb evaluate`` is given, checked before spaCy and scikit-learn load: a bad argument
costs a fraction of a second, not the dozen seconds of importing them."""

from __future__ import annotations

from pathlib import Path

from nerwb.errors import ErrorKind, EvaluationError, PredictError, recast
from nerwb.labels.readers import format_of
from nerwb.predict.model import check_model_named


def check_gold_data(path: Path) -> None:
    """Raises EvaluationError: ``path`` is missing, or of no format nerwb evaluates."""
    if not path.is_file():
        raise EvaluationError(
            f"evaluation data {path} does not exist", kind=ErrorKind.MISSING_FILE, path=path
        )
    if format_of(path) is None:
        raise EvaluationError(
            f"{path}: unknown data format {path.suffix.lower()!r}; "
            "use .spacy, .jsonl or a CoNLL/IOB file",
            kind=ErrorKind.BAD_INPUT,
            path=path,
        )


def check_inputs(model: Path, data: Path, train_data: Path | None) -> None:
    """The model, the gold data and the training data of an evaluation exist and are of a kind
    it reads; their contents are read (and checked) later.

    Raises:
        EvaluationError: any of them is missing or of an unknown kind.
    """
    try:
        check_model_named(model)
    except PredictError as err:
        # the same fact under this stage's error type: its kind and fields go with it
        raise recast(err, EvaluationError) from None
    check_gold_data(data)
    if train_data is not None:
        if not train_data.is_file():
            raise EvaluationError(
                f"training data {train_data} does not exist",
                kind=ErrorKind.MISSING_FILE,
                path=train_data,
            )
        if format_of(train_data) is None:
            raise EvaluationError(
                f"{train_data}: unknown training data format {train_data.suffix.lower()!r}; "
                "use .spacy, .jsonl or a CoNLL/IOB file",
                kind=ErrorKind.BAD_INPUT,
                path=train_data,
            )
