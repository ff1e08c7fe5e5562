"""``nerwb labels``: the schema, imports, audit, agreement, merge and conversion to spaCy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nerwb.choices import SPLIT_NAMES
from nerwb.cli._common import (
    NerwbGroup,
    console,
    err_console,
    lock_wait,
    show_passwords,
    workspace,
    writing,
)
from nerwb.cli._options import (
    JsonOpt,
    NoWaitOpt,
    ShowPasswordsOpt,
    SnapshotOpt,
    WaitOpt,
    WorkspaceOpt,
    comma_list,
)
from nerwb.cli._progress import show_wait
from nerwb.io import check_output_file
from nerwb.labels.formats import ImportFormat
from nerwb.labels.policies import ConvertOptions, MisalignedPolicy, OverlapPolicy
from nerwb.names import check_name

labels_app = typer.Typer(cls=NerwbGroup, help="Label schema and annotations.", no_args_is_help=True)


@labels_app.command("show")
def show_cmd(workspace_dir: WorkspaceOpt = None) -> None:
    """Print the label schema (labels/labels.yml) as a table.

    Example: nerwb labels show
    """
    from nerwb.labels.schema import load_schema

    ws = workspace(workspace_dir)
    schema = load_schema(ws.schema_path)
    table = Table(title=str(ws.schema_path.relative_to(ws.root)))
    for column in ("name", "key", "colour", "description"):
        table.add_column(column)
    for label in schema.labels:
        table.add_row(
            f"[{label.text_color} on {label.color}] {label.name} [/]",
            label.key or "",
            label.color,
            label.description,
        )
    console.print(table)


@labels_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="Annotations to import.")],
    fmt: Annotated[
        ImportFormat, typer.Option("--format", help="The file's format.")
    ] = ImportFormat.DOCCANO,
    split: Annotated[
        str | None, typer.Option(help="Pin the articles to this split (train, dev or test).")
    ] = None,
    annotator: Annotated[str, typer.Option(help="Whose annotations these are.")] = "import",
    add_labels: Annotated[
        bool, typer.Option("--add-labels", help="Add unknown labels to labels.yml.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace the annotator's labels on articles they already have with other spans.",
        ),
    ] = False,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Import existing annotations: articles join the corpus, spans become an annotator's labels.

    Example: nerwb labels import published_test.conll --format conll --split test --annotator gold
    """
    from nerwb.labels.imports import ImportOptions, import_annotations

    ws = workspace(workspace_dir)
    # checked here, before anything is touched, the lock included
    options = ImportOptions(file, fmt, annotator, split, add_labels, replace)
    report = import_annotations(
        ws,
        options,
        lock_wait=lock_wait(wait, no_wait),
        on_lock_wait=show_wait(err_console),
    )
    _show_import(report, annotator)


def _show_import(report, annotator: str) -> None:
    console.print(
        f"[green]Imported {report.articles} article(s)[/] ({report.added_to_corpus} new to the corpus) "
        f"with {report.spans} span(s) as annotator {annotator!r}"
        + (f", pinned to {report.split}" if report.split else "")
        + "."
    )
    if report.moved_to_test:
        console.print(
            f"[yellow]{len(report.moved_to_test)} document(s) of this held-out set repeat train/dev "
            f"ones: they moved to test, so nothing trains on them (first: {report.moved_to_test[0]}). "
            "Run `nerwb labels convert` again before training.[/]"
        )
    if report.kept_in_other_split:
        console.print(
            f"[yellow]{len(report.kept_in_other_split)} article(s) repeat texts already in another split "
            f"and stay there (first: {report.kept_in_other_split[0]}).[/]"
        )
    if report.labels_added:
        console.print(f"Added to labels.yml: {', '.join(report.labels_added)}")
    for replaced in report.replaced:
        console.print(f"[yellow]Replaced {annotator}'s labels of {escape(replaced.describe())}[/]")


