"""Doccano throughput: nerwb's bulk push and pull+snapshot of 10,000 synthetic segments,
against the same push done one POST per example (what doccano-client's create_example does).

The pull set: every segment given to two annotators, each with two spans of their own on every
segment and confirmations on every other one (made in bulk through Doccano's models, so setting
up takes seconds). It is pulled both ways: through the local server's database (what `nerwb
doccano pull` does for the workspace's own server) and through Doccano's two export tasks over
REST (a remote server's way; the export tasks are also timed alone). The two snapshots must be
byte-identical.

Everything runs in one process against one real local server, so the ratios cancel most machine
noise. Run: .venv/bin/python bench/doccano_throughput.py [--docs 10000] [--baseline-docs 1000]
Targets: push >= 700 docs/s (issue 3); pull + snapshot of 10k segments with two annotators
<= 3 s on the local server (issue 34).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _util import save, timed
from nerwb.choices import DoccanoDatabase
from nerwb.corpus.model import RawArticle
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import split_workspace
from nerwb.corpus.store import add_articles, load_articles
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.projects import ensure_project
from nerwb.doccano.pull import pull
from nerwb.doccano.push import PushOptions, push
from nerwb.doccano.suggest import SpanJob
from nerwb.doccano.upload import import_row
from nerwb.labels.schema import load_schema
from nerwb.records.credentials import Credentials
from nerwb.server.direct import DirectAccess
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


# Confirmations in bulk for the pull set, through Doccano's models (bench set-up only).
_CONFIRM = """
import json, os, sys
sys.path.insert(0, os.environ["NERWB_BACKEND"])
import django
django.setup()
from examples.models import ExampleState
pairs = json.load(sys.stdin)
ExampleState.objects.bulk_create(
    [ExampleState(example_id=e, confirmed_by_id=u) for e, u in pairs], ignore_conflicts=True
)
"""

PULL_ANNOTATORS = ("pull_a", "pull_b")
PULL_SPANS = ((0, 6, "ARMED_GROUP"), (10, 14, "CASUALTY_FIGURE"))  # on every synthetic text


def admin_client(server: LocalServer) -> DoccanoClient:
    credentials = Credentials.load(server.credentials_path)
    client = DoccanoClient(credentials.url, timeout=600)
    client.login(credentials.username, credentials.password)
    return client


def labelled_by_two(server: LocalServer, client: DoccanoClient, ws, schema) -> int:
    """The pull set: two annotators on every segment, two spans each on every one, each
    confirming every other segment. Returns the spans made."""
    push(client, ws, PushOptions(splits=("train",), annotators=PULL_ANNOTATORS, overlap=1.0))
    database = DirectAccess(server)
    state = database.project_state(ws.project_name, list(PULL_ANNOTATORS))
    jobs = [
        SpanJob(
            example.id,
            state.users[name],
            [(s, e, state.span_types[label]) for s, e, label in PULL_SPANS],
            expect=None,
            unconfirmed=False,
        )
        for example in state.examples
        for name in PULL_ANNOTATORS
    ]
    made = sum(
        n
        for _, outcome in database.create_spans(state.project, jobs, allow_overlapping=False)
        for n in outcome
    )
    confirmations = [
        [example.id, state.users[name]]
        for i, example in enumerate(state.examples)
        for name in PULL_ANNOTATORS
        if i % 2 == (name == PULL_ANNOTATORS[1])
    ]
    subprocess.run(
        [str(server.venv / "bin" / "python"), "-c", _CONFIRM],
        input=json.dumps(confirmations).encode(),
        env=server.env_for(server.database_url(server.database())),
        check=True,
        capture_output=True,
    )
    return made


def snapshot_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def measure(server: LocalServer, root: Path, args, prefix: str = "") -> dict:
    """Push, the one-POST baseline and both pulls on a running server."""
    client = admin_client(server)
    try:
        articles = synthetic_articles(args.docs)
        ws = workspace(root, f"{prefix}bulk", articles)
        schema = load_schema(ws.schema_path)
        push_s, report = timed(lambda: push(client, ws, PushOptions(splits=("train",))))
        again_s, again = timed(lambda: push(client, ws, PushOptions(splits=("train",))))
        assert report.uploaded == args.docs and again.uploaded == 0
        print(
            f"bulk push: {args.docs} docs in {push_s:.1f} s = {args.docs / push_s:.0f} docs/s; "
            f"push again (nothing new) {again_s:.1f} s"
        )

        # baseline: one POST per example, on a subset, same server, same rows
        base_ws = workspace(root, f"{prefix}baseline", articles[: args.baseline_docs])
        rows = []
        for a in load_articles(base_ws.articles_path):
            for segment in segment_article(a.id, a.text, base_ws.config.corpus.segment_length):
                rows.append(import_row(segment, "train", None, None))
        project, _ = ensure_project(client, base_ws.project_name)

        def one_by_one() -> None:
            for r in rows:
                meta = {k: v for k, v in r.items() if k not in ("text", "label")}
                client.create_example(project.id, r["text"], meta)

        base_s, _ = timed(one_by_one)
        print(f"one POST per example: {len(rows)} docs in {base_s:.1f} s")

        pull_ws = workspace(root, f"{prefix}pull", articles)
        began = time.perf_counter()
        spans = labelled_by_two(server, client, pull_ws, schema)
        setup_s = time.perf_counter() - began
        project, _ = ensure_project(client, pull_ws.project_name)
        # medians of several pulls: the server's export task varies run to run
        database = DirectAccess(server)
        direct = [timed(lambda: pull(database, pull_ws, schema)) for _ in range(args.pull_repeats)]
        exported = [timed(lambda: pull(client, pull_ws, schema)) for _ in range(args.pull_repeats)]
        identical = snapshot_files(direct[-1][1].snapshot) == snapshot_files(
            exported[-1][1].snapshot
        )

        # where an export pull's time goes: Doccano's export tasks alone, side by side
        def exports() -> None:
            tasks = [client.start_export(project.id, confirmed_only=c) for c in (False, True)]
            for task in tasks:
                client.wait_task(task)
            for task in tasks:
                client.download_export(project.id, task)

        export_s = statistics.median(timed(exports)[0] for _ in range(args.pull_repeats))
    finally:
        client.close()
    direct_s = statistics.median(t for t, _ in direct)
    export_pull_s = statistics.median(t for t, _ in exported)
    pulled = direct[-1][1]
    print(
        f"pull + snapshot of {args.docs} segments, two annotators ({spans} spans): database "
        f"{direct_s:.2f} s, exports {export_pull_s:.2f} s (medians of {args.pull_repeats}); "
        f"snapshots identical: {identical}"
    )
    push_rate, base_rate = args.docs / push_s, len(rows) / base_s
    return {
        "docs": args.docs,
        "push_s": round(push_s, 2),
        "push_docs_per_s": round(push_rate),
        "push_again_s": round(again_s, 2),
        "baseline_docs": len(rows),
        "baseline_s": round(base_s, 2),
        "baseline_docs_per_s": round(base_rate),
        "speedup": round(push_rate / base_rate, 1),
        "pull_set": {
            "annotators": list(PULL_ANNOTATORS),
            "spans": spans,
            "confirmed": sum(s.confirmed for s in pulled.annotators.values()),
            "made_in_s": round(setup_s, 1),
        },
        "pull_database_median_s": round(direct_s, 2),
        "pull_database_runs_s": [round(t, 2) for t, _ in direct],
        "pull_export_median_s": round(export_pull_s, 2),
        "pull_export_runs_s": [round(t, 2) for t, _ in exported],
        "export_tasks_median_s": round(export_s, 2),
        "snapshots_identical": identical,
        "targets": {"push_docs_per_s": 700, "pull_database_s": 3.0},
    }


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
        try:
            result = measure(server, root, args)
        finally:
            server.down()
    suffix = "" if args.database is DoccanoDatabase.SQLITE else f"-{args.database}"
    path = save("doccano_throughput" + suffix, {"database": str(args.database), **result})
    print(f"speed-up of bulk push over one POST per example: {result['speedup']}x; wrote {path}")


if __name__ == "__main__":
    main()
