"""``nerwb evaluate`` and ``nerwb compare``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nerwb.cli._common import console, warn, workspace
from nerwb.cli._options import BootstrapOpt, BootstrapSeedOpt, JsonOpt, WorkspaceOpt, output_option
from nerwb.cli._progress import show_progress
from nerwb.io import check_output_folder
from nerwb.labels.policies import MisalignedPolicy, OverlapPolicy, SpanPolicies

if TYPE_CHECKING:
    from nerwb.evaluate.metrics import EvalMetrics


ModelArg = Annotated[
    Path, typer.Argument(help="A trained pipeline folder, e.g. training/<run>/model-best.")
]
GoldDataArg = Annotated[
    Path | None,
    typer.Argument(
        help="Gold data: .spacy, Doccano .jsonl or CoNLL/IOB (default: labels/test.spacy)."
    ),
]
ReportOpt = Annotated[
    Path | None, output_option("Report folder (default: evaluate/<model>-<UTC time>).")
]
MisalignedOpt = Annotated[
    MisalignedPolicy,
    typer.Option(help="For .jsonl/CoNLL data: a span not on token boundaries."),
]
OverlapOpt = Annotated[
    OverlapPolicy, typer.Option(help="For .jsonl/CoNLL data: spans that overlap.")
]
TrainDataOpt = Annotated[
    Path | None,
    typer.Option(
        "--train-data",
        help="The model's training data, for recall on seen and unseen names "
        "(default: what the run's manifest.json records).",
    ),
]


def evaluate_cmd(
    model: ModelArg,
    data: GoldDataArg = None,
    output: ReportOpt = None,
    bootstrap: BootstrapOpt = 1000,
    seed: BootstrapSeedOpt = 0,
    on_misaligned: MisalignedOpt = MisalignedPolicy.ERROR,
    on_overlap: OverlapOpt = OverlapPolicy.ERROR,
    train_data: TrainDataOpt = None,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Score a model on held-out data: P/R/F per label and schema, intervals, errors, reports,
    and recall on names seen and not seen in training.

    Example: nerwb evaluate training/ner-accuracy-20261125T120000Z/model-best
    """
    from nerwb.evaluate.options import EvaluateContext, EvaluateOptions

    ws = workspace(workspace_dir)
    # every argument before spaCy and scikit-learn load (a dozen seconds on a busy machine)
    check_output_folder(output or ws.evaluate_dir)
    options = EvaluateOptions(
        model=model,
        data=data or ws.docbin_path("test"),
        output=output,
        bootstrap=bootstrap,
        seed=seed,
        policies=SpanPolicies(on_misaligned, on_overlap),
        train_data=train_data,
    )
    from nerwb.evaluate.held_out import seen_in_training
    from nerwb.evaluate.run import evaluate  # scikit-learn, matplotlib: only when evaluating

    seen = seen_in_training(model, options.data)
    if seen:
        _say_all_in_training(seen, options.data, model)
    with show_progress(console, "Predicting", unit="doc") as bar:
        run = evaluate(options, EvaluateContext.of(ws), on_progress=bar)
    if not seen:  # the whole file was said above
        _say_in_training(run.in_training, run.metrics.n_docs, model)
    _show_scores(run.metrics)
    print_seen_unseen(run.metrics)
    _show_notes(run.metrics)
    console.print(
        f"{run.metrics.words_per_second:,.0f} words/s. Report: [bold]{run.folder / 'report.html'}[/] (also report.md, metrics.json, errors.jsonl, confusion.png, per_label.png)"
    )


def _say_all_in_training(seen: str, data: Path, model: Path) -> None:
    warn(
        f"{data} is the {'training' if seen == 'train' else 'dev'} data of this model "
        f"({Path(model).parent / 'manifest.json'}): "
        + (
            "it learnt from these documents, so the figures are not held-out"
            if seen == "train"
            else "model-best was chosen on these documents, so the figures are optimistic"
        )
        + "; evaluate on labels/test.spacy for held-out figures"
    )


def _show_scores(m: EvalMetrics) -> None:
    """The table of P/R/F per schema and label, with intervals and support."""
    from nerwb.evaluate.metrics import NO_SUPPORT, few_docs_note

    table = Table(title=f"{m.n_docs} docs, {m.n_gold} gold, {m.n_pred} predicted")
    for column in ("", "P", "R", "F", "F 95% CI", "support"):
        table.add_column(column, justify="left" if not column else "right")
    for schema, s in m.micro.items():
        ci = m.micro_f_ci95 if schema == "strict" else None
        table.add_row(
            f"micro {schema}",
            f"{s.p:.3f}",
            f"{s.r:.3f}",
            f"{s.f:.3f}",
            f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else "",
            "",
        )
    for label, s in m.per_label.items():
        cells = (
            [f"{s.p:.3f}", f"{s.r:.3f}", f"{s.f:.3f}", f"{s.f_ci95[0]:.3f}-{s.f_ci95[1]:.3f}"]
            if s.support
            else [NO_SUPPORT] * 4  # the reports' rule: no gold span, no P/R/F or interval
        )
        table.add_row(label, *cells, str(s.support))
    console.print(table)
    if not all(s.support for s in m.per_label.values()):
        console.print(f"{NO_SUPPORT}: no gold span of that label in this data.")
    if note := few_docs_note(m.n_docs):
        warn(note)


