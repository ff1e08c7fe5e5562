"""The one family of exceptions that library code raises.

The CLI layer turns every ``NerwbError`` into a red line on stderr and exit code 1; library
code never prints or exits. Messages name the file, line, span or setting at fault.
"""

from __future__ import annotations

from pathlib import Path


class NerwbError(Exception):
    """A problem the user can act on; its message says what and where."""


class OutputError(NerwbError):
    """An output file or folder that cannot be written: names it and says why."""


class WorkspaceError(NerwbError):
    """No workspace, or an invalid ``nerwb.toml``."""


class InputError(NerwbError):
    """Bad input data: names the file and, where known, the line or field."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line


class SchemaError(NerwbError):
    """An invalid ``labels.yml``."""


class SplitError(NerwbError):
    """A problem with ``corpus/splits.json`` or the frozen test split."""


class LabelsError(NerwbError):
    """A problem with annotations: audit, agreement, merge or conversion."""


class TrainingError(NerwbError):
    """A problem with a training config, its data, or an output folder."""


class EvaluationError(NerwbError):
    """A problem with a model, evaluation data or report folders."""


class PredictError(NerwbError):
    """A problem applying a model: the model folder, the inputs, the output or the engine."""


class InvalidNameError(NerwbError):
    """A name that would become a file or folder name breaks the naming rule (stated)."""


class WorkspaceBusyError(NerwbError):
    """Another process holds the workspace lock and did not let go in time."""
