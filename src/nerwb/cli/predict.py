"""``nerwb predict``: run a trained model over new articles or the workspace corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from nerwb.choices import SPLIT_NAMES
from nerwb.cli._common import console, err_console, warn, workspace
from nerwb.cli._hints import with_hint
from nerwb.cli._options import WorkspaceOpt, output_option
from nerwb.cli._progress import show_progress
from nerwb.errors import PredictError
from nerwb.predict.options import DEFAULT_PART_SIZE, Engine, OnError
from nerwb.predict.output import OutputFormat


def predict_cmd(
    model: Annotated[
        Path, typer.Argument(help="A trained pipeline folder, e.g. training/<run>/model-best.")
    ],
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders (.txt .md .html .jsonl .csv), as `corpus add` reads."
        ),
    ] = None,
    output: Annotated[
        Path, output_option("Output file: .jsonl, or .parquet (needs pyarrow).")
    ] = Path("predictions.jsonl"),
    corpus: Annotated[
        bool, typer.Option("--corpus", help="Predict on the workspace corpus instead of INPUT.")
    ] = False,
    split: Annotated[
        str | None, typer.Option(help="With --corpus: only this split (train, dev or test).")
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", help="records: nerwb's; doccano: Doccano-importable JSONL."),
    ] = OutputFormat.RECORDS,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="Leave each article's text out of the records.")
    ] = False,
    engine: Annotated[Engine, typer.Option(help="local (nlp.pipe) or ray (Ray Data).")] = (
        Engine.LOCAL
    ),
    n_process: Annotated[int, typer.Option(help="Local engine: worker processes.")] = 1,
    batch_size: Annotated[int, typer.Option(help="Texts per nlp.pipe / Ray batch.")] = 64,
    address: Annotated[
        str | None,
        typer.Option(help="Ray engine: join the cluster at HOST:PORT (default: a local Ray)."),
    ] = None,
    actors: Annotated[int, typer.Option(help="Ray engine: model copies (one CPU each).")] = 2,
    on_error: Annotated[
        OnError, typer.Option(help="A bad input record: fail, or skip it and list it.")
    ] = OnError.FAIL,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an output or unfinished run of another job.")
    ] = False,
    part_size: Annotated[
        int, typer.Option(help="Articles per part file (what an interruption can cost).")
    ] = DEFAULT_PART_SIZE,
    max_length: Annotated[
        int | None,
        typer.Option(help="Cut articles longer than this (default: the model's nlp.max_length)."),
    ] = None,
    text_col: Annotated[str, typer.Option(help="CSV/JSONL field holding the text.")] = "text",
    id_col: Annotated[str, typer.Option(help="CSV column holding the article id.")] = "id",
    title_col: Annotated[str, typer.Option(help="CSV column holding the title.")] = "title",
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Predict entities with a trained model; one record per article, resumable.

    Example: nerwb predict training/run1/model-best news/ wire.jsonl -o preds.jsonl
    """
    from nerwb.corpus.readers import ReadOptions
    from nerwb.predict.inputs import InputSource
    from nerwb.predict.run import PredictInterrupted, predict

    if corpus == bool(inputs):
        raise PredictError("give INPUT files or folders, or --corpus (not both, not neither)")
    if split is not None and (not corpus or split not in SPLIT_NAMES):
        raise PredictError(f"--split goes with --corpus and is one of {', '.join(SPLIT_NAMES)}")
    options = ReadOptions(text_col=text_col, id_col=id_col, title_col=title_col)
    source = (
        InputSource(workspace=workspace(workspace_dir), split=split)
        if corpus
        else InputSource(paths=tuple(inputs or ()), options=options)
    )
    with show_progress(console, "Predicting", unit="doc", rate=True) as bar:
        try:
            report = predict(
                model,
                source,
                output,
                fmt=fmt,
                include_text=not no_text,
                engine=engine,
                n_process=n_process,
                batch_size=batch_size,
                part_size=part_size,
                on_error=on_error,
                force=force,
                max_length=max_length,
                address=address,
                actors=actors,
                on_progress=bar,
            )
        except PredictInterrupted as interrupted:
            bar.stop()
            err_console.print(f"[yellow]{escape(with_hint(interrupted))}[/]")
            raise typer.Exit(130) from None
    if report.skipped:
        warn(f"{len(report.skipped)} bad input record(s) skipped; listed in {report.skipped_path}")
        for bad in report.skipped[:5]:
            warn(f"  {bad.error}")
    extra = []
    if report.resumed:
        extra.append(f"{report.resumed} from the interrupted run")
    if report.duplicates:
        extra.append(f"{report.duplicates} repeated id(s) predicted once")
    console.print(
        f"[green]Wrote {report.records} record(s)[/] to {report.output}"
        + (f" ({'; '.join(extra)})" if extra else "")
        + f"; {report.predicted} predicted in {report.seconds:.1f} s"
        + f" ({report.docs_per_second:,.1f} docs/s, {report.words / max(report.seconds, 1e-9):,.0f} words/s)"
        + f" with {report.model.name} (hash of {report.model.hash_of}: {report.model.hash[:12]})."
    )
