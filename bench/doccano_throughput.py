"""Doccano throughput: nerwb's bulk push and pull+snapshot of 10,000 synthetic segments,
against the same push done one POST per example (what doccano-client's create_example does).

Both run in one process against one real local server, so the ratio cancels most machine
noise. Run: .venv/bin/python bench/doccano_throughput.py [--docs 10000] [--baseline-docs 1000]
Targets (issue 3): push >= 700 docs/s; pull + snapshot of 10k <= 5 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import tempfile
from pathlib import Path

from _util import save, timed
from nerwb.choices import DoccanoDatabase
from nerwb.corpus.model import RawArticle
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import split_workspace
from nerwb.corpus.store import add_articles, load_articles
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import ensure_project
from nerwb.doccano.pull import pull
from nerwb.doccano.push import PushOptions, push
from nerwb.doccano.upload import import_row
from nerwb.labels.schema import load_schema
from nerwb.records.credentials import Credentials
from nerwb.server.local import LocalServer, free_port
from nerwb.workspace import SplitRatios, init_workspace

WORDS = [
    "militia",
    "brigade",
    "killed",
    "wounded",
    "people",
    "soldiers",
    "the",
    "of",
    "in",
    "attack",
    "group",
    "said",
    "officials",
    "at",
    "least",
    "more",
    "than",
]


def synthetic_articles(n: int, seed: int = 0) -> list[RawArticle]:
    rng = random.Random(seed)
    return [
        RawArticle(
            text=f"Report {i}: "
            + " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
            + ".",
            origin=f"synthetic:{i}",
            id=f"syn-{i:05d}",
        )
        for i in range(n)
    ]


def workspace(root: Path, name: str, articles: list[RawArticle]):
    ws = init_workspace(root / name, name=name)
    # every segment to train: the settings changed on the workspace object, not in its file
    corpus = ws.config.corpus.model_copy(
        update={"split": SplitRatios(train=1.0, dev=0.0, test=0.0)}
    )
    ws = dataclasses.replace(ws, config=ws.config.model_copy(update={"corpus": corpus}))
    add_articles(ws.articles_path, articles)
    split_workspace(ws)
    return ws


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--pull-repeats", type=int, default=5)
    parser.add_argument(
        "--baseline-docs",
        type=int,
        default=1_000,
        help="one POST each is slow: its rate is measured on fewer",
    )
    parser.add_argument(
        "--database", type=DoccanoDatabase, default=DoccanoDatabase.SQLITE, help="sqlite|postgres"
    )
    parser.add_argument("--workers", type=int, default=None, help="web workers (up's default)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nerwb-bench-") as tmp:
        root = Path(tmp)
        server = LocalServer(root / "doccano-home")
        print("starting Doccano ...")
        server.up(port=free_port(), database=args.database, workers=args.workers)
        credentials = Credentials.load(server.credentials_path)
        import os

        os.environ.update(
            DOCCANO_URL=credentials.url,
            DOCCANO_USERNAME=credentials.username,
            DOCCANO_PASSWORD=credentials.password,
        )
        try:
            articles = synthetic_articles(args.docs)
            ws = workspace(root, "bulk", articles)
            schema = load_schema(ws.schema_path)
            with connect(ws) as client:
                push_s, report = timed(lambda: push(client, ws, PushOptions(splits=("train",))))
                again_s, again = timed(lambda: push(client, ws, PushOptions(splits=("train",))))
            assert report.uploaded == args.docs and again.uploaded == 0
            print(
                f"bulk push: {args.docs} docs in {push_s:.1f} s = {args.docs / push_s:.0f} docs/s; push again (nothing new) {again_s:.1f} s"
            )

            # baseline: one POST per example, on a subset, same server, same rows
            base_ws = workspace(root, "baseline", articles[: args.baseline_docs])
            rows = []
            for a in load_articles(base_ws.articles_path):
                for segment in segment_article(a.id, a.text, base_ws.config.corpus.segment_length):
                    rows.append(import_row(segment, "train", None, None))
            with connect(base_ws) as client:
                project, _ = ensure_project(client, base_ws.project_name)

                def one_by_one() -> None:
                    for r in rows:
                        client.create_example(
                            project.id,
                            r["text"],
                            {k: v for k, v in r.items() if k not in ("text", "label")},
                        )

                base_s, _ = timed(one_by_one)
            print(
                f"one POST per example: {len(rows)} docs in {base_s:.1f} s = {len(rows) / base_s:.0f} docs/s"
            )

            # pull + snapshot: every example carries spans (bulk-imported with labels as admin)
            pull_ws = workspace(root, "pull", articles)
            with connect(pull_ws) as client:
                project, _ = ensure_project(client, pull_ws.project_name)
                labelled = []
                for a in load_articles(pull_ws.articles_path):
                    for segment in segment_article(
                        a.id, a.text, pull_ws.config.corpus.segment_length
                    ):
                        row = import_row(segment, "train", None, None)
                        row["label"] = [[0, 6, "ARMED_GROUP"], [10, 14, "CASUALTY_FIGURE"]]
                        labelled.append(row)
                content = "".join(json.dumps(r) + "\n" for r in labelled).encode()
                client.wait_task(
                    client.start_import(project.id, [client.upload_file("labelled.jsonl", content)])
                )
                # median of several pulls: the server's export task dominates and varies run to run
                pulls = [
                    timed(lambda: pull(client, pull_ws, schema)) for _ in range(args.pull_repeats)
                ]
                pull_s, pulled = statistics.median(t for t, _ in pulls), pulls[-1][1]

                # where a pull's time goes: Doccano's export task alone, both kinds side by side
                def exports() -> None:
                    tasks = [
                        client.start_export(project.id, confirmed_only=c) for c in (False, True)
                    ]
                    for task in tasks:
                        client.wait_task(task)
                    for task in tasks:
                        client.download_export(project.id, task)

                export_s = statistics.median(timed(exports)[0] for _ in range(args.pull_repeats))
            spans = sum(s.spans for s in pulled.annotators.values())
            print(
                f"pull + snapshot: {args.docs} docs ({spans} spans): median {pull_s:.2f} s over "
                f"{len(pulls)} pulls ({', '.join(f'{t:.2f}' for t, _ in pulls)})"
            )
        finally:
            server.down()
    push_rate, base_rate = args.docs / push_s, len(rows) / base_s
    path = save(
        "doccano_throughput"
        + ("" if args.database is DoccanoDatabase.SQLITE else f"-{args.database}"),
        {
            "database": str(args.database),
            "docs": args.docs,
            "push_s": round(push_s, 2),
            "push_docs_per_s": round(push_rate),
            "push_again_s": round(again_s, 2),
            "baseline_docs": len(rows),
            "baseline_s": round(base_s, 2),
            "baseline_docs_per_s": round(base_rate),
            "speedup": round(push_rate / base_rate, 1),
            "pull_snapshot_median_s": round(pull_s, 2),
            "pull_runs_s": [round(t, 2) for t, _ in pulls],
            "export_tasks_median_s": round(export_s, 2),
            "pull_spans": spans,
            "targets": {"push_docs_per_s": 700, "pull_snapshot_s": 5.0},
        },
    )
    print(
        f"speed-up of bulk push over one POST per example: {push_rate / base_rate:.1f}x; wrote {path}"
    )


if __name__ == "__main__":
    main()
