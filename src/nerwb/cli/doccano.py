"""``nerwb doccano``: run the local server, push segments, pull labels, show progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from nerwb.choices import SPLIT_NAMES, DoccanoDatabase, NameSource
from nerwb.cli._common import (
    INTERRUPTED_EXIT,
    NerwbGroup,
    console,
    err_console,
    fail,
    lock_wait,
    on_interrupt,
    show_passwords,
    warn,
    workspace,
)
from nerwb.cli._hints import Where, explain
from nerwb.cli._options import (
    ModelOpt,
    NoWaitOpt,
    SeedOpt,
    ShowPasswordsOpt,
    WaitOpt,
    WorkspaceOpt,
    comma_list,
    port_option,
)
from nerwb.cli._progress import show_progress, show_steps, show_wait, with_lock_waits
from nerwb.cli._ranking import default_order_help, selection_for, show_ranking
from nerwb.loop import default as loop_default
from nerwb.select.strategies import SelectStrategy

T = TypeVar("T")

doccano_app = typer.Typer(cls=NerwbGroup, help="Run and talk to Doccano.", no_args_is_help=True)


def _snapshots(ws) -> set[str]:
    """The pull snapshots' folder names (a staging folder starts with a dot: not one yet)."""
    if not ws.pulls_dir.is_dir():
        return set()
    return {p.name for p in ws.pulls_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}


