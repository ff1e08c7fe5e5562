"""What to run about a library error: the CLI's advice, kept out of the library's messages.

Library errors say what is wrong and carry a ``kind`` (``nerwb.errors.ErrorKind``); this table
adds the ``nerwb ...`` command or flag a CLI user runs about it, as huggingface_hub's
``CLI_ERROR_MAPPINGS`` does. A caller of the library (the demo, a benchmark, a notebook) gets the
fact without advice written for a shell.
"""

from __future__ import annotations

from nerwb.errors import ErrorKind, NerwbError
from nerwb.lock import WAIT_ENV

# Each hint is appended to the library's message as written (separator included), so the line
# a user reads is the fact, then what to run.
CLI_ERROR_MAPPINGS: dict[ErrorKind, str] = {
    ErrorKind.NO_WORKSPACE: "; run `nerwb init DIR` to make one, or pass --workspace DIR",
    ErrorKind.NO_ARTICLES: "; run `nerwb corpus add PATH...` first",
    ErrorKind.NO_SPLITS: "; run `nerwb corpus split` first",
    ErrorKind.NOT_MERGED: "; run `nerwb labels merge` first",
    ErrorKind.NO_DOCBIN: "; run `nerwb labels convert`",
    ErrorKind.NO_LABELS: (
        "; add entries (name, description, color, key) "
        "or import annotations with `nerwb labels import --add-labels`"
    ),
    ErrorKind.NO_ANNOTATIONS: (
        ": pull them with `nerwb doccano pull` or import them with `nerwb labels import`"
    ),
    ErrorKind.NO_PULL: ": run `nerwb doccano pull` first",
    ErrorKind.NO_SUGGESTIONS: (
        ": make some with `nerwb doccano suggest MODEL` "
        "(or `nerwb doccano push --suggest MODEL`), then `nerwb doccano pull`"
    ),
    ErrorKind.UNCONFIRMED: ": confirm them in Doccano, then `nerwb doccano pull`",
    ErrorKind.MISALIGNED_SPAN: (
        "; choose --on-misaligned expand|contract|skip or fix it (see `nerwb labels audit`)"
    ),
    ErrorKind.SERVER_UNREACHABLE: "; is it running? (`nerwb doccano status`)",
    ErrorKind.WORKER_TIMEOUT: "; is the import/export worker running? (`nerwb doccano status`)",
    ErrorKind.NO_SERVER: "; run `nerwb doccano up`, or set DOCCANO_URL for a remote server",
    ErrorKind.SERVER_NEVER_STARTED: "; start it once with `nerwb doccano up`",
    ErrorKind.NO_PROJECT: (
        "; push first (`nerwb doccano push`) or fix [doccano] project in nerwb.toml"
    ),
    ErrorKind.NO_ANNOTATOR_ACCOUNTS: (
        ", or create the accounts with `nerwb doccano push --annotators`"
    ),
    ErrorKind.NO_POSTGRES_SETTINGS: "; `nerwb doccano up --database postgres` sets them",
    ErrorKind.NO_SQLITE_DATA: "; start on PostgreSQL with `nerwb doccano up --database postgres`",
    ErrorKind.DATA_IN_SQLITE: (
        ". Move them first: `nerwb doccano migrate --to postgres` (copies everything, checks "
        "the counts, then switches)"
    ),
    ErrorKind.SERVER_RUNNING: "; run `nerwb doccano down` first",
    ErrorKind.PUSH_INTERRUPTED: (
        "; run the same `nerwb doccano push` again to resume (nothing is uploaded twice)"
    ),
    ErrorKind.PREDICT_INTERRUPTED: (
        "; run the same `nerwb predict` command again to resume (they are not predicted again)"
    ),
    ErrorKind.NO_ASSIGNMENT_PLAN: "; push with --annotators first",
    ErrorKind.PORT_IN_USE: "; stop it or choose another port with --port",
    ErrorKind.OUTPUT_HOLDS_RUN: "; pass --force to replace it or choose another --output",
    ErrorKind.RUN_IN_PROGRESS: "; choose another --output, or leave --output out for a new folder",
    ErrorKind.EMPTY_DEV: (
        ". Label articles of the dev split (`nerwb doccano push --split dev`), or import some "
        "with `nerwb labels import FILE --split dev`, then `nerwb labels merge` and `nerwb "
        "labels convert`; or name a dev file with --dev"
    ),
    ErrorKind.OUTPUT_HOLDS_PREDICTIONS: (
        "; pass --force to replace it (the old file stays until the new one is complete) or "
        "choose another --output"
    ),
    ErrorKind.UNFINISHED_OTHER_RUN: "; pass --force to discard it, or choose another --output",
    ErrorKind.UNREADABLE_PARTS: "; pass --force to start over",
    ErrorKind.BAD_RECORD: "; pass --on-error skip to leave bad records out and list them",
    ErrorKind.WORKSPACE_BUSY: " (--no-wait). Run this again when it has finished.",
    ErrorKind.WORKSPACE_BUSY_TOO_LONG: (
        f". Wait longer with --wait SECONDS (or {WAIT_ENV}), or stop that command first."
    ),
    ErrorKind.NO_SHARED_SEGMENTS: (
        "; push with --overlap above 0 to give segments to two annotators"
    ),
    ErrorKind.OVERLAPPING_SPAN: "; choose --on-overlap longest|skip or fix it",
    ErrorKind.UNKNOWN_LABELS: "; add them there or pass --add-labels",
    ErrorKind.ALREADY_LABELLED: (
        ". Pass --replace to replace their labels, or import under another --annotator"
    ),
    ErrorKind.TWICE_IN_FILE: (
        ". Keep one record of each in the file, or pass --replace to keep the later one"
    ),
    ErrorKind.NO_GOLD_SPAN: "; try another --strategy or resolve the conflicts",
    ErrorKind.PACKAGE_EXISTS: "; pass --force to replace it, or give another --version",
    ErrorKind.INSTALL_FAILED: (
        "\npip needs PyPI (or your index; set PIP_INDEX_URL or a proxy); once it is reachable, "
        "run `nerwb doccano up` again"
    ),
}

# Where the error was about an option, what else the user can do with it.
_SETTING_HINTS: dict[tuple[ErrorKind, str], str] = {
    (ErrorKind.NO_SPLITS, "--split"): ", or leave --split out",
    (ErrorKind.NO_DOCBIN, "paths"): " or fix the path",
    (ErrorKind.NO_SHARED_SEGMENTS, "include_unconfirmed"): ", or pass --include-unconfirmed",
}


def hint(err: NerwbError) -> str:
    """The advice for ``err``'s kind (and setting), with its separator; "" when there is none."""
    if err.kind is None:
        return ""
    extra = _SETTING_HINTS.get((err.kind, err.setting or ""), "")
    return CLI_ERROR_MAPPINGS.get(err.kind, "") + extra


def with_hint(err: NerwbError) -> str:
    """The line a CLI user reads: the library's message with the advice after the fact.

    A Doccano error's status and URL come after the advice, as they did when the library wrote
    the whole line (``server_message`` is the message without them).
    """
    text = str(err)
    head = getattr(err, "server_message", text)
    if not text.startswith(head):
        head = text
    return head + hint(err) + text[len(head) :]
