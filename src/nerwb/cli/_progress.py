"""The one place the CLI draws progress: a Rich bar on a terminal, plain lines elsewhere.

Every long library call reports ``nerwb.progress.ProgressEvent``s; ``show_progress()`` turns them
into a bar (stage, bar, done/total, elapsed, optionally a rate) when stdout is a terminal, and
into a few plain lines (``Pushing segments: 40/120 segment(s)``) when it is not (a log file, CI,
nohup), where a bar's redraws would be noise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from nerwb.lock import WAIT_STAGE
from nerwb.progress import OnProgress, ProgressEvent

PLAIN_EVERY_S = 10.0  # in a log, one line per stage at most this often, and one at its end


class ProgressDisplay:
    """Call it with each event; ``stop()`` ends a bar early (before an error is printed)."""

    def __init__(
        self,
        console: Console,
        label: str | None,
        *,
        total: int | None,
        unit: str,
        rate: bool,
        transient: bool,
        spinner: bool,
        note: str | None = None,
        fields: dict[str, Any] | None = None,
        plain_lines: bool = True,
        refresh_per_second: float = 10,
    ):
        self.console, self.label, self.rate = console, label, rate
        self.plain = not console.is_terminal
        self.plain_lines = plain_lines
        self.transient = transient
        self.started = time.perf_counter()
        # In a log, the first count comes after PLAIN_EVERY_S of work (a count of the first
        # item says nothing of a stage; "Reading: 1 article(s)" read as the total), except a
        # stage's start at 0 of N.
        self._last_line = self.started
        self._lines = 0
        self._last: ProgressEvent | None = None
        self._unit = unit
        self._bar: Progress | None = None
        if not self.plain:
            columns = [
                *([SpinnerColumn()] if spinner else []),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                *([TextColumn("{task.fields[rate]}")] if rate else []),
                *([TextColumn(note)] if note else []),
                TimeElapsedColumn(),
            ]
            self._bar = Progress(
                *columns,
                console=console,
                transient=transient,
                refresh_per_second=refresh_per_second,
            )
            self._task = self._bar.add_task(label or "", total=total, rate="", **(fields or {}))

    def __call__(self, event: ProgressEvent) -> None:
        self._last = event
        self._unit = event.unit
        seconds = max(time.perf_counter() - self.started, 1e-9)
        if self._bar is not None:
            fields = {"rate": f"{event.done / seconds:,.0f} {event.unit}s/s"} if self.rate else {}
            description = self.label or event.stage
            if event.item:
                description = f"{description} {event.item}"
            self._bar.update(
                self._task,
                completed=event.done,
                total=event.total,
                description=description,
                **fields,
            )
            return
        now = time.perf_counter()
        starting = event.done == 0 and self._lines == 0
        if (
            self.plain_lines
            and (starting or now - self._last_line >= PLAIN_EVERY_S)
            and event.done != event.total
        ):
            self._last_line = now
            self._line(event)

    def set(self, **fields: Any) -> None:
        """Update the bar's own fields (``note``'s placeholders): training's best F."""
        if self._bar is not None:
            self._bar.update(self._task, **fields)

    def freeze(self) -> float:
        """Stop the clock now and return the seconds shown: the last frame and a summary printed
        after it agree (Rich stops its clock when the last step comes, not when work ends)."""
        if self._bar is None:
            return time.perf_counter() - self.started
        self._bar.stop_task(self._task)
        state = self._bar.tasks[0]
        state.finished_time = state.elapsed
        return float(state.finished_time or 0)

    def reset(self, total: int | None = None) -> None:
        """Start the bar again from zero (the demo's second training)."""
        self._last = None
        self.started = self._last_line = time.perf_counter()
        self._lines = 0
        if self._bar is not None:
            self._bar.reset(self._task, total=total)

    def start(self) -> None:
        if self._bar is not None:
            self._bar.start()

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()

    def finish(self) -> None:
        """The last line in a log: where the stage ended and how long it took (for a transient
        display only when it printed counts before, so that a log never ends mid-count)."""
        if (
            self.plain
            and self.plain_lines
            and (not self.transient or self._lines)
            and self._last is not None
        ):
            self._line(self._last, final=True)
            self._last = None

    def _line(self, event: ProgressEvent, *, final: bool = False) -> None:
        of = f"/{event.total}" if event.total is not None else ""
        seconds = time.perf_counter() - self.started
        tail = f" in {seconds:.1f} s" if final else ""
        self._lines += 1
        self.console.print(f"{self.label or event.stage}: {event.done}{of} {event.unit}(s){tail}")


@contextmanager
def show_progress(
    console: Console,
    label: str | None = None,
    *,
    total: int | None = None,
    unit: str = "item",
    rate: bool = False,
    transient: bool = False,
    spinner: bool = False,
    note: str | None = None,
    fields: dict[str, Any] | None = None,
    plain_lines: bool = True,
    refresh_per_second: float = 10,
) -> Iterator[ProgressDisplay]:
    """A progress display for one stage; yields the callback to pass as ``on_progress``.

    ``label`` is what the bar says (default: each event's ``stage``); ``rate`` adds done per
    second; ``transient`` clears the bar when done; ``note`` is an extra column over ``fields``
    (set with ``set``); ``plain_lines=False`` when the command prints its own lines in a log.
    """
    display = ProgressDisplay(
        console,
        label,
        total=total,
        unit=unit,
        rate=rate,
        transient=transient,
        spinner=spinner,
        note=note,
        fields=fields,
        plain_lines=plain_lines,
        refresh_per_second=refresh_per_second,
    )
    display.start()
    try:
        yield display
    except BaseException:
        display.stop()
        raise
    display.stop()
    display.finish()


@contextmanager
def show_steps(console: Console, label: str) -> Iterator[OnProgress]:
    """A spinner for work told in named steps (``doccano up``, ``migrate``, a pull's exports):
    ``label``, then each event's ``item`` as it comes; on a terminal only, as Rich's status
    (in a log the command's own closing lines say what happened)."""
    with console.status(label) as status:

        def on_progress(event: ProgressEvent) -> None:
            status.update(event.item or f"{label}: {event.done}/{event.total} {event.unit}(s)")

        yield on_progress


def with_lock_waits(on_progress: OnProgress, console: Console) -> OnProgress:
    """The ``on_progress`` for a use case that takes the workspace lock itself: the lock's wait
    goes to ``show_wait`` (a line on ``console``, stderr), every other event to ``on_progress``."""
    wait = show_wait(console)

    def route(event: ProgressEvent) -> None:
        (wait if event.stage == WAIT_STAGE else on_progress)(event)

    return route


def show_wait(console: Console) -> OnProgress:
    """The workspace lock's wait, one line on ``console`` (stderr) naming who holds it."""

    def on_wait(event: ProgressEvent) -> None:
        who = event.item or "another nerwb command"
        console.print(
            f"[yellow]waiting[/] up to {event.limit_s or 0:g} s for {escape(who)} to finish "
            "writing this workspace (Ctrl-C to give up; --no-wait fails at once)"
        )

    return on_wait
