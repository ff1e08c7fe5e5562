"""What to do about a library error: the CLI's advice, composed from the error's data.

Library errors say what is wrong and carry a ``kind`` and fields (``nerwb.errors``); this module
writes the lines a CLI user reads, as huggingface_hub's ``CLI_ERROR_MAPPINGS`` does:

    error[E003]: corpus/splits.json does not exist
      Run `nerwb corpus split` first, or leave --split out.

The first line is the library's message with the setting at fault spelled as the flag of the
command that ran (``--on-misaligned``, not ``on_misaligned``) and the kind's searchable code; the
second is the advice for the kind, a sentence of its own built from the error's fields (the
flag, the path, the value), so it reads the same after any message of that kind. A caller of
the library (the demo, a benchmark, a notebook) gets the fact and the data without advice
written for a shell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nerwb.errors import ErrorKind, NerwbError
from nerwb.lock import WAIT_ENV


@dataclass(frozen=True)
class Where:
    """The command an error came from, as far as its advice needs it.

    ``command``: what the user ran (``nerwb doccano push``); ``flags``: each of its parameters'
    library name to what the user types (``on_misaligned`` -> ``--on-misaligned``,
    ``model`` -> ``MODEL``).
    """

    command: str = "nerwb"
    flags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def spell(self, setting: str | None, fallback: str | None = None) -> str:
        """A setting as the user knows it: the command's flag for it, else ``fallback`` (the
        flag the advice means where the command is not known), else the setting's own name."""
        if setting is None:
            return fallback or "the setting"
        return self.flags.get(setting) or fallback or setting

    def has(self, setting: str) -> bool:
        return setting in self.flags


Advice = Callable[[NerwbError, Where], str | None]


def _fixed(text: str) -> Advice:
    return lambda err, where: text


def _no_splits(err: NerwbError, where: Where) -> str:
    if err.setting == "split" and where.has("split"):
        return f"Run `nerwb corpus split` first, or leave {where.spell('split')} out."
    return "Run `nerwb corpus split` first."


def _no_docbin(err: NerwbError, where: Where) -> str:
    fix = " or fix the path" if err.setting == "paths" else ""
    return f"Run `nerwb labels convert`{fix}."


def _misaligned(err: NerwbError, where: Where) -> str:
    flag = where.spell("on_misaligned")
    return f"Choose {flag} expand, contract or skip, or fix the span (`nerwb labels audit` lists them)."


def _overlapping(err: NerwbError, where: Where) -> str:
    return f"Choose {where.spell('on_overlap')} longest or skip, or fix the spans."


def _shared(err: NerwbError, where: Where) -> str:
    advice = "Push with --overlap above 0 to give segments to two annotators"
    if err.setting == "include_unconfirmed":
        advice += ", or pass --include-unconfirmed"
    return advice + "."


def _output_or_force(what: str) -> Advice:
    def advice(err: NerwbError, where: Where) -> str:
        return f"Pass --force to {what}, or choose another {where.spell('output', '--output')}."

    return advice


def _different_cut(err: NerwbError, where: Where) -> str:
    how = (
        f"Set [corpus] segment_length = {err.value} in nerwb.toml again"
        if err.value
        else "Restore the segment_length of the last push in nerwb.toml"
    )
    return f'{how}, or push to a new project ([doccano] project = "..." in nerwb.toml).'


def _interrupted(err: NerwbError, where: Where) -> str:
    what = (
        "nothing is uploaded twice"
        if err.kind is ErrorKind.PUSH_INTERRUPTED
        else "the articles done are not predicted again"
    )
    return f"Run the same `{where.command}` command again to resume ({what})."


def _needs_model(err: NerwbError, where: Where) -> str:
    advice = f"Give {where.spell('model', '--model')} (a trained pipeline folder)"
    if err.value:
        advice += f", or rank a first batch without one with --select {err.value}"
    return advice + "."


def _model_labels(err: NerwbError, where: Where) -> str:
    if where.has("label_map"):
        return (
            f"Map the ones you want with {where.spell('label_map')} MODEL_LABEL=LABEL (the "
            "others are then dropped), or train on this workspace's labels."
        )
    return "Train the model on this workspace's labels (labels/*.spacy)."


def _no_base(err: NerwbError, where: Where) -> str:
    return (
        f"Pass {where.spell('base_model', '--base-model')} NAME|FOLDER, or set [training] "
        "base_model in nerwb.toml."
    )


