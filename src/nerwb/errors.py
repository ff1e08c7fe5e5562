"""The one family of exceptions that library code raises: errors as data.

The CLI layer turns every ``NerwbError`` into a red line on stderr and exit code 1; library
code never prints or exits. An error is data a caller can act on, as huggingface_hub's
``HfHubHTTPError`` carries its response:

- ``kind`` (``ErrorKind``): what went wrong, in terms of what the user does about it. Every
  error has one: an explicit one where the raise site knows more, else its class's
  ``default_kind``. The CLI composes its advice per kind from the fields below
  (``nerwb.cli._hints``); the demo, the benchmarks and a notebook branch on it.
- ``path``, ``line``: the file (and line) at fault; ``setting``: the option or setting at fault,
  by its library name (``on_misaligned``, ``batch_size``, ``[corpus] segment_length``);
  ``value``: the value that was given or is needed, where the advice uses it.
- ``code``: a searchable code (``E017``) for the kinds whose messages users paste into a search
  box, as spaCy's ``Errors.E050``; docs/troubleshooting.md lists each with its cause and fix.

Messages say what is wrong and where, never what to run and never a CLI flag: where a message
names the setting at fault it writes the placeholder ``SETTING``, which ``str(err)`` fills with
the library's name for it and the CLI with the flag the user typed (``--on-misaligned``).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import ClassVar

# In a message: the setting at fault, spelled by whoever shows the message (see the docstring).
SETTING = "{setting}"


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
    MISALIGNED_SPAN = "misaligned-span"  # a span off token boundaries, on_misaligned error
    SERVER_UNREACHABLE = "server-unreachable"  # no answer from the Doccano server
    WORKER_TIMEOUT = "worker-timeout"  # Doccano's import/export task never finished
    NO_SERVER = "no-server"  # no local server set up and no DOCCANO_URL
    SERVER_NEVER_STARTED = "server-never-started"  # the local server has no settings yet
    NO_PROJECT = "no-project"  # the workspace's Doccano project is not on the server
    NO_ANNOTATOR_ACCOUNTS = "no-annotator-accounts"  # no password or token for an annotator
    NO_POSTGRES_SETTINGS = "no-postgres-settings"  # the workspace's cluster lacks password/port
    NO_SQLITE_DATA = "no-sqlite-data"  # migrate: no SQLite database to move
    DATA_IN_SQLITE = "data-in-sqlite"  # up on PostgreSQL would leave SQLite data behind
    POSTGRES_DATA = "postgres-data"  # up on SQLite while the data is in PostgreSQL
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
    DIFFERENT_CUT = "different-cut"  # push: segments cut otherwise than those on the server
    NO_BASE_MODEL = "no-base-model"  # a config that sources its tok2vec, with no base named
    BASE_NOT_TAKEN = "base-not-taken"  # a base pipeline named for a config that takes none
    NO_GPU = "no-gpu"  # a GPU asked for that CuPy cannot use
    NEEDS_MODEL = "needs-model"  # a selection strategy that ranks by a model, without one
    MODEL_LABELS = "model-labels"  # a model predicts labels labels.yml lacks
    RAY_UNREACHABLE = "ray-unreachable"  # no Ray cluster at the address given
    INPUTS_OR_CORPUS = "inputs-or-corpus"  # predict: input files and the corpus, or neither
    BAD_TEXT_FIELD = "bad-text-field"  # a CSV/JSONL record's text is not in the field named
    # Generic kinds: the message is the whole story (what is wrong, where); no code.
    BAD_SETTING = "bad-setting"  # an option's or setting's value is not allowed
    BAD_INPUT = "bad-input"  # a file's content, format or encoding
    MISSING_FILE = "missing-file"  # a file or folder named does not exist
    BAD_MODEL = "bad-model"  # a model folder that is not a usable spaCy pipeline
    BAD_CONFIG = "bad-config"  # a spaCy config, an override or a component's setting
    BAD_SCHEMA = "bad-schema"  # labels/labels.yml
    BAD_WORKSPACE_SETTINGS = "bad-workspace-settings"  # nerwb.toml or the environment
    BAD_SPLITS = "bad-splits"  # corpus/splits.json or the frozen test split
    BAD_NAME = "bad-name"  # a name that would become a file name
    UNWRITABLE_OUTPUT = "unwritable-output"  # an output that cannot be written
    LABEL_MISMATCH = "label-mismatch"  # labels in one file that another lacks
    TEST_LEAK = "test-leak"  # held-out test articles where a model would learn from them
    DIFFERENT_DATA = "different-data"  # two things that must name the same data do not
    NOTHING_TO_DO = "nothing-to-do"  # an empty selection: no input, no conflicts, none left
    MISSING_PACKAGE = "missing-package"  # an optional package or pipeline is not installed
    SERVER_ERROR = "server-error"  # the Doccano server (or a program nerwb runs) failed
    RUN_FAILED = "run-failed"  # a run or build ended without its results
    TRAINING_INTERRUPTED = "training-interrupted"  # Ctrl-C: the run is kept, marked so


# Searchable codes, never reused nor renumbered (a code a user pasted into a search box must
# keep meaning the same thing); docs/troubleshooting.md has a section per code.
ERROR_CODES: dict[ErrorKind, str] = {
    ErrorKind.NO_WORKSPACE: "E001",
    ErrorKind.NO_ARTICLES: "E002",
    ErrorKind.NO_SPLITS: "E003",
    ErrorKind.NOT_MERGED: "E004",
    ErrorKind.NO_DOCBIN: "E005",
    ErrorKind.NO_LABELS: "E006",
    ErrorKind.NO_ANNOTATIONS: "E007",
    ErrorKind.NO_PULL: "E008",
    ErrorKind.NO_SUGGESTIONS: "E009",
    ErrorKind.UNCONFIRMED: "E010",
    ErrorKind.MISALIGNED_SPAN: "E011",
    ErrorKind.SERVER_UNREACHABLE: "E012",
    ErrorKind.WORKER_TIMEOUT: "E013",
    ErrorKind.NO_SERVER: "E014",
    ErrorKind.SERVER_NEVER_STARTED: "E015",
    ErrorKind.NO_PROJECT: "E016",
    ErrorKind.NO_ANNOTATOR_ACCOUNTS: "E017",
    ErrorKind.NO_POSTGRES_SETTINGS: "E018",
    ErrorKind.NO_SQLITE_DATA: "E019",
    ErrorKind.DATA_IN_SQLITE: "E020",
    ErrorKind.SERVER_RUNNING: "E021",
    ErrorKind.PUSH_INTERRUPTED: "E022",
    ErrorKind.PREDICT_INTERRUPTED: "E023",
    ErrorKind.NO_ASSIGNMENT_PLAN: "E024",
    ErrorKind.PORT_IN_USE: "E025",
    ErrorKind.OUTPUT_HOLDS_RUN: "E026",
    ErrorKind.RUN_IN_PROGRESS: "E027",
    ErrorKind.EMPTY_DEV: "E028",
    ErrorKind.OUTPUT_HOLDS_PREDICTIONS: "E029",
    ErrorKind.UNFINISHED_OTHER_RUN: "E030",
    ErrorKind.UNREADABLE_PARTS: "E031",
    ErrorKind.BAD_RECORD: "E032",
    ErrorKind.WORKSPACE_BUSY: "E033",
    ErrorKind.WORKSPACE_BUSY_TOO_LONG: "E034",
    ErrorKind.NO_SHARED_SEGMENTS: "E035",
    ErrorKind.OVERLAPPING_SPAN: "E036",
    ErrorKind.UNKNOWN_LABELS: "E037",
    ErrorKind.ALREADY_LABELLED: "E038",
    ErrorKind.TWICE_IN_FILE: "E039",
    ErrorKind.NO_GOLD_SPAN: "E040",
    ErrorKind.INSTALL_FAILED: "E041",
    ErrorKind.PACKAGE_EXISTS: "E042",
    ErrorKind.DIFFERENT_CUT: "E043",
    ErrorKind.NO_BASE_MODEL: "E044",
    ErrorKind.BASE_NOT_TAKEN: "E045",
    ErrorKind.NO_GPU: "E046",
    ErrorKind.NEEDS_MODEL: "E047",
    ErrorKind.MODEL_LABELS: "E048",
    ErrorKind.RAY_UNREACHABLE: "E049",
    ErrorKind.INPUTS_OR_CORPUS: "E050",
    ErrorKind.POSTGRES_DATA: "E051",
    ErrorKind.BAD_TEXT_FIELD: "E052",
}


class NerwbError(Exception):
    """A problem the user can act on; its message says what and where, its fields say it as data.

    Args:
        message: what is wrong; ``SETTING`` where it names the setting at fault.
        kind: what went wrong (default: the class's ``default_kind``).
        path, line: the file (and line) at fault.
        setting: the option or setting at fault, by its library name.
        value: the value given or needed, where advice uses it.
    """

    default_kind: ClassVar[ErrorKind | None] = None

    def __init__(
        self,
        message: str = "",
        *,
        kind: ErrorKind | None = None,
        path: Path | str | None = None,
        setting: str | None = None,
        line: int | None = None,
        value: object = None,
    ):
        self.template = message
        self.kind = kind or self.default_kind
        self.path = path
        self.setting = setting
        self.line = line
        self.value = value
        super().__init__(self.message())

    def message(self, setting: str | None = None) -> str:
        """The message with the setting spelled ``setting`` (default: its library name)."""
        return self.template.replace(SETTING, setting or self.setting or "the setting")

    @property
    def code(self) -> str | None:
        """The searchable code of this error's kind, where it has one."""
        return ERROR_CODES.get(self.kind) if self.kind else None

    def fields(self) -> dict[str, object]:
        """The error's data, for re-raising it as another class (``recast``)."""
        return {
            "kind": self.kind,
            "path": self.path,
            "setting": self.setting,
            "line": self.line,
            "value": self.value,
        }


def recast(
    err: NerwbError, cls: type[NerwbError], *, more: str = "", kind: ErrorKind | None = None
) -> NerwbError:
    """``err`` as an error of class ``cls``: the same message and fields (a stage that reports
    another stage's error as its own keeps the data); ``more`` added to the message and
    ``kind`` instead of its own, where the caller knows more."""
    fields = err.fields()
    if kind is not None:
        fields["kind"] = kind
    new = cls.__new__(cls)
    NerwbError.__init__(new, err.template + more, **fields)  # type: ignore[arg-type]
    return new


class OutputError(NerwbError):
    """An output file or folder that cannot be written: names it and says why."""

    default_kind = ErrorKind.UNWRITABLE_OUTPUT


class WorkspaceError(NerwbError):
    """No workspace, or an invalid ``nerwb.toml``."""

    default_kind = ErrorKind.BAD_WORKSPACE_SETTINGS


class InputError(NerwbError):
    """Bad input data: names the file and, where known, the line or field."""

    default_kind = ErrorKind.BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        kind: ErrorKind | None = None,
        setting: str | None = None,
        value: object = None,
    ):
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(
            where + message, kind=kind, path=path, line=line, setting=setting, value=value
        )


class SchemaError(NerwbError):
    """An invalid ``labels.yml``."""

    default_kind = ErrorKind.BAD_SCHEMA


class SplitError(NerwbError):
    """A problem with ``corpus/splits.json`` or the frozen test split."""

    default_kind = ErrorKind.BAD_SPLITS


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

    default_kind = ErrorKind.BAD_NAME


class WorkspaceBusyError(NerwbError):
    """Another process holds the workspace lock and did not let go in time."""

    default_kind = ErrorKind.WORKSPACE_BUSY_TOO_LONG


def bad_setting(
    cls: type[NerwbError], setting: str, problem: str, *, value: object = None
) -> NerwbError:
    """An error about an option's value: ``"{setting} {problem}"`` (``SETTING`` then what is
    wrong with it), of kind ``BAD_SETTING``."""
    return cls(f"{SETTING} {problem}", kind=ErrorKind.BAD_SETTING, setting=setting, value=value)