def _show_notes(m: EvalMetrics) -> None:
    conversion = m.conversion
    if conversion.changed or conversion.skipped:
        warn(
            f"converting the gold data changed {conversion.changed} and dropped "
            f"{conversion.skipped} of {conversion.spans_in} span(s) "
            f"(--on-misaligned {conversion.on_misaligned}, --on-overlap {conversion.on_overlap}); "
            "each is listed under conversion.events in metrics.json"
        )
    if m.unseen_labels:
        warn(f"labels in the data that the model never saw: {', '.join(m.unseen_labels)}")


def _say_in_training(in_training: dict[str, list[str]], n_docs: int, model: Path) -> None:
    """A warning per split for evaluated documents the model's run trained or selected on."""
    manifest = Path(model).parent / "manifest.json"
    for split, ids in sorted(in_training.items(), reverse=True):  # train, then dev
        shown = ", ".join(repr(i) for i in ids[:3]) + (", ..." if len(ids) > 3 else "")
        consequence = (
            "it learnt from them, so the figures are not held-out"
            if split == "train"
            else "model-best was chosen on them, so the figures are optimistic"
        )
        warn(
            f"{len(ids)} of the {n_docs} evaluated document(s) are articles of this model's "
            f"{'training' if split == 'train' else 'dev'} data ({shown}; per {manifest}): "
            f"{consequence}; evaluate on articles it has not seen (labels/test.spacy)"
        )


def print_seen_unseen(m: EvalMetrics) -> None:
    """The seen/unseen names tables (unseen first: what an analyst wants found), or the one line
    saying why they are left out.

    Two tables of five columns, not one of nine: each fits an 80-column terminal with the label
    names whole (report.md, report.html and metrics.json keep the one wide table).
    """
    from nerwb.evaluate.report import SEEN_UNSEEN_HEADER, seen_unseen_rows

    rows = seen_unseen_rows(m)
    if m.seen_unseen is None:
        console.print(
            f"Seen/unseen names: {m.seen_unseen_note or 'not measured'}; pass --train-data FILE "
            "(the model's training data) to measure them."
        )
        return
    half = (len(SEEN_UNSEEN_HEADER) - 1) // 2  # label, then the seen columns, then the unseen
    for title, first in (("unseen", 1 + half), ("seen", 1)):
        table = Table(
            title=f"Names {title} in training ({m.seen_unseen.train_names} training names)"
        )
        for column in ("label", "gold", "R", "R 95% CI", "P"):
            table.add_column(column, justify="left" if column == "label" else "right")
        for row in rows:
            table.add_row(row[0], *row[first : first + half])
        console.print(table)


def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="An evaluation folder.")],
    run_b: Annotated[Path, typer.Argument(help="Another evaluation folder on the same data.")],
    bootstrap: BootstrapOpt = 1000,
    seed: BootstrapSeedOpt = 0,
    as_json: JsonOpt = False,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Paired bootstrap of two evaluation runs on the same documents: F difference with a 95 % interval.

    Example: nerwb compare evaluate/model-a-20261125T1200Z evaluate/model-b-20261125T1300Z
    """
    from nerwb.evaluate.options import CompareOptions

    if workspace_dir is not None:  # run folders given relative to the workspace, as -o wrote them
        root = workspace(workspace_dir).root
        run_a, run_b = (p if p.is_absolute() or p.exists() else root / p for p in (run_a, run_b))
    options = CompareOptions(run_a, run_b, bootstrap, seed)
    from nerwb.evaluate.run import compare  # numpy, scikit-learn: once the options hold

    result = compare(options)
    if result.same_note:
        warn(result.same_note)
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
        return
    table = Table(title=f"A = {run_a.name}, B = {run_b.name} ({result.resamples} paired resamples)")
    for column in ("", "F A", "F B", "A - B", "95% CI", "P(A > B)"):
        table.add_column(column, justify="left" if not column else "right")
    for name, r in result.rows.items():
        table.add_row(
            name,
            f"{r.f_a:.3f}",
            f"{r.f_b:.3f}",
            f"{r.diff:+.3f}",
            f"{r.ci95[0]:+.3f} … {r.ci95[1]:+.3f}",
            f"{r.p_a_beats_b:.2f}",
        )
    console.print(table)
    if result.seen_unseen is not None:
        _show_recall_comparison(result.seen_unseen)
    if result.seen_unseen_note:
        console.print(f"Seen/unseen names: {result.seen_unseen_note}")


def _show_recall_comparison(seen_unseen) -> None:
    """Recall of A and B on names seen and unseen in training, per label, with the paired
    interval of the difference."""

    def num(x: float | None, fmt: str = ".3f") -> str:
        return "—" if x is None else format(x, fmt)

    for group in ("unseen", "seen"):
        names = Table(title=f"Recall on {group} names (gold entities {group} in training)")
        for column in ("", "gold", "R A", "R B", "A - B", "95% CI", "P(A>B)", "P A", "P B"):
            names.add_column(column, justify="left" if not column else "right")
        for key, r in seen_unseen[group].items():
            names.add_row(
                key,
                str(r.gold_a) if r.gold_a == r.gold_b else f"{r.gold_a}/{r.gold_b}",
                num(r.recall_a),
                num(r.recall_b),
                num(r.diff, "+.3f"),
                "—" if r.ci95 is None else f"{r.ci95[0]:+.2f}…{r.ci95[1]:+.2f}",
                num(r.p_a_beats_b, ".2f"),
                num(r.precision_a, ".2f"),
                num(r.precision_b, ".2f"),
            )
        console.print(names)