# One entry per kind that has advice; the generic kinds below have none, for a reason.
ADVICE: dict[ErrorKind, Advice] = {
    ErrorKind.NO_WORKSPACE: _fixed("Run `nerwb init DIR` to make one, or pass --workspace DIR."),
    ErrorKind.NO_ARTICLES: _fixed("Run `nerwb corpus add PATH...` first."),
    ErrorKind.NO_SPLITS: _no_splits,
    ErrorKind.NOT_MERGED: _fixed("Run `nerwb labels merge` first."),
    ErrorKind.NO_DOCBIN: _no_docbin,
    ErrorKind.NO_LABELS: _fixed(
        "Add entries (name, description, color, key) to labels.yml, or import annotations with "
        "`nerwb labels import --add-labels`."
    ),
    ErrorKind.NO_ANNOTATIONS: _fixed(
        "Pull them with `nerwb doccano pull`, or import them with `nerwb labels import`."
    ),
    ErrorKind.NO_PULL: _fixed("Run `nerwb doccano pull` first."),
    ErrorKind.NO_SUGGESTIONS: _fixed(
        "Make some with `nerwb doccano suggest MODEL` (or `nerwb doccano push --suggest "
        "MODEL`), then run `nerwb doccano pull`."
    ),
    ErrorKind.UNCONFIRMED: _fixed("Confirm them in Doccano, then run `nerwb doccano pull`."),
    ErrorKind.MISALIGNED_SPAN: _misaligned,
    ErrorKind.SERVER_UNREACHABLE: _fixed("Is it running? `nerwb doccano status` says."),
    ErrorKind.WORKER_TIMEOUT: _fixed(
        "Is Doccano's import/export worker running? `nerwb doccano status` says."
    ),
    ErrorKind.NO_SERVER: _fixed("Run `nerwb doccano up`, or set DOCCANO_URL for a remote server."),
    ErrorKind.SERVER_NEVER_STARTED: _fixed("Start it once with `nerwb doccano up`."),
    ErrorKind.NO_PROJECT: _fixed(
        "Push first (`nerwb doccano push`), or fix [doccano] project in nerwb.toml."
    ),
    ErrorKind.NO_ANNOTATOR_ACCOUNTS: _fixed(
        "Create the accounts with `nerwb doccano push --annotators NAME,...`."
    ),
    ErrorKind.NO_POSTGRES_SETTINGS: _fixed("`nerwb doccano up --database postgres` sets them."),
    ErrorKind.NO_SQLITE_DATA: _fixed(
        "Start on PostgreSQL with `nerwb doccano up --database postgres`."
    ),
    ErrorKind.DATA_IN_SQLITE: _fixed(
        "Move them first: `nerwb doccano migrate --to postgres` (copies everything, checks the "
        "counts, then switches)."
    ),
    ErrorKind.POSTGRES_DATA: _fixed(
        "Drop --database sqlite (and `database` in nerwb.toml) to use PostgreSQL."
    ),
    ErrorKind.SERVER_RUNNING: _fixed("Run `nerwb doccano down` first."),
    ErrorKind.PUSH_INTERRUPTED: _interrupted,
    ErrorKind.PREDICT_INTERRUPTED: _interrupted,
    ErrorKind.NO_ASSIGNMENT_PLAN: _fixed("Push with --annotators first."),
    ErrorKind.PORT_IN_USE: _fixed("Stop it, or choose another port with --port."),
    ErrorKind.OUTPUT_HOLDS_RUN: _output_or_force("replace it"),
    ErrorKind.RUN_IN_PROGRESS: lambda err, where: (
        f"Choose another {where.spell('output', '--output')}, or leave it out for a new folder."
    ),
    ErrorKind.EMPTY_DEV: _fixed(
        "Label articles of the dev split (`nerwb doccano push --split dev`), or import some with "
        "`nerwb labels import FILE --split dev`, then `nerwb labels merge` and `nerwb labels "
        "convert`; or name a dev file with --dev."
    ),
    ErrorKind.OUTPUT_HOLDS_PREDICTIONS: _output_or_force(
        "replace it (the old file stays until the new one is complete)"
    ),
    ErrorKind.UNFINISHED_OTHER_RUN: _output_or_force("discard it"),
    ErrorKind.UNREADABLE_PARTS: _fixed("Pass --force to start over."),
    ErrorKind.BAD_RECORD: lambda err, where: (
        f"Pass {where.spell('on_error', '--on-error')} skip to leave bad records out and list them."
    ),
    ErrorKind.WORKSPACE_BUSY: _fixed(
        "Run this again when it has finished (--no-wait does not wait)."
    ),
    ErrorKind.WORKSPACE_BUSY_TOO_LONG: _fixed(
        f"Wait longer with --wait SECONDS (or {WAIT_ENV}), or stop that command first."
    ),
    ErrorKind.NO_SHARED_SEGMENTS: _shared,
    ErrorKind.OVERLAPPING_SPAN: _overlapping,
    ErrorKind.UNKNOWN_LABELS: _fixed("Add them to labels.yml, or pass --add-labels."),
    ErrorKind.ALREADY_LABELLED: _fixed(
        "Pass --replace to replace their labels, or import under another --annotator."
    ),
    ErrorKind.TWICE_IN_FILE: _fixed(
        "Keep one record of each in the file, or pass --replace to keep the later one."
    ),
    ErrorKind.NO_GOLD_SPAN: _fixed("Try another --strategy, or resolve the conflicts."),
    ErrorKind.INSTALL_FAILED: _fixed(
        "Installing needs PyPI (or your index: set PIP_INDEX_URL or a proxy); once it is "
        "reachable, run `nerwb doccano up` again."
    ),
    ErrorKind.PACKAGE_EXISTS: _fixed("Pass --force to replace it, or give another --version."),
    ErrorKind.DIFFERENT_CUT: _different_cut,
    ErrorKind.NO_BASE_MODEL: _no_base,
    ErrorKind.BASE_NOT_TAKEN: lambda err, where: (
        f"Use configs/ner-pretrained.cfg, or leave {where.spell('base_model', '--base-model')} out."
    ),
    ErrorKind.NO_GPU: lambda err, where: (
        f"Leave {where.spell('gpu_id', '--gpu-id')} out to train on the CPU."
    ),
    ErrorKind.NEEDS_MODEL: _needs_model,
    ErrorKind.MODEL_LABELS: _model_labels,
    ErrorKind.RAY_UNREACHABLE: lambda err, where: (
        "Start one with `ray start --head --node-ip-address 127.0.0.1`, or leave "
        f"{where.spell('address', '--address')} out for a local Ray."
    ),
    ErrorKind.INPUTS_OR_CORPUS: _fixed("Give INPUT files or folders, or --corpus (not both)."),
    ErrorKind.BAD_TEXT_FIELD: lambda err, where: (
        f"Choose the field with {where.spell('text_col', '--text-col')}."
    ),
    ErrorKind.BAD_MODEL: _fixed("Give a trained model folder such as training/<run>/model-best."),
    ErrorKind.BAD_CONFIG: _fixed(
        "Fix it in the config file, or override it for one run with --section.key value."
    ),
}

