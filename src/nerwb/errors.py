"""The one family of exceptions that library code raises.

The CLI layer turns every ``NerwbError`` into a red line on stderr and exit code 1; library
code never prints or exits. Messages name the file, line, span or setting at fault: what is
wrong, not what to run. An error the user fixes by running something carries a ``kind``; the
CLI maps it to the ``nerwb ...`` advice (``nerwb.cli._hints``), so the demo, the benchmarks and
any other caller of the library get the fact and choose their own advice.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class ErrorKind(StrEnum):
    """What went wrong, in terms of what is missing or stopped; the CLI says what to run."""

    NO_WORKSPACE = "no-workspace"  # no nerwb.toml here or above
    NO_ARTICLES = "no-articles"  # corpus/articles.jsonl empty or missing
    NO_SPLITS = "no-splits"  # corpus/splits.json missing
    NOT_MERGED = "not-merged"  # no gold or conflicts file: nothing merged yet
    NO_DOCBIN = "no-docbin"  # labels/<split>.spacy missing or empty
    NO_LABELS = "no-labels"  # labels.yml lists no label
    NO_ANNOTATIONS = "no-annotations"  # neither a pull snapshot nor an import
    NO_PULL = "no-pull"  # no pull snapshot
    NO_SUGGESTIONS = "no-suggestions"  # the suggestion ledger is empty
    UNCONFIRMED = "unconfirmed"  # work in Doccano that nobody confirmed
    MISALIGNED_SPAN = "misaligned-span"  # a span off token boundaries, --on-misaligned error
    SERVER_UNREACHABLE = "server-unreachable"  # no answer from the Doccano server
    WORKER_TIMEOUT = "worker-timeout"  # Doccano's import/export task never finished
    NO_SERVER = "no-server"  # no local server set up and no DOCCANO_URL
    SERVER_NEVER_STARTED = "server-never-started"  # the local server has no settings yet
    NO_PROJECT = "no-project"  # the workspace's Doccano project is not on the server
    NO_ANNOTATOR_ACCOUNTS = "no-annotator-accounts"  # no password or token for an annotator
    NO_POSTGRES_SETTINGS = "no-postgres-settings"  # the workspace's cluster lacks password/port
    NO_SQLITE_DATA = "no-sqlite-data"  # migrate: no SQLite database to move
    DATA_IN_SQLITE = "data-in-sqlite"  # up --database postgres would leave SQLite data behind
    SERVER_RUNNING = "server-running"  # up with another port or database while it runs
    PUSH_INTERRUPTED = "push-interrupted"  # Ctrl-C during a push: a rerun resumes
    PREDICT_INTERRUPTED = "predict-interrupted"  # Ctrl-C during predict: a rerun resumes
    NO_ASSIGNMENT_PLAN = "no-assignment-plan"  # suggest before any push with annotators
    PORT_IN_USE = "port-in-use"  # another program holds the local server's port
    OUTPUT_HOLDS_RUN = "output-holds-run"  # train's output folder holds another run
    RUN_IN_PROGRESS = "run-in-progress"  # another live run is training into that folder
    EMPTY_DEV = "empty-dev"  # train: the dev data has no documents or no entities
    OUTPUT_HOLDS_PREDICTIONS = "output-holds-predictions"  # predict's output file exists
    UNFINISHED_OTHER_RUN = "unfinished-other-run"  # predict's parts folder is another run's
    UNREADABLE_PARTS = "unreadable-parts"  # predict's parts index cannot be read
    BAD_RECORD = "bad-record"  # a bad input record while bad ones fail the run
    WORKSPACE_BUSY = "workspace-busy"  # another command holds the lock; not waiting
    WORKSPACE_BUSY_TOO_LONG = "workspace-busy-too-long"  # the wait for the lock ran out
    NO_SHARED_SEGMENTS = "no-shared-segments"  # agreement: no two annotators share a segment
    OVERLAPPING_SPAN = "overlapping-span"  # overlapping spans, on_overlap error
    UNKNOWN_LABELS = "unknown-labels"  # an import names labels labels.yml lacks
    ALREADY_LABELLED = "already-labelled"  # an import would replace an annotator's labels
    TWICE_IN_FILE = "twice-in-file"  # an import file holds one article twice, spans differing
    NO_GOLD_SPAN = "no-gold-span"  # the merge strategy leaves no gold span
    INSTALL_FAILED = "install-failed"  # installing Doccano (or its PostgreSQL driver) failed
    PACKAGE_EXISTS = "package-exists"  # nerwb package: the wheel of that version exists


class NerwbError(Exception):
    """A problem the user can act on; its message says what and where.

    Fields, where known: ``kind`` (what went wrong, for the CLI's advice), ``path`` (the file or
    folder at fault) and ``setting`` (the option or ``nerwb.toml`` key involved).
    """

    def __init__(
        self,
        message: str = "",
        *,
        kind: ErrorKind | None = None,
        path: Path | str | None = None,
        setting: str | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.path = path
        self.setting = setting


class OutputError(NerwbError):
    """An output file or folder that cannot be written: names it and says why."""


class WorkspaceError(NerwbError):
    """No workspace, or an invalid ``nerwb.toml``."""


class InputError(NerwbError):
    """Bad input data: names the file and, where known, the line or field."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        kind: ErrorKind | None = None,
    ):
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message, kind=kind, path=path)
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
