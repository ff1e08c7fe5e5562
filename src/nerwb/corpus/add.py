"""``nerwb corpus add``: articles from files and folders into the corpus, as one use case.

Which files to read (a folder walk skips hidden folders and every workspace's own files), how
to read them (``ReadOptions``), what a bad record does (``OnError``), under the workspace lock,
into ``corpus/articles.jsonl`` through the store, which checks every record before it writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nerwb.choices import OnError
from nerwb.corpus.model import RawArticle
from nerwb.corpus.readers import (
    FileSelection,
    ReadOptions,
    read_articles,
    read_articles_skipping,
    select_files,
)
from nerwb.corpus.store import AddReport, add_articles
from nerwb.errors import ErrorKind, InputError, recast
from nerwb.io import check_output_file
from nerwb.lock import workspace_lock
from nerwb.progress import OnProgress
from nerwb.workspace import Workspace

ADD_COMMAND = "corpus add"  # what a second writer is told holds the workspace lock


@dataclass(frozen=True)
class AddOptions:
    """Files and folders to add (``paths``), how to read them (``read``: the CSV/JSONL fields),
    what a bad record does (``on_error``: fail, nothing added; or skip it and list it), and the
    seconds to wait for the workspace lock (``lock_wait``; None: the default, 0: not at all)."""

    paths: tuple[Path, ...]
    read: ReadOptions = field(default_factory=ReadOptions)
    on_error: OnError = OnError.FAIL
    lock_wait: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", tuple(Path(p) for p in self.paths))
        object.__setattr__(self, "on_error", OnError(self.on_error))


@dataclass
class CorpusAdded:
    """What ``add_to_corpus`` did: the store's report, which files were read and which skipped
    or ignored, and the bad records left out (``OnError.SKIP``)."""

    stored: AddReport
    selection: FileSelection
    bad: list[InputError] = field(default_factory=list)


def add_to_corpus(
    ws: Workspace, options: AddOptions, *, on_progress: OnProgress | None = None
) -> CorpusAdded:
    """Read ``options.paths`` and add their articles to the workspace's corpus, exact
    duplicates skipped and counted, under the workspace lock.

    ``on_progress`` hears of a wait for the lock, and of the articles read as they come.

    Raises:
        OutputError: ``corpus/articles.jsonl`` cannot be written (before anything is read).
        InputError: no file nerwb reads among the paths (kind ``NOTHING_TO_DO``); under
            ``OnError.FAIL``, a bad record (kind ``BAD_RECORD``: nothing was added); an id
            that already names an article with another text.
        WorkspaceBusyError: another command held the lock past ``options.lock_wait``.
    """
    check_output_file(ws.articles_path)
    selection = select_files(list(options.paths), workspace_root=ws.root)
    if not selection.files and (note := selection.ignored_note()):
        raise InputError(
            f"no article to add from {', '.join(map(str, options.paths))}: {note}",
            kind=ErrorKind.NOTHING_TO_DO,
        )
    bad: list[InputError] = []
    with workspace_lock(ws, ADD_COMMAND, wait=options.lock_wait, on_wait=on_progress):
        articles = (
            read_articles_skipping(selection.files, options.read, bad)
            if options.on_error is OnError.SKIP
            else _refused_whole(read_articles(selection.files, options.read))
        )
        stored, _ = add_articles(ws.articles_path, articles, on_progress=on_progress)
    return CorpusAdded(stored, selection, bad)


def _refused_whole(articles: Iterator[RawArticle]) -> Iterator[RawArticle]:
    """The articles; a bad record's error (not the store's own) is a bad record that fails the
    whole run: nothing is added."""
    try:
        yield from articles
    except InputError as err:
        raise recast(
            err, InputError, more="; nothing was added", kind=ErrorKind.BAD_RECORD
        ) from None
