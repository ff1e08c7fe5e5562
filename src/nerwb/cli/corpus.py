"""``nerwb corpus``: add articles, split them, show statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nerwb.choices import SPLIT_NAMES, OnError
from nerwb.cli._common import (
    NerwbGroup,
    console,
    err_console,
    lock_wait,
    on_interrupt,
    warn,
    workspace,
)
from nerwb.cli._options import NoWaitOpt, WaitOpt, WorkspaceOpt
from nerwb.cli._progress import show_progress, show_wait, with_lock_waits
from nerwb.errors import InputError

corpus_app = typer.Typer(
    cls=NerwbGroup,
    help="Ingest, split and describe the articles.\n\n"
    "Example: nerwb corpus add news/ wire.jsonl && nerwb corpus split && nerwb corpus stats",
    no_args_is_help=True,
)


PathsArg = Annotated[
    list[Path], typer.Argument(help="Files or folders (.txt .md .html .jsonl .csv).")
]
TextColOpt = Annotated[str, typer.Option(help="CSV/JSONL field holding the text.")]
IdColOpt = Annotated[str, typer.Option(help="CSV column holding the article id.")]
TitleColOpt = Annotated[str, typer.Option(help="CSV column holding the title.")]
OnErrorOpt = Annotated[
    OnError,
    typer.Option(help="A bad input record: fail (nothing added), or skip it and list it."),
]


@corpus_app.command("add")
def add_cmd(
    paths: PathsArg,
    text_col: TextColOpt = "text",
    id_col: IdColOpt = "id",
    title_col: TitleColOpt = "title",
    on_error: OnErrorOpt = OnError.FAIL,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Add articles to corpus/articles.jsonl; exact duplicates are skipped and counted.

    Example: nerwb corpus add news/ extra.jsonl
    Example: nerwb corpus add export.csv --on-error skip
    """
    from nerwb.corpus.add import AddOptions, add_to_corpus
    from nerwb.corpus.readers import ReadOptions

    ws = workspace(workspace_dir)
    options = AddOptions(
        paths=tuple(paths),
        read=ReadOptions(text_col=text_col, id_col=id_col, title_col=title_col),
        on_error=on_error,
        lock_wait=lock_wait(wait, no_wait),
    )
    before = _state_of(ws.articles_path)

    def changed() -> str | None:
        if _state_of(ws.articles_path) == before:
            return f"nothing was added; {ws.articles_path} is as it was"
        return f"the articles were added to {ws.articles_path} before the interrupt"

    with (
        on_interrupt(changed),
        show_progress(console, spinner=True, transient=True, unit="article") as bar,
    ):
        added = add_to_corpus(ws, options, on_progress=with_lock_waits(bar, err_console))
    _show_added(ws, added.stored, added.selection, added.bad)


def _show_added(ws, report, selection, bad: list[InputError]) -> None:
    console.print(
        f"[green]Added {len(report.added)} article(s)[/]; {len(report.already_present)} already present, "
        f"{len(report.duplicates)} exact duplicate(s) skipped."
    )
    if note := selection.ignored_note():
        warn(note[0].upper() + note[1:])
    if bad:
        warn(f"{len(bad)} bad input record(s) skipped (--on-error skip):")
        for err in bad:
            warn(f"  {err}")
    if selection.skipped:
        examples = ", ".join(str(_shown(p, ws.root)) for p in selection.skipped[:5])
        more = ", ..." if len(selection.skipped) > 5 else ""
        console.print(
            f"Skipped {len(selection.skipped)} file(s) in hidden folders and in the own folders "
            "and files of this or a nested workspace (labels/, training/, README.md ...): "
            f"{examples}{more}; name a file to read it anyway."
        )
    if report.with_spans:
        console.print(
            f"{report.with_spans} record(s) carried labels; the corpus keeps text only. "
            "Use `nerwb labels import` to keep their spans."
        )


def _state_of(path: Path) -> tuple[int, int, int] | None:
    """What tells whether a file was rewritten: inode, size and modification time (None: none)."""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):  # the latter: add says why, first thing
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _shown(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


@corpus_app.command("split")
def split_cmd(
    reset_test: Annotated[
        bool, typer.Option("--reset-test", help="Re-split everything, test included (asks first).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Split articles into train/dev/test; articles already split never move.

    Example: nerwb corpus split
    """
    from nerwb.corpus.splits import SplitOptions, load_splits, split_workspace

    options = SplitOptions(reset_test=reset_test)
    ws = workspace(workspace_dir)
    previous = load_splits(ws.splits_path)
    if reset_test and previous and not yes:
        n_test = len(previous.ids("test"))
        if not typer.confirm(
            f"This re-splits all articles and moves the frozen test set ({n_test} articles). "
            "Scores on the old test set will no longer be comparable. Continue?",
            default=False,
        ):
            console.print("Cancelled: nothing was re-split; the test set stays as it was.")
            raise typer.Exit(1)
    with show_progress(
        console, "Indexing articles for near-duplicates", transient=True
    ) as on_progress:
        result = split_workspace(
            ws,
            options,
            on_progress=on_progress,
            lock_wait=lock_wait(wait, no_wait),
            on_lock_wait=show_wait(err_console),
        )
    counts = result.splits.counts()
    table = Table(title="Splits")
    for column in ("split", "articles", "new"):
        table.add_column(column, justify="right" if column != "split" else "left")
    for name in SPLIT_NAMES:
        table.add_row(name, str(counts[name]), str(result.newly_assigned[name]))
    console.print(table)
    console.print(
        f"{len(result.groups)} near-duplicate group(s) kept within one split. Wrote {ws.splits_path}"
    )


@corpus_app.command("stats")
def stats_cmd(workspace_dir: WorkspaceOpt = None) -> None:
    """Articles, segments and words per split; duplicates and near-duplicates found.

    Example: nerwb corpus stats
    """
    from nerwb.corpus.splits import load_splits
    from nerwb.corpus.stats import corpus_stats
    from nerwb.corpus.store import duplicates_log, load_articles, load_skipped_duplicates

    ws = workspace(workspace_dir)
    articles = load_articles(ws.articles_path)
    log = duplicates_log(ws.articles_path)
    with show_progress(
        console, "Counting segments and near-duplicates", transient=True
    ) as on_progress:
        stats = corpus_stats(
            articles,
            load_splits(ws.splits_path),
            segment_length=ws.config.corpus.segment_length,
            duplicates_skipped=len(load_skipped_duplicates(log)),
            near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
            on_progress=on_progress,
        )
    table = Table(title=f"Corpus of {ws.config.project.name}")
    for column in ("split", "articles", "segments", "words"):
        table.add_column(column, justify="right" if column != "split" else "left")
    for name, c in stats.per_split.items():
        if name == "unsplit" and not c.articles:
            continue
        table.add_row(name, str(c.articles), str(c.segments), f"{c.words:,}")
    total = stats.total
    table.add_row("[bold]total", str(total.articles), str(total.segments), f"{total.words:,}")
    console.print(table)
    console.print(f"Exact duplicates skipped: {stats.duplicates_skipped}")
    groups = stats.near_duplicate_groups
    console.print(f"Near-duplicate groups: {len(groups)} ({sum(len(g) for g in groups)} articles)")
    for group in groups[:10]:
        console.print("  " + ", ".join(group))