# Kinds without advice: the message says what is wrong and where, and the fix is to change
# exactly that (a value, a file's content, a path); a sentence more would only repeat it.
NO_ADVICE = frozenset(
    {
        ErrorKind.BAD_SETTING,
        ErrorKind.BAD_INPUT,
        ErrorKind.MISSING_FILE,
        ErrorKind.BAD_SCHEMA,
        ErrorKind.BAD_WORKSPACE_SETTINGS,
        ErrorKind.BAD_SPLITS,
        ErrorKind.BAD_NAME,
        ErrorKind.UNWRITABLE_OUTPUT,
        ErrorKind.LABEL_MISMATCH,
        ErrorKind.TEST_LEAK,
        ErrorKind.DIFFERENT_DATA,
        ErrorKind.NOTHING_TO_DO,
        ErrorKind.MISSING_PACKAGE,
        ErrorKind.SERVER_ERROR,
        ErrorKind.RUN_FAILED,
        ErrorKind.TRAINING_INTERRUPTED,  # the message says what was kept, and where
    }
)


def advice(err: NerwbError, where: Where | None = None) -> str | None:
    """The advice for ``err``'s kind, a sentence of its own; None where there is none."""
    builder = ADVICE.get(err.kind) if err.kind else None
    return builder(err, where or Where()) if builder else None


def message(err: NerwbError, where: Where | None = None) -> str:
    """The library's message with the setting spelled as the user typed it."""
    where = where or Where()
    return err.message(where.spell(err.setting) if err.setting else None)


def explain(err: NerwbError, where: Where | None = None) -> str:
    """The whole text a CLI user reads: the message, then the advice on a line of its own."""
    lines = [message(err, where)]
    if said := advice(err, where):
        lines.append(f"  {said}")
    return "\n".join(lines)
