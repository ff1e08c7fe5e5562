"""What a user chooses about a prediction run: the engine, what a bad input record does, how
much an interruption may cost, and the run's options object, ``PredictOptions``.

No spaCy, no pydantic, so ``nerwb predict --help`` and ``nerwb corpus add --help``, which offer
these choices, start quickly, and ``nerwb predict`` checks its options before a model loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from nerwb.choices import OnError
from nerwb.errors import SETTING, ErrorKind, PredictError, bad_setting
from nerwb.predict.output import Container, OutputFormat, container_of, pyarrow_available

if TYPE_CHECKING:  # the inputs read the corpus (pydantic): imported by whoever makes a source
    from nerwb.predict.inputs import InputSource

DEFAULT_PART_SIZE = 1000  # articles per part file: what an interruption can cost at most


class Engine(StrEnum):
    LOCAL = "local"
    RAY = "ray"


@dataclass(frozen=True)
class PredictOptions:
    """One prediction run: ``model`` over the articles of ``source`` into ``output``, checked
    once when made (before a model loads or an input is read).

    ``fmt``: nerwb's records or Doccano-importable lines; ``include_text``: keep each article's
    text in the records; ``engine``: ``nlp.pipe`` here (``n_process`` processes) or Ray Data
    (``actors`` model copies, the cluster at ``address`` or a local one); ``batch_size``: texts
    per batch; ``part_size``: articles per part file (what an interruption can cost);
    ``on_error``: what a bad input record does; ``force``: replace an output or an unfinished
    run of another job; ``max_length``: cut longer articles (None: the model's).

    Raises:
        PredictError: settings that do not fit together or are out of range (kind
            ``BAD_SETTING``), an output that is a folder, whose folder does not exist, or whose
            extension nerwb does not write, or Parquet without pyarrow.
    """

    model: Path
    source: InputSource
    output: Path = Path("predictions.jsonl")
    fmt: OutputFormat = OutputFormat.RECORDS
    include_text: bool = True
    engine: Engine = Engine.LOCAL
    n_process: int = 1
    batch_size: int = 64
    part_size: int = DEFAULT_PART_SIZE
    on_error: OnError = OnError.FAIL
    force: bool = False
    max_length: int | None = None
    address: str | None = None
    actors: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", Path(self.model))
        object.__setattr__(self, "output", Path(self.output))
        for name in ("batch_size", "n_process", "part_size", "actors"):
            value = getattr(self, name)
            if value < 1:
                raise bad_setting(PredictError, name, f"must be at least 1, not {value}")
        self._check_output()

    def _check_output(self) -> None:
        output, fmt = self.output, self.fmt
        container = container_of(output)  # an extension nerwb does not write
        if fmt is OutputFormat.DOCCANO and container is Container.PARQUET:
            raise _bad("fmt", "doccano writes JSONL for Doccano's import; use a .jsonl output")
        if fmt is OutputFormat.DOCCANO and not self.include_text:
            raise _bad("fmt", "doccano needs each article's text (Doccano imports it)")
        if container is Container.PARQUET and not pyarrow_available():
            raise PredictError(
                f"{SETTING} {output} is .parquet, which needs pyarrow: pip install pyarrow "
                "(or 'nerwb[ray]'), or write .jsonl",
                kind=ErrorKind.MISSING_PACKAGE,
                setting="output",
            )
        if output.is_dir():
            raise _bad("output", f"{output} is a folder; give a file such as preds.jsonl")
        if not output.parent.exists():
            raise PredictError(
                f"cannot write {SETTING} {output}: folder {output.parent} does not exist",
                kind=ErrorKind.MISSING_FILE,
                setting="output",
                path=output.parent,
            )


def _bad(setting: str, problem: str) -> PredictError:
    return bad_setting(PredictError, setting, problem)