@labels_app.command("audit")
def audit_cmd(
    snapshot: SnapshotOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any problem is found.")
    ] = False,
    limit: Annotated[
        int, typer.Option(help="Rows to show on screen (all go to the JSONL file).")
    ] = 40,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """List every problem span (alignment, overlap, edges, range, unknown label) and corpus leaks.

    Example: nerwb labels audit --strict
    """
    from nerwb.labels.options import AuditOptions

    options = AuditOptions(snapshot=snapshot.resolve() if snapshot else None)
    from nerwb.labels.audit import audit_workspace  # spaCy

    ws = workspace(workspace_dir)
    result = audit_workspace(ws, options)
    problems, sources, out = result.problems, result.sources, result.path
    table = Table(title=f"Audit of {', '.join(sources)}")
    for column in ("kind", "who", "article", "span", "text or detail", "alternatives"):
        table.add_column(column, overflow="fold")
    for p in problems[:limit]:
        span = f"{p.start}-{p.end} {p.label}" if p.start is not None else (p.label or "")
        alternatives = "; ".join(f"{k} {v[2]!r}" for k, v in p.alternatives.items())
        table.add_row(
            p.kind,
            p.annotator or "",
            p.article_id or "",
            span,
            repr(p.text) if p.text else p.detail,
            alternatives,
        )
    console.print(table)
    if len(problems) > limit:
        console.print(f"(first {limit} shown; contexts and the rest are in the JSONL file)")
    summary = ", ".join(f"{k} {v}" for k, v in result.kinds().items()) or "none"
    console.print(
        f"{len(problems)} problem(s): {summary}. All listed in {out.relative_to(ws.root)}"
    )
    if strict and problems:
        raise typer.Exit(1)


