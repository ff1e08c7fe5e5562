"""``nerwb status``: where the team stands in the loop, on one screen (read-only, no spaCy)."""

from __future__ import annotations

import json

from rich.markup import escape
from rich.table import Table

from nerwb.cli._common import console, workspace
from nerwb.cli._options import JsonOpt, WorkspaceOpt


def status_cmd(as_json: JsonOpt = False, workspace_dir: WorkspaceOpt = None) -> None:
    """One screen for a team lead: labelled and waiting work, agreement, dev F over rounds,
    unseen names left, and what to do next.

    Reads what the stages wrote (corpus, push ledger, the last pull, agreement.json, training
    manifests, the last evaluation, the last count of name candidates); writes nothing and takes
    no lock.

    Example: nerwb status
    Example: nerwb status --json
    """
    from nerwb.loop.status import loop_status

    ws = workspace(workspace_dir)
    status = loop_status(ws)
    if as_json:
        print(json.dumps(status.to_json(), indent=2))
        return
    _show(ws, status)


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _show(ws, status) -> None:
    from nerwb.loop.status import split_order

    console.print(
        f"[bold]{escape(ws.project_name)}[/] ({ws.root}): {status.articles} articles"
        + (f", {status.unsplit_articles} not split yet" if status.unsplit_articles else "")
    )
    if status.splits:
        table = Table(title="Segments (words) per split", title_justify="left")
        for column in ("split", "in corpus", "pushed", "not pushed", "labelled"):
            table.add_column(column, justify="left" if column == "split" else "right")
        for name, s in status.splits.items():
            table.add_row(
                name,
                *(f"{c.segments} ({c.words})" for c in (s.total, s.pushed, s.unpushed, s.labelled)),
            )
        console.print(table)
    if status.annotators:
        table = Table(
            title="Per annotator: confirmed and waiting segments (words)", title_justify="left"
        )
        for column in ("annotator", "split", "confirmed", "waiting"):
            table.add_column(
                column, justify="left" if column in ("annotator", "split") else "right"
            )
        for name, a in sorted(status.annotators.items()):
            for split in sorted({*a.confirmed, *a.waiting}, key=split_order):
                c, w = a.confirmed.get(split), a.waiting.get(split)
                table.add_row(
                    escape(name),
                    split,
                    f"{c.segments} ({c.words})" if c else "0",
                    f"{w.segments} ({w.words})" if w else "0",
                )
        console.print(table)
    if status.last_pull:
        merged = (
            f"; gold merged {status.gold_merged_at}" if status.gold_merged_at else "; not merged"
        )
        console.print(f"Last pull: {status.last_pull} ({status.pulled_at}){merged}")
    _show_agreement(status)
    _show_training(status)
    _show_evaluation(status)
    if status.splits:
        console.print(
            f"Pool for the next batch: {status.pool.segments} training segment(s) "
            f"({status.pool.words} words) neither pushed nor labelled"
        )
    _show_unseen(status)
    console.print(f"[bold]Next:[/] {_advice(status.next)}")


def _show_agreement(status) -> None:
    a = status.agreement
    if a is None:
        console.print("Agreement: not measured yet (`nerwb labels agreement`).")
        return
    stale = " [yellow](before the last pull: measure again)[/]" if a.before_last_pull else ""
    console.print(
        f"Agreement: span F1 {_f(a.f1)}, token kappa {_f(a.kappa)} over {a.segments} "
        f"segment(s) shared by {a.pairs} pair(s), measured {a.measured_at}{stale}"
    )


def _show_training(status) -> None:
    t = status.training
    if not t.runs:
        console.print("Training: no run yet.")
    else:
        last = t.runs[-1]
        trend = " → ".join(_f(r.dev_f) for r in t.rounds) or "—"
        console.print(
            f"Training: last run {escape(last.run)} ({last.finished}), dev F {_f(last.dev_f)}; "
            f"over {len(t.rounds)} round(s) of growing gold: {trend}"
            + (" [yellow](flattened)[/]" if t.flattened else "")
        )
    for path in t.unreadable:
        console.print(f"[yellow]  {escape(path)}: unreadable, left out[/]")


def _show_evaluation(status) -> None:
    e = status.evaluation
    if e is None:
        console.print("Evaluation: none yet (`nerwb evaluate MODEL`).")
        return
    names = (
        f"; recall on seen names {_f(e.seen_recall)} ({e.seen_gold}), on unseen names "
        f"{_f(e.unseen_recall)} ({e.unseen_gold})"
        if e.seen_gold is not None
        else ""
    )
    console.print(f"Evaluation: {escape(e.folder)}, F {_f(e.f)}{names}")


def _show_unseen(status) -> None:
    u = status.unseen_names
    if u is None:
        console.print(
            "Unseen name candidates in the unpushed pool: not counted yet (`nerwb select` "
            "counts them)."
        )
        return
    missing = f"; {u.not_counted} segment(s) added since not counted" if u.not_counted else ""
    console.print(
        f"Unseen name candidates left in the unpushed pool: {u.left} in {u.counted_segments} "
        f"segment(s) (counted {u.counted_at}{missing})"
    )


def _advice(nxt) -> str:
    from nerwb.loop.status import FLAT_GAIN, FLAT_ROUNDS, NextStep

    model = f" --model {nxt.model}" if nxt.model else ""
    push = f"`nerwb doccano push --split train --n {nxt.segments}{model}`"
    advice = {
        NextStep.ADD_ARTICLES: "add articles: `nerwb corpus add PATH...`",
        NextStep.SPLIT: "split the corpus: `nerwb corpus split`",
        NextStep.PUSH_FIRST: f"push a first batch of {nxt.segments} segments chosen by "
        f"{nxt.strategy}: {push} with `--annotators NAMES`",
        NextStep.WAIT: f"{nxt.waiting} segment(s) wait for their annotators (a segment given to "
        "two counts twice); `nerwb doccano progress` shows who, `nerwb doccano pull` fetches "
        "what they confirm",
        NextStep.MERGE: "the last pull is not merged: `nerwb labels merge`, `nerwb labels "
        "convert`, then `nerwb train`",
        NextStep.TRAIN: "the gold is newer than the last training run: `nerwb labels convert` "
        "(if not done) and `nerwb train`",
        NextStep.NEW_KIND: f"the curve has flattened (each of the last {FLAT_ROUNDS} rounds "
        f"added under {FLAT_GAIN:.2f} dev F): label another kind of article rather than more of "
        "the same (`nerwb corpus add` new sources)",
        NextStep.LABEL_REST: f"label the last {nxt.segments} segment(s) of the pool: {push}",
        NextStep.LABEL_MORE: f"label {nxt.segments} more segments chosen by {nxt.strategy}: {push}",
        NextStep.DONE: "every segment of the training split is labelled and trained on: add "
        "articles to grow the pool",
    }
    return advice[nxt.step]