@doccano_app.command("up")
def up_cmd(
    port: Annotated[
        int | None, port_option("Port on 127.0.0.1 (default: from nerwb.toml, 8000).")
    ] = None,
    database: Annotated[
        DoccanoDatabase | None,
        typer.Option(
            help="sqlite, or postgres: a PostgreSQL cluster in the workspace, for a team "
            "(default: nerwb.toml's, else the one in use). DOCCANO_DATABASE_URL in the "
            "environment names an existing PostgreSQL server instead.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Web server processes (default: 2 x cores + 1)."),
    ] = None,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Install (once) and start the workspace's local Doccano server on 127.0.0.1.

    Example: nerwb doccano up --port 8000
    Example: nerwb doccano up --database postgres --workers 9
    """
    from nerwb.server.local import local_server

    ws = workspace(workspace_dir)
    server = local_server(ws)
    with show_steps(console, "Starting Doccano") as steps:
        status, started = server.up(
            port=port, database=database, workers=workers, on_progress=steps
        )
    word = "Started" if started else "Already running:"
    console.print(
        f"[green]{word}[/] Doccano at {status.url} (web pid {status.web_pid}, worker pid {status.worker_pid})"
    )
    console.print(f"Database: {status.database} ({escape(status.database_where)})")
    console.print(f"Admin credentials (mode 0600): {server.credentials_path}")


@doccano_app.command("down")
def down_cmd(workspace_dir: WorkspaceOpt = None) -> None:
    """Stop the local server's web app and worker (gracefully, then firmly).

    Example: nerwb doccano down
    """
    from nerwb.server.local import local_server

    ws = workspace(workspace_dir)
    with show_steps(console, "Stopping Doccano"):
        stopped = local_server(ws).down()
    console.print(f"Stopped: {', '.join(stopped)}" if stopped else "Doccano was not running.")


@doccano_app.command("status")
def status_cmd(workspace_dir: WorkspaceOpt = None) -> None:
    """Show the server's URL, pids and health (DOCCANO_URL: the remote server's URL and health).

    Example: nerwb doccano status
    """
    from nerwb.doccano.connection import remote_url
    from nerwb.server.local import local_server

    ws = workspace(workspace_dir)
    if remote := remote_url(ws):
        _remote_status(remote)
        return
    status = local_server(ws).status()
    table = Table(show_header=False)
    table.add_row("url", status.url)
    for role in ("web", "worker"):
        pid = status.web_pid if role == "web" else status.worker_pid
        left = status.left_behind.get(role, [])
        shown = str(pid) if pid else "not running"
        if left:
            shown += (
                f"; {len(left)} process(es) it started still run (pids "
                f"{', '.join(map(str, left))}): `nerwb doccano down` stops them"
            )
        table.add_row(f"{role} pid", shown)
    table.add_row("health", "[green]healthy" if status.healthy else "[red]not healthy")
    table.add_row("database", f"{status.database} ({escape(status.database_where)})")
    if status.database is DoccanoDatabase.POSTGRES:
        table.add_row("postgres pid", str(status.database_pid or "not running"))
    table.add_row("web workers", str(status.workers or "-"))
    table.add_row("home", str(status.home))
    console.print(table)
    if not status.healthy:
        raise typer.Exit(1)


def _remote_status(url: str) -> None:
    """``DOCCANO_URL`` (or nerwb.toml's url): the server the workspace talks to is not ours to
    start or stop; say which it is and whether it answers."""
    from nerwb.doccano.client import DoccanoClient  # httpx: only to ask the server

    with DoccanoClient(url.rstrip("/"), timeout=5) as client:
        healthy = client.health()
    table = Table(show_header=False)
    table.add_row("url", escape(f"{url} (remote: DOCCANO_URL or [doccano] url)"))
    table.add_row("health", "[green]healthy" if healthy else "[red]not healthy (or unreachable)")
    console.print(table)
    if not healthy:
        raise typer.Exit(1)


class MigrateTarget(StrEnum):
    POSTGRES = "postgres"


@doccano_app.command("migrate")
def migrate_cmd(
    to: Annotated[
        MigrateTarget,
        typer.Option(
            "--to", help="Where to move the data (DOCCANO_DATABASE_URL: an existing server)."
        ),
    ],
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Move the local server's data from SQLite to PostgreSQL: copy everything, check
    examples, spans and confirmations per member, then switch (SQLite's file is kept).

    Example: nerwb doccano migrate --to postgres
    """
    from nerwb.server.local import local_server
    from nerwb.server.migrate import migrate_to_postgres

    ws = workspace(workspace_dir)
    server = local_server(ws)
    with show_steps(console, "Moving Doccano to PostgreSQL") as steps:
        report = migrate_to_postgres(server, on_progress=steps)
    table = Table(title=f"Copied {report.rows} rows; equal on both sides")
    for column in ("project / member", "examples", "spans", "confirmed"):
        table.add_column(column, justify="left" if column.startswith("project") else "right")
    for name, counts in sorted(report.members.items()):
        table.add_row(
            escape(name), str(counts["examples"]), str(counts["spans"]), str(counts["confirmed"])
        )
    console.print(table)
    console.print(
        f"[green]Switched[/] to {report.target} ({escape(report.where)}). "
        f"The SQLite file stays, untouched, at {server.sqlite_path}."
    )
    if report.restarted:
        console.print(f"Doccano runs again at {server.url()}.")


SplitsOpt = Annotated[str, typer.Option("--split", help="Comma-separated splits to push.")]
AnnotatorsOpt = Annotated[
    str | None, typer.Option(help="Comma-separated annotator accounts to create and assign.")
]
OverlapOpt = Annotated[
    float, typer.Option(help="Share of segments given to two annotators (for agreement).")
]
SelectOpt = Annotated[
    SelectStrategy | None,
    typer.Option(
        "--select",
        help="Push only the --n unpushed segments this ranks first (with --n alone: the "
        f"loop's default, {default_order_help()}).",
    ),
]
CountOpt = Annotated[int | None, typer.Option("--n", help="How many segments to choose and push.")]
SuggestOpt = Annotated[
    Path | None,
    typer.Option(
        "--suggest",
        help="A trained model folder or installed pipeline package: its spans become each "
        "assigned annotator's suggestions.",
    ),
]
RepairOpt = Annotated[
    bool,
    typer.Option(
        "--repair",
        help="Push nothing: remove the copies of segments the server holds twice that "
        "nobody labelled, commented on or confirmed.",
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Change nothing: show what the push would create, assign and upload.",
    ),
]


@doccano_app.command("push")
def push_cmd(
    splits: SplitsOpt = ",".join(SPLIT_NAMES),
    annotators: AnnotatorsOpt = None,
    overlap: OverlapOpt = 0.2,
    strategy: SelectOpt = None,
    model: ModelOpt = None,
    n: CountOpt = None,
    seed: SeedOpt = None,
    suggest: SuggestOpt = None,
    patterns: PatternsOpt = None,
    propagate: PropagateOpt = None,
    label_map: LabelMapOpt = None,
    show_passwords_: ShowPasswordsOpt = False,
    repair: RepairOpt = False,
    dry_run: DryRunOpt = False,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Push corpus segments to the Doccano project (bulk import; resumable; never twice).

    Example: nerwb doccano push --annotators alice,bob --overlap 0.3
    Example: nerwb doccano push --split train --select uncertain --model training/run/model-best --n 20
    Example: nerwb doccano push --annotators alice,bob --dry-run
    Example: nerwb doccano push --split train --n 20 --propagate gold
    """
    from nerwb.doccano.connection import connect
    from nerwb.doccano.push import PushOptions

    ws = workspace(workspace_dir)
    if repair:
        return _repair(ws, lock_wait(wait, no_wait))
    # every option before a model loads or a server starts
    options = PushOptions(
        splits=comma_list(splits),
        annotators=comma_list(annotators),
        overlap=overlap,
        lock_wait=lock_wait(wait, no_wait),
    )
    if strategy is not None or model is not None or n is not None:
        options = replace(options, selection=selection_for(ws, strategy, model, n, seed))
    asked = suggest or patterns or propagate
    suggester = suggester_for(ws, suggest, patterns, label_map, propagate) if asked else None
    with connect(ws) as client:
        if dry_run:
            return _show_plan(ws, client, options, splits)
        report = _push(ws, client, options)
    _show_push(ws, report, splits, options)
    if suggester is not None:
        _run_suggest(ws, suggester, {r["segment_id"] for r in report.rows}, options.lock_wait)
    _show_reconciled(report.reconciled_with_server, report.server_duplicates)
    show_passwords(
        report.annotators_created,
        ws.annotator_passwords_path,
        role="annotator",
        show=show_passwords_,
    )
    _show_assignments(report.assignments)


def _push(ws, client, options):
    """Run the push with a progress bar; Ctrl-C says what was uploaded and exits 130."""
    from nerwb.doccano.push import PushInterrupted, push

    with show_progress(console, "Pushing segments", spinner=True, unit="segment") as bar:
        try:
            return push(client, ws, options, on_progress=with_lock_waits(bar, err_console))
        except PushInterrupted as interrupted:
            bar.stop()
            said = explain(interrupted, Where(command="nerwb doccano push"))
            err_console.print(f"[yellow]{escape(said)}[/]")
            raise typer.Exit(INTERRUPTED_EXIT) from None


def _repair(ws, wait: float | None) -> None:
    from nerwb.doccano.connection import connect
    from nerwb.doccano.repair import repair_duplicates  # httpx: only when repairing
    from nerwb.lock import workspace_lock

    with (
        workspace_lock(ws, "doccano push --repair", wait=wait, on_wait=show_wait(err_console)),
        connect(ws) as client,
        show_steps(console, "Looking for segments pushed twice"),
    ):
        fixed = repair_duplicates(client, ws)
    console.print(
        f"Project {fixed.project.name!r}: {fixed.duplicated} segment(s) were on the server "
        f"more than once; removed {len(fixed.removed)} copy(ies) nobody labelled, "
        "commented on or confirmed."
    )
    if fixed.kept_several:
        first, ids = next(iter(fixed.kept_several.items()))
        console.print(
            f"[yellow]{len(fixed.kept_several)} segment(s) keep several copies that hold "
            f"someone's work (first: {first}, examples {', '.join(map(str, ids))}); "
            "`nerwb doccano pull` takes the confirmed copy of each.[/]"
        )


def _counts_line(splits: str, report, selection) -> str:
    """The push's counts, which add up: in the splits = already on the server + not yet (+
    chosen of those)."""
    pool = report.selected - report.already_there
    uploaded = f"[green]uploaded {report.uploaded}[/] in {report.chunks} chunk(s), failed 0"
    if selection is None:
        return (
            f"Segments in {splits}: {report.selected}; {report.already_there} already on the "
            f"server; {uploaded}."
        )
    return (
        f"Segments in {splits}: {report.selected}; {report.already_there} already on the "
        f"server, {pool} not yet. --select {selection.strategy} chose {len(report.ranked)} "
        f"of those {pool}: {uploaded}; {pool - len(report.ranked)} left for a later push."
    )


def _show_push(ws, report, splits: str, options) -> None:
    selection = options.selection
    state = "created" if report.project_created else "reused"
    console.print(f"Project {report.project.name!r} (id {report.project.id}) {state}.")
    if report.guideline in ("set", "updated"):
        console.print(
            f"Guidelines {report.guideline} from {ws.schema_path.parent / 'GUIDELINES.md'} "
            "(annotators see them in Doccano's guideline page)."
        )
    if report.span_types_created or report.span_types_updated:
        console.print(
            f"Span types created: {report.span_types_created}; updated: {report.span_types_updated}"
        )
    console.print(_counts_line(splits, report, selection))
    if selection is not None:
        show_ranking(report.ranked, title=f"Chosen by {selection.strategy} (score on each example)")
        if len(report.ranked) < report.asked_for:
            console.print(
                f"[yellow]Asked for {report.asked_for}, only {len(report.ranked)} unpushed "
                "segment(s) were left: pushed them all.[/]"
            )


def _show_reconciled(
    reconciled: bool, duplicates: dict[str, list[int]], *, verb: str = "was"
) -> None:
    if reconciled:
        console.print(f"The push ledger {verb} checked against the server's examples.")
    if duplicates:
        first, ids = next(iter(duplicates.items()))
        console.print(
            f"[yellow]{len(duplicates)} segment(s) are on the server more than once "
            f"(first: {first}, examples {', '.join(map(str, ids))}): pushes ran at once. Nothing "
            "was uploaded for them again; `nerwb doccano push --repair` removes the copies "
            "nobody labelled, commented on or confirmed.[/]"
        )


def _show_assignments(assignments: dict[str, int]) -> None:
    if assignments:
        console.print("Assigned: " + ", ".join(f"{n} {c}" for n, c in sorted(assignments.items())))
        console.print(
            "[dim]Doccano 1.8.4 shows every example to every member: the assignment is in each "
            "example's `assigned_to` metadata, and `nerwb doccano progress` counts against it.[/]"
        )


def _show_plan(ws, client, options, splits: str) -> None:
    """``push --dry-run``: the plan, computed under the workspace lock like a push; nothing
    changed on the server or on disk."""
    from nerwb.doccano.push import PUSH_COMMAND, plan_push
    from nerwb.lock import workspace_lock

    on_wait = show_wait(err_console)
    with workspace_lock(ws, PUSH_COMMAND, wait=options.lock_wait, on_wait=on_wait):
        plan = plan_push(client, ws, options)
    if plan.project is None:
        console.print(f"Would create project {plan.project_name!r}.")
    else:
        console.print(f"Project {plan.project_name!r} (id {plan.project.id}) exists.")
    if plan.guideline in ("set", "updated"):
        console.print(f"Guidelines: would be {plan.guideline} from {plan.guideline_path}.")
    if plan.span_types.created or plan.span_types.updated:
        console.print(
            f"Span types to create: {plan.span_types.created}; to update: {plan.span_types.updated}"
        )
    if plan.accounts is not None:
        console.print(
            f"Accounts to create: {', '.join(plan.accounts.create) or 'none'}; members to add: "
            f"{', '.join(plan.accounts.add) or 'none'}."
        )
    selection = options.selection
    chosen = f"; --select {selection.strategy} would choose {len(plan.ranked)}" if selection else ""
    console.print(
        f"Segments in {splits}: {plan.selected}; {plan.already_there} already on the server, "
        f"{plan.not_yet} not yet{chosen}: would upload {len(plan.rows)} in {plan.chunks} chunk(s)."
    )
    if selection is not None:
        show_ranking(plan.ranked, title=f"Would be chosen by {selection.strategy}")
    _show_reconciled(plan.reconciled_with_server, plan.server_duplicates, verb="would be")
    counts = plan.assigned_per_annotator()
    if counts:
        console.print("Would assign: " + ", ".join(f"{n} {c}" for n, c in sorted(counts.items())))
    console.print("Dry run: nothing was changed on the server or in the workspace.")


@doccano_app.command("pull")
def pull_cmd(
    confirmed_only: Annotated[
        bool, typer.Option("--confirmed-only", help="Only examples the annotator confirmed.")
    ] = False,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Export every annotator's labels into a new snapshot labels/pulls/<UTC time>/.

    Example: nerwb doccano pull --confirmed-only
    """
    from nerwb.doccano.connection import connect
    from nerwb.doccano.pull import PullOptions, PullReport, pull
    from nerwb.labels.schema import load_schema

    options = PullOptions(confirmed_only=confirmed_only)
    ws = workspace(workspace_dir)
    schema = load_schema(ws.schema_path)
    before = _snapshots(ws)

    def changed() -> str | None:
        new = sorted(_snapshots(ws) - before)
        if not new:
            return f"nothing was pulled; no new snapshot in {ws.pulls_dir}"
        return f"the snapshot {ws.pulls_dir / new[-1]} was written before the interrupt"

    def from_server(source) -> PullReport:
        title = "Reading Doccano's database" if source is not None else "Exporting from Doccano"
        with show_steps(console, title) as steps:
            how = {
                "on_progress": steps,
                "lock_wait": lock_wait(wait, no_wait),
                "on_lock_wait": show_wait(err_console),
            }
            if source is not None:
                return pull(source, ws, schema, options, **how)
            with connect(ws) as client:
                return pull(client, ws, schema, options, **how)

    with on_interrupt(changed):
        report = _local_first(ws, from_server)
    _show_pull(ws, report)


def _show_pull(ws, report) -> None:
    """The snapshot's table (per annotator, with the change since the last pull) and notes."""
    table = Table(
        title=f"Snapshot {report.snapshot.relative_to(ws.root)}",
        caption="segments, spans and articles per annotator",
    )
    for column in (
        "annotator",
        "segments",
        "assigned",
        "confirmed",
        "spans",
        "articles",
        "articles confirmed",
        "+spans",
        "-spans",
        "changed",
        "newly confirmed",
    ):
        table.add_column(column, justify="left" if column == "annotator" else "right")
    for name, s in report.annotators.items():
        d = report.diff.get(name) if report.diff else None
        table.add_row(
            name,
            str(s.segments),
            str(s.assigned),
            str(s.confirmed),
            str(s.spans),
            str(s.articles),
            str(s.articles_confirmed),
            *(
                (str(d.added), str(d.removed), str(d.changed), str(d.newly_confirmed))
                if d
                else ("-",) * 4
            ),
        )
    console.print(table)
    if report.read_from == "database":
        console.print("[dim]Read from the local server's database in one transaction.[/]")
    if report.edited_during_pull:
        console.print(
            f"[yellow]{report.edited_during_pull} confirmed segment(s) changed while the pull ran "
            f"({report.export_attempts} export(s)); each keeps the spans of the export that "
            "confirms it. Pull again later for the latest.[/]"
        )
    for name, s in report.annotators.items():
        if s.unknown_labels:
            unknown = ", ".join(f"{k} ({v})" for k, v in sorted(s.unknown_labels.items()))
            console.print(
                f"[yellow]{name}: labels not in labels.yml, kept in the snapshot: {unknown}[/]"
            )
    if report.foreign_examples:
        console.print(f"{report.foreign_examples} example(s) not pushed by nerwb were ignored.")
    if report.duplicates:
        first, ids = next(iter(report.duplicates.items()))
        console.print(
            f"[yellow]{len(report.duplicates)} segment(s) are on the server more than once "
            f"(first: {first}, examples {', '.join(map(str, ids))}); for each annotator the "
            "confirmed copy was taken, else the labelled one. `nerwb doccano push --repair` "
            "removes the copies nobody labelled, commented on or confirmed.[/]"
        )


@doccano_app.command("progress")
def progress_cmd(workspace_dir: WorkspaceOpt = None) -> None:
    """Per-annotator totals, confirmed and remaining.

    Example: nerwb doccano progress
    """
    from nerwb.doccano.connection import connect
    from nerwb.doccano.progress import progress

    ws = workspace(workspace_dir)
    with connect(ws) as client:
        state = progress(client, ws)
    of_articles = f" of {state.articles} articles" if state.articles else ""
    table = Table(
        title=f"{ws.project_name}: {state.segments} segments{of_articles}",
        caption="counts are segments",
    )
    for column in ("annotator", "assigned", "confirmed", "remaining", "articles assigned"):
        table.add_column(column, justify="left" if column == "annotator" else "right")
    for row in state.members:
        if row.assigned:
            table.add_row(
                row.annotator,
                str(row.total),
                str(row.confirmed),
                str(row.remaining),
                str(row.articles),
            )
        else:  # a member the assignment plan gives nothing
            table.add_row(row.annotator, "none", str(row.confirmed), "-", "-")
    console.print(table)
    unassigned = [row.annotator for row in state.members if not row.assigned]
    if unassigned:
        console.print(
            f"{', '.join(unassigned)}: member(s) of the project with no segment assigned "
            "(.nerwb/doccano/assignments.json); `nerwb doccano push --annotators` assigns some."
        )


PatternsOpt = Annotated[
    Path | None,
    typer.Option(
        "--patterns",
        help="A spaCy entity-ruler patterns.jsonl, or a names list labels/names.csv "
        "(with or without a model).",
    ),
]
PropagateOpt = Annotated[
    NameSource | None,
    typer.Option(
        "--propagate",
        help="Pre-annotate every known name wherever it recurs: gold (the names the team has "
        "confirmed: the training split's gold names, number phrases left out), list "
        "(labels/names.csv) or both; with or without a model.",
        show_default=False,
    ),
]
LabelMapOpt = Annotated[
    str | None,
    typer.Option(
        "--label-map",
        help="Model labels mapped to labels.yml: ORG=ARMED_GROUP,... (the model's other labels "
        "are then dropped and counted).",
    ),
]


def suggester_for(
    ws,
    model: Path | None,
    patterns: Path | None,
    label_map: str | None,
    propagate: NameSource | None = None,
):
    from nerwb.labels.patterns import propagation_patterns
    from nerwb.labels.schema import load_schema
    from nerwb.predict.suggest import load_suggester  # spaCy: only when suggesting

    pairs = {}
    for item in comma_list(label_map):
        source, sep, target = item.partition("=")
        if not sep or not source or not target:
            raise typer.BadParameter(
                f"{item!r}: expected MODEL_LABEL=LABEL", param_hint="--label-map"
            )
        pairs[source.strip()] = target.strip()
    propagation = None if propagate is None else propagation_patterns(ws, propagate)
    if propagation is not None:
        listed = f", {propagation.listed} from the names list" if propagation.listed else ""
        console.print(
            f"Propagating {len(propagation.patterns)} known name(s) ({propagation.confirmed} "
            f"confirmed in gold{listed}) wherever they recur."
        )
        if not propagation.patterns:
            warn(
                "no known names to propagate yet: `nerwb labels merge` makes gold of what the "
                "annotators confirmed"
            )
    return load_suggester(
        load_schema(ws.schema_path),
        lang=ws.language,
        model=model,
        patterns=patterns,
        label_map=pairs,
        propagation=propagation,
    )


def _local_first(ws, run: Callable[[Any], T]) -> T:
    """``run(direct access)`` on the workspace's own running local server, else (a remote
    server, or models that are not Doccano 1.8.4's) ``run(None)``: the REST path."""
    from nerwb.server.direct import DoccanoModelsChanged, direct_access

    direct = direct_access(ws)
    if direct is not None:
        try:
            return run(direct)
        except DoccanoModelsChanged as changed:  # raised before anything is read or written
            said = explain(changed)
            err_console.print(f"[yellow]{escape(said)}\n  Meanwhile, through its REST API.[/]")
    return run(None)


def _run_suggest(ws, suggester, segment_ids: set[str] | None, wait: float | None = None) -> None:
    from nerwb.doccano.connection import connect
    from nerwb.doccano.suggest import SuggestOptions, SuggestReport, suggest

    options = SuggestOptions(segment_ids=segment_ids)

    def on(direct) -> SuggestReport:
        with show_progress(
            console, "Suggesting", spinner=True, unit="segment-annotator pair"
        ) as bar:
            how = {
                "on_progress": bar,
                "lock_wait": wait,
                "on_lock_wait": show_wait(err_console),
            }
            if direct is not None:
                return suggest(direct, ws, suggester, options, **how)
            with connect(ws) as client:
                return suggest(client, ws, suggester, options, **how)

    report = _local_first(ws, on)
    console.print(
        f"Suggestions from {report.source}: [green]{report.spans_created} span(s)[/] on "
        f"{report.suggested} (segment, annotator) pair(s) of {report.pairs}; already suggested "
        f"{report.already_suggested}, skipped {report.skipped_edited} already labelled and "
        f"{report.skipped_confirmed} confirmed"
        + (f"; resumed {report.resumed} an interrupted run had begun" if report.resumed else "")
        + "."
    )
    for name, count in sorted(report.per_annotator.items()):
        console.print(f"  {name}: {count} span(s), as their own in Doccano")
    if suggester.drop:
        counts = ", ".join(
            f"{lab} {suggester.dropped.get(lab, 0)}" for lab in sorted(suggester.drop)
        )
        console.print(f"Dropped the model's spans of labels the --label-map leaves out: {counts}")


def _default_sources(ws) -> tuple[Path | None, NameSource | None]:
    """What ``doccano suggest`` proposes from when not told: ``DEFAULT_LOOP``'s sources."""
    from nerwb.loop.runs import latest_model

    table = loop_default.DEFAULT_LOOP
    model = latest_model(ws) if table.suggest_from_model else None
    if model is None and table.propagate is None:
        raise fail(
            f"no trained model in {ws.training_dir} to suggest from: train one (`nerwb train`), "
            "or name a MODEL, --patterns or --propagate"
        )
    told = [f"the latest model, {model}"] if model is not None else []
    told += (
        [f"--propagate {loop_default.DEFAULT_LOOP.propagate}"]
        if loop_default.DEFAULT_LOOP.propagate
        else []
    )
    console.print(f"Suggesting as the loop's default does: {' and '.join(told)}.")
    return model, loop_default.DEFAULT_LOOP.propagate


@doccano_app.command("suggest")
def suggest_cmd(
    model: Annotated[
        Path | None,
        typer.Argument(
            help="A trained model folder (training/<run>/model-best) or an installed pipeline "
            "package (en_core_web_sm)."
        ),
    ] = None,
    patterns: PatternsOpt = None,
    propagate: PropagateOpt = None,
    label_map: LabelMapOpt = None,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Pre-annotate pushed segments: the model's spans become each assigned annotator's own.

    Never on a segment the annotator already labelled or confirmed; never twice (a ledger in
    .nerwb/suggestions.json, resumable). Given no MODEL, --patterns or --propagate, it does
    what the loop's default says (the latest trained model's spans).

    Example: nerwb doccano suggest training/run/model-best
    Example: nerwb doccano suggest --propagate gold
    """
    ws = workspace(workspace_dir)
    if model is None and patterns is None and propagate is None:
        model, propagate = _default_sources(ws)
    suggester = suggester_for(ws, model, patterns, label_map, propagate)
    _run_suggest(ws, suggester, None, lock_wait(wait, no_wait))
