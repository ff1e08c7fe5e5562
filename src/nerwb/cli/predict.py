"""``nerwb predict``: run a trained model over new articles or the workspace corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from nerwb.choices import SPLIT_NAMES, OnError
from nerwb.cli._common import INTERRUPTED_EXIT, console, err_console, warn, workspace
from nerwb.cli._hints import Where, explain
from nerwb.cli._options import WorkspaceOpt, output_option
from nerwb.cli._progress import show_progress
from nerwb.errors import SETTING, ErrorKind, PredictError
from nerwb.predict.options import DEFAULT_PART_SIZE, Engine, PredictOptions
from nerwb.predict.output import OutputFormat

ModelArg = Annotated[
    Path, typer.Argument(help="A trained pipeline folder, e.g. training/<run>/model-best.")
]
InputsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Files or folders (.txt .md .html .jsonl .csv), as `corpus add` reads."),
]
PredictionsOpt = Annotated[Path, output_option("Output file: .jsonl, or .parquet (needs pyarrow).")]
CorpusOpt = Annotated[
    bool, typer.Option("--corpus", help="Predict on the workspace corpus instead of INPUT.")
]
SplitOpt = Annotated[
    str | None, typer.Option(help="With --corpus: only this split (train, dev or test).")
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", help="records: nerwb's; doccano: Doccano-importable JSONL."),
]
NoTextOpt = Annotated[
    bool, typer.Option("--no-text", help="Leave each article's text out of the records.")
]
EngineOpt = Annotated[Engine, typer.Option(help="local (nlp.pipe) or ray (Ray Data).")]
ProcessesOpt = Annotated[int, typer.Option(help="Local engine: worker processes.")]
BatchOpt = Annotated[int, typer.Option(help="Texts per nlp.pipe / Ray batch.")]
AddressOpt = Annotated[
    str | None,
    typer.Option(help="Ray engine: join the cluster at HOST:PORT (default: a local Ray)."),
]
ActorsOpt = Annotated[int, typer.Option(help="Ray engine: model copies (one CPU each).")]
OnErrorOpt = Annotated[
    OnError, typer.Option(help="A bad input record: fail, or skip it and list it.")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace an output or unfinished run of another job.")
]
PartSizeOpt = Annotated[
    int, typer.Option(help="Articles per part file (what an interruption can cost).")
]
MaxLengthOpt = Annotated[
    int | None,
    typer.Option(help="Cut articles longer than this (default: the model's nlp.max_length)."),
]
TextColOpt = Annotated[str, typer.Option(help="CSV/JSONL field holding the text.")]
IdColOpt = Annotated[str, typer.Option(help="CSV column holding the article id.")]
TitleColOpt = Annotated[str, typer.Option(help="CSV column holding the title.")]


def predict_cmd(
    model: ModelArg,
    inputs: InputsArg = None,
    output: PredictionsOpt = Path("predictions.jsonl"),
    corpus: CorpusOpt = False,
    split: SplitOpt = None,
    fmt: FormatOpt = OutputFormat.RECORDS,
    no_text: NoTextOpt = False,
    engine: EngineOpt = Engine.LOCAL,
    n_process: ProcessesOpt = 1,
    batch_size: BatchOpt = 64,
    address: AddressOpt = None,
    actors: ActorsOpt = 2,
    on_error: OnErrorOpt = OnError.FAIL,
    force: ForceOpt = False,
    part_size: PartSizeOpt = DEFAULT_PART_SIZE,
    max_length: MaxLengthOpt = None,
    text_col: TextColOpt = "text",
    id_col: IdColOpt = "id",
    title_col: TitleColOpt = "title",
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Predict entities with a trained model; one record per article, resumable.

    Example: nerwb predict training/run1/model-best news/ wire.jsonl -o preds.jsonl
    """
    from nerwb.corpus.readers import ReadOptions

    read = ReadOptions(text_col=text_col, id_col=id_col, title_col=title_col)
    options = PredictOptions(
        model=model,
        source=_source(inputs, corpus, split, read, workspace_dir),
        output=output,
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
    )
    _show_predicted(_predict(options))


def _source(inputs: list[Path] | None, corpus: bool, split: str | None, read, workspace_dir):
    """The articles to predict: INPUT files and folders, or the workspace corpus (one split)."""
    from nerwb.predict.inputs import InputSource

    if corpus == bool(inputs):
        raise PredictError(
            "input files or folders and the workspace corpus: one of them, not both",
            kind=ErrorKind.INPUTS_OR_CORPUS,
        )
    if split is not None and (not corpus or split not in SPLIT_NAMES):
        raise PredictError(
            f"{SETTING} goes with --corpus and is one of {', '.join(SPLIT_NAMES)}",
            kind=ErrorKind.BAD_SETTING,
            setting="split",
        )
    if corpus:
        return InputSource(workspace=workspace(workspace_dir), split=split)
    return InputSource(paths=tuple(inputs or ()), options=read)


def _predict(options: PredictOptions):
    """Run the prediction with a progress bar; Ctrl-C says what is kept and exits 130."""
    from nerwb.predict.run import PredictInterrupted, predict

    with show_progress(console, "Predicting", unit="doc", rate=True) as bar:
        try:
            return predict(options, on_progress=bar)
        except PredictInterrupted as interrupted:
            bar.stop()
            said = explain(interrupted, Where(command="nerwb predict"))
            err_console.print(f"[yellow]{escape(said)}[/]")
            raise typer.Exit(INTERRUPTED_EXIT) from None


def _show_predicted(report) -> None:
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
