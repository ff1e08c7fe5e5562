"""``nerwb demo``: the whole loop on the shipped demo corpus (the README's main job)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from nerwb.cli._common import console, workspace
from nerwb.cli._options import WorkspaceOpt, port_option
from nerwb.cli._progress import ProgressDisplay
from nerwb.demo import DEMO_STEPS
from nerwb.progress import ProgressEvent

if TYPE_CHECKING:
    from nerwb.demo.loop import DemoStage
    from nerwb.training.run import StepEvent


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
    from nerwb.demo.loop import run_demo  # spaCy and scikit-learn: only when the demo runs

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

    def on_stage(stage: DemoStage, info: str) -> None:
        if stage.trained:
            bar.stop()
        console.print(f"[bold cyan]{stage:>22}[/]  {info}")
        if stage.trains_next:
            bar.reset(total=steps)
            bar.start()

    def on_step(event: StepEvent) -> None:
        bar(ProgressEvent("training", event.step, steps, "step"))

    console.print(
        "[bold]nerwb demo[/]: the whole loop on the shipped demo corpus. "
        "demo_alice and demo_bob are [italic]simulated[/] annotators (a demo device)."
    )
    try:
        result = run_demo(
            ws, port=port, limit=limit, steps=steps, on_stage=on_stage, on_train_step=on_step
        )
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
