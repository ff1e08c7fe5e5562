"""``nerwb demo``: the whole loop on the shipped demo corpus (the README's main job)."""

from __future__ import annotations

from typing import Annotated

import typer

from nerwb.cli._common import console, workspace
from nerwb.cli._options import WorkspaceOpt, port_option
from nerwb.cli._progress import ProgressDisplay
from nerwb.demo import DEMO_STEPS
from nerwb.progress import ProgressEvent


def demo_cmd(
    port: Annotated[
        int | None, port_option("Port of the local Doccano (default: nerwb.toml).")
    ] = None,
    steps: Annotated[int, typer.Option(help="Training steps.")] = DEMO_STEPS,
    limit: Annotated[int | None, typer.Option(help="Use only the first N demo articles.")] = None,
    workspace_dir: WorkspaceOpt = None,
) -> None:
    """Run the whole loop on the demo corpus: Doccano, two (simulated) annotators, training, report.

    Example: nerwb demo --steps 300
    """
    from nerwb.demo.loop import DemoStage, run_demo  # spaCy, scikit-learn: when the demo runs

    ws = workspace(workspace_dir)
    bar = ProgressDisplay(
        console,
        "  training",
        total=steps,
        unit="step",
        rate=False,
        transient=False,
        spinner=False,
        plain_lines=False,  # in a log, the stage lines say enough
    )

    def on_progress(event: ProgressEvent) -> None:
        if event.unit != "stage":  # a training step
            bar(ProgressEvent("training", event.done, steps, "step"))
            return
        stage = DemoStage(event.stage)
        if stage.trained:
            bar.stop()
        console.print(f"[bold cyan]{stage:>22}[/]  {event.item}")
        if stage.trains_next:
            bar.reset(total=steps)
            bar.start()

    console.print(
        "[bold]nerwb demo[/]: the whole loop on the shipped demo corpus. "
        "demo_alice and demo_bob are [italic]simulated[/] annotators (a demo device)."
    )
    try:
        result = run_demo(ws, port=port, limit=limit, steps=steps, on_progress=on_progress)
    finally:
        bar.stop()
    console.print()
    console.print(f"[green bold]Report:[/] {result.report}")
    console.print(
        f"Doccano is still running at [bold]{result.url}[/] with the project and both annotators' labels."
    )
    if result.credentials:
        console.print(
            f"Admin login: {result.credentials} (mode 0600). Stop it with `nerwb doccano down`."
        )