@labels_app.command("agreement")
def agreement_cmd(
    snapshot: SnapshotOpt = None,
    as_json: JsonOpt = False,
    show: Annotated[int, typer.Option(help="Disagreements to list on screen.")] = 15,
    include_unconfirmed: Annotated[
        bool,
        typer.Option(
            "--include-unconfirmed",
            help="Also count segments both have but one or both did not confirm.",
        ),
    ] = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Inter-annotator agreement: span F1 and token kappa, per label and pair, with disagreements.

    Example: nerwb labels agreement --json
    """
    from nerwb.labels.options import AgreementOptions

    options = AgreementOptions(
        snapshot=snapshot.resolve() if snapshot else None,
        include_unconfirmed=include_unconfirmed,
    )
    ws = workspace(workspace_dir)
    from nerwb.labels.agreement import measure_agreement  # scikit-learn and spaCy

    report = measure_agreement(ws, options)
    disagreements_path = ws.disagreements_path
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    table = Table(title="Agreement (exact span F1, token Cohen's kappa)")
    for column in ("label", "F1", "kappa", "agreed", "only A", "only B"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, row in report.per_label.items():
        table.add_row(
            label,
            "n/a" if row.f1 is None else f"{row.f1:.3f}",
            "n/a" if row.kappa is None else f"{row.kappa:.3f}",
            str(row.agreed),
            str(row.only_a),
            str(row.only_b),
        )
    table.add_row(
        "[bold]overall", f"{report.overall_f1:.3f}", f"{report.overall_kappa:.3f}", "", "", ""
    )
    console.print(table)
    for pair in report.pairs:
        console.print(
            f"{pair.a} vs {pair.b}: {pair.segments} shared {'' if include_unconfirmed else 'confirmed '}segment(s), "
            f"F1 {pair.counts.f1:.3f}, kappa {pair.kappa:.3f}"
        )
    console.print(
        "Disagreements: "
        + (", ".join(f"{k} {v}" for k, v in sorted(report.kinds.items())) or "none")
    )
    for d in [d for p in report.pairs for d in p.disagreements][:show]:
        console.print(f"  [{d.kind}] {d.article_id}: {escape(d.context)}")
    console.print(f"All disagreements: {disagreements_path.relative_to(ws.root)}")


@labels_app.command("merge")
def merge_cmd(
    strategy: Annotated[
        str, typer.Option(help="majority | intersection | union | prefer:NAME")
    ] = "majority",
    snapshot: SnapshotOpt = None,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Merge annotators into gold (labels/gold/gold.jsonl), listing conflicts the strategy cannot settle.

    Example: nerwb labels merge --strategy prefer:alice
    """
    from nerwb.labels.merge import MergeOptions, merge_workspace

    ws = workspace(workspace_dir)
    for target in (ws.gold_path, ws.conflicts_path):
        check_output_file(target)
    options = MergeOptions.parse(strategy, snapshot=snapshot.resolve() if snapshot else None)
    report = merge_workspace(
        ws,
        options,
        lock_wait=lock_wait(wait, no_wait),
        on_lock_wait=show_wait(err_console),
    )
    sources, conflicts_path = report.sources, ws.conflicts_path
    whole = sum(a.confirmed for a in report.gold)
    console.print(
        f"[green]Gold:[/] {report.gold_segments} segment(s), {report.spans} span(s) "
        f"({report.multi_annotator} merged from several annotators, {report.single_annotator} from one) "
        f"in {len(report.gold)} article(s), {whole} of them gold throughout; from {', '.join(sources)}"
    )
    if report.adjudicated:
        console.print(
            f"{report.adjudicated} segment(s) settled by an adjudicator's decision "
            "(the review project), whatever the strategy."
        )
    if report.unconfirmed:
        console.print(
            f"[yellow]{report.unconfirmed} segment(s) nobody confirmed are not gold "
            f"({report.unconfirmed_spans} span(s) in them left out); listed as left_out in "
            f"{ws.gold_path.relative_to(ws.root)}.[/]"
        )
    console.print(
        f"{len(report.conflicts)} conflict(s) left out of gold, listed in {conflicts_path.relative_to(ws.root)}"
    )


MisalignedOpt = Annotated[
    MisalignedPolicy, typer.Option(help="A span not on token boundaries: refuse, move or skip it.")
]
OverlapOpt = Annotated[
    OverlapPolicy, typer.Option(help="Spans that overlap: refuse, keep the longest, or skip them.")
]


@labels_app.command("convert")
def convert_cmd(
    on_misaligned: MisalignedOpt = MisalignedPolicy.ERROR,
    on_overlap: OverlapOpt = OverlapPolicy.ERROR,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Convert gold + splits to labels/{train,dev,test}.spacy with a reconciling report.

    Example: nerwb labels convert --on-misaligned expand
    """
    options = ConvertOptions(on_misaligned, on_overlap, lock_wait=lock_wait(wait, no_wait))
    ws = workspace(workspace_dir)
    for target in (*(ws.docbin_path(s) for s in SPLIT_NAMES), ws.conversion_report_path):
        check_output_file(target)
    from nerwb.labels.docbin import convert_workspace  # spaCy

    report = convert_workspace(ws, options, on_progress=show_wait(err_console))
    _show_conversion(ws, report)


def _show_conversion(ws, report) -> None:
    """The reconciling table per split and label, what was left out, and the first events."""
    table = Table(title="Conversion (spans in = written + changed + skipped)")
    for column in ("split", "docs", "label", "in", "written", "changed", "skipped"):
        table.add_column(column, justify="left" if column in ("split", "label") else "right")
    for split, by_label in report.per_split.items():
        for label, c in sorted(by_label.items()):
            table.add_row(
                split,
                str(report.docs.get(split, 0)),
                label,
                str(c.spans_in),
                str(c.written),
                str(c.changed),
                str(c.skipped),
            )
    console.print(table)
    for split in ("train", "dev", "test"):
        whole, pieces = report.whole_articles.get(split, 0), report.pieces.get(split, 0)
        if whole or pieces:
            console.print(
                f"{split}: {whole} whole article(s), {pieces} gold piece(s) of partly gold articles"
            )
        for reason, c in sorted(report.left_out.get(split, {}).items()):
            console.print(
                f"  [yellow]left out of {split} ({reason}):[/] {c.articles} article(s), "
                f"{c.segments} segment(s), {c.spans} span(s), {c.chars} character(s)"
            )
    for event in report.events[:20]:
        console.print(
            f"  {event.action} ({event.kind}) {event.article_id}: {escape(event.context)}"
        )
    if report.unsplit_articles:
        console.print(
            f"[yellow]{len(report.unsplit_articles)} gold article(s) have no split and were not converted; run `nerwb corpus split`.[/]"
        )
    console.print("Wrote " + ", ".join(str(p.relative_to(ws.root)) for p in report.paths.values()))


@labels_app.command("suggestions")
def suggestions_cmd(
    snapshot: SnapshotOpt = None,
    as_json: JsonOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """What each annotator did with the model's suggestions: accepted, changed, deleted, added.

    Example: nerwb labels suggestions --json
    """
    from nerwb.labels.suggestions import (
        RUBBER_STAMP_SEGMENTS,
        report_json,
        suggestions_in_workspace,
    )

    ws = workspace(workspace_dir)
    rows, folder = suggestions_in_workspace(ws, snapshot=snapshot.resolve() if snapshot else None)
    if as_json:
        print(json.dumps(report_json(rows), indent=2))
        return
    _show_suggestions(ws, rows, folder)
    for row in rows:
        console.print(
            f"{row.annotator}: {row.segments} suggested segment(s) confirmed, {row.pending} pending"
        )
        if row.per_origin:
            console.print(
                "  offered by: "
                + "; ".join(
                    f"{origin} {o.offered} ({o.accepted} accepted, "
                    f"{o.offered - o.accepted} changed or deleted)"
                    for origin, o in sorted(row.per_origin.items())
                )
            )
        if row.rubber_stamping:
            console.print(
                f"[yellow]{row.annotator} accepted every suggestion unchanged on all {row.segments} "
                f"confirmed segments (at least {RUBBER_STAMP_SEGMENTS}): worth a look by a lead.[/]"
            )


def _show_suggestions(ws, rows, folder: Path) -> None:
    """Per annotator and label: what was offered and what became of it."""
    table = Table(title=f"Suggestions against {folder.relative_to(ws.root)} (confirmed segments)")
    columns = (
        "annotator",
        "label",
        "offered",
        "accepted",
        "boundary",
        "label chg",
        "deleted",
        "added",
        "P",
        "R",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("annotator", "label") else "right")

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    for row in rows:
        for label, o in [*sorted(row.per_label.items()), ("all", row.total)]:
            table.add_row(
                row.annotator,
                label,
                str(o.offered),
                str(o.accepted),
                str(o.boundary_changed),
                str(o.label_changed),
                str(o.deleted),
                str(o.added),
                fmt(o.precision),
                fmt(o.recall),
            )
    console.print(table)


@labels_app.command("review")
def review_cmd(
    adjudicator: Annotated[
        str, typer.Option("--adjudicator", help="The account that settles the conflicts.")
    ],
    snapshot: SnapshotOpt = None,
    show_passwords_: ShowPasswordsOpt = False,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Send the last merge's conflicts to <project>-review in Doccano for an adjudicator.

    The adjudicator sees the union of the annotators' spans as their own (who proposed what is
    in each example's metadata), deletes the wrong ones, adds missing ones and confirms. Then
    `nerwb doccano pull` and `nerwb labels merge`: a confirmed decision wins over any strategy.

    Example: nerwb labels review --adjudicator lead
    """
    from nerwb.doccano.connection import connect
    from nerwb.doccano.review import send_to_review
    from nerwb.labels.schema import load_schema
    from nerwb.labels.snapshots import load_annotations

    ws = workspace(workspace_dir)
    check_name(adjudicator, what="--adjudicator")  # before a server is started for it
    with writing(ws, "labels review", wait, no_wait):
        annotations, _ = load_annotations(ws, snapshot.resolve() if snapshot else None)
        with connect(ws) as client:
            report = send_to_review(
                client, ws, load_schema(ws.schema_path), annotations, adjudicator=adjudicator
            )
    state = "created" if report.project_created else "reused"
    console.print(
        f"Review project {report.project.name!r} {state}: {report.sent} conflicting segment(s) "
        f"sent ({report.already_there} already there, {report.conflicts} in the merge), "
        f"{report.spans_created} proposed span(s) shown to {adjudicator}."
    )
    if report.guideline in ("set", "updated"):
        console.print(
            f"Guidelines {report.guideline} from {ws.schema_path.parent / 'GUIDELINES.md'} "
            "(the adjudicator sees them in Doccano's guideline page)."
        )
    if report.password:
        show_passwords(
            {adjudicator: report.password},
            ws.annotator_passwords_path,
            role="adjudicator",
            show=show_passwords_,
        )


@labels_app.command("patterns")
def patterns_cmd(
    include_dev: Annotated[
        bool,
        typer.Option(
            "--include-dev", help="Also take names from the dev split (then dev F is optimistic)."
        ),
    ] = False,
    labels: Annotated[
        str | None,
        typer.Option(help="Labels to list (default: those whose spans are names, not numbers)."),
    ] = None,
    min_count: Annotated[
        int, typer.Option(help="Only names seen at least this often in gold.", min=1)
    ] = 1,
    wait: WaitOpt = None,
    no_wait: NoWaitOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Write labels/patterns.jsonl (entity-ruler patterns) from the confirmed gold names.

    Lines you add by hand (a list of groups from elsewhere) are kept; only the lines nerwb
    wrote are rebuilt. The file feeds `nerwb doccano suggest --patterns`.

    Example: nerwb labels patterns --min-count 2
    """
    from nerwb.labels.options import PatternsOptions
    from nerwb.labels.patterns import build_patterns

    options = PatternsOptions(
        splits=("train", "dev") if include_dev else ("train",),
        labels=comma_list(labels) or None,
        min_count=min_count,
    )
    ws = workspace(workspace_dir)
    report = build_patterns(
        ws,
        options,
        lock_wait=lock_wait(wait, no_wait),
        on_lock_wait=show_wait(err_console),
    )
    table = Table(title=f"Names from the gold of {report.articles} article(s)")
    table.add_column("label")
    table.add_column("patterns", justify="right")
    for label, n in sorted(report.per_label.items()):
        table.add_row(label, str(n))
    console.print(table)
    for label, share in sorted(report.left_out_labels.items()):
        console.print(
            f"  left out {label}: {share:.0%} of its spans hold a number (phrases, not names; "
            "name it with --labels to list it anyway)"
        )
    console.print(
        f"Wrote {report.path.relative_to(ws.root)} ({sum(report.per_label.values())} from gold, "
        f"{report.kept_from_user} of your own kept)"
    )
