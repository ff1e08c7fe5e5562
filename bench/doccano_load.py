"""Many annotators at once: SQLite against PostgreSQL, on real local Doccano servers.

For each database, one server on 127.0.0.1 (web workers: 2 x cores + 1, the `up` default), one
project of synthetic segments, 50 annotator accounts. Then, for N = 5, 12, 25, 50, N accounts
label at the same moment through the REST API: each creates a span on one of its own examples
and confirms it (the confirm reads the state first, as the editor does: three requests per
action), `--actions` times, within `--seconds`. Per N: requests, errors, p50/p99 of one
span + confirm. Halfway through each round an admin pulls (two exports, a snapshot): it must
succeed, and be consistent: every annotator's span count lies between what they had made when
the pull began and what they made by its end, and every confirmed segment carries its span.

Run: nice -n 10 .venv/bin/python bench/doccano_load.py [--actions 8] [--levels 5,12,25,50]
Results: bench/results/doccano-load.json. Targets (issue 27): 25 annotators, 0 errors, p99 < 1 s
on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _util import save
from doccano_throughput import synthetic_articles, workspace
from nerwb.choices import DoccanoDatabase
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.connection import connect
from nerwb.doccano.projects import find_project
from nerwb.doccano.pull import pull
from nerwb.doccano.push import PushOptions, push
from nerwb.labels.schema import load_schema
from nerwb.labels.snapshots import load_snapshot
from nerwb.records.credentials import Credentials
from nerwb.server.local import LocalServer, free_port

MAX_ANNOTATORS = 50  # bounded: accounts and threads


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Annotator:
    def __init__(self, url: str, name: str, password: str, examples: list[int]):
        self.name, self.examples = name, examples
        self.client = DoccanoClient(url, timeout=120)
        self.client.login(name, password)
        self.done = 0  # span + confirm actions finished this round (read by the pull checker)
        self.attempted = 0  # actions begun this round (a failed one may have made its span)
        self.low = self.high = 0  # spans surely / at most made in earlier rounds

    def run(self, project: int, label: int, actions: int, start: threading.Barrier, deadline):
        times, errors = [], []
        start.wait()
        for _ in range(actions):
            if time.monotonic() > deadline:
                break
            example = self.examples.pop(0)
            self.attempted += 1
            began = time.perf_counter()
            try:
                self.client.create_span(project, example, label, 0, 6)
                self.client.confirm(project, example)
            except Exception as error:  # counted; the run goes on
                errors.append(f"{type(error).__name__}: {str(error)[:160]}")
                continue
            times.append(time.perf_counter() - began)
            self.done += 1
        return times, errors


def check_pull(ws, schema, annotators: dict[str, Annotator]) -> dict:
    """Pull while the annotators work; True when consistent (see the module's docstring)."""
    before = {name: a.done + a.low for name, a in annotators.items()}
    began = time.perf_counter()
    with connect(ws) as admin:
        report = pull(admin, ws, schema)
    seconds = time.perf_counter() - began
    after = {name: a.attempted + a.high for name, a in annotators.items()}
    snapshot = load_snapshot(report.snapshot)
    problems = []
    for name in annotators:
        units = snapshot.get(name, {}).values()
        spans = sum(len(u.spans) for u in units)
        if not before[name] <= spans <= after[name]:
            problems.append(f"{name}: {spans} spans, expected {before[name]}..{after[name]}")
        problems += [
            f"{name}: confirmed {u.segment_id} without its span"
            for u in units
            if u.confirmed and not u.spans
        ]
    return {
        "seconds": round(seconds, 2),
        "export_rounds": report.export_attempts,
        "consistent": not problems,
        "problems": problems[:5],
    }


def run_database(root: Path, database: DoccanoDatabase, args) -> dict:
    server = LocalServer(root / f"{database}-home")
    started = time.perf_counter()
    status, _ = server.up(port=free_port(), database=database, workers=args.workers)
    up_seconds = time.perf_counter() - started
    credentials = Credentials.load(server.credentials_path)
    os.environ.update(
        DOCCANO_URL=credentials.url,
        DOCCANO_USERNAME=credentials.username,
        DOCCANO_PASSWORD=credentials.password,
    )
    result = {"workers": status.workers, "up_seconds": round(up_seconds, 1), "levels": {}}
    try:
        ws = workspace(root, f"load-{database}", synthetic_articles(args.docs, seed=3))
        schema = load_schema(ws.schema_path)
        names = [f"ann{i:02d}" for i in range(MAX_ANNOTATORS)]
        with connect(ws) as admin:
            push(admin, ws, PushOptions(splits=("train",), annotators=names, overlap=0.0))
            project = find_project(admin, ws.project_name).id
            label = admin.span_types(project)[0].id
            ids = sorted(e.id for e in admin.examples(project))
        passwords = json.loads(ws.annotator_passwords_path.read_text())
        team = {
            name: Annotator(credentials.url, name, passwords[name], ids[i::MAX_ANNOTATORS])
            for i, name in enumerate(names)
        }
        for level in args.levels:
            active = dict(list(team.items())[:level])
            for annotator in active.values():
                annotator.low += annotator.done
                annotator.high += annotator.attempted
                annotator.done = annotator.attempted = 0
            barrier = threading.Barrier(level + 1)
            deadline = time.monotonic() + args.seconds
            load = os.getloadavg()[0]
            with ThreadPoolExecutor(level + 1) as pool:
                futures = [
                    pool.submit(a.run, project, label, args.actions, barrier, deadline)
                    for a in active.values()
                ]
                barrier.wait()
                began = time.perf_counter()
                time.sleep(args.pull_after)
                pulled = pool.submit(check_pull, ws, schema, active)
                outcomes = [f.result() for f in futures]
                wall = time.perf_counter() - began  # the annotators' work, not the pull's
                pulled = pulled.result()
            times = [t for ts, _ in outcomes for t in ts]
            errors = [e for _, es in outcomes for e in es]
            row = {
                "annotators": level,
                "actions": len(times),
                "requests": 3 * len(times) + len(errors),
                "errors": len(errors),
                "error_examples": sorted(set(errors))[:3],
                "p50_s": round(percentile(times, 0.5), 3),
                "p99_s": round(percentile(times, 0.99), 3),
                "mean_s": round(statistics.fmean(times), 3) if times else None,
                "actions_per_s": round(len(times) / wall, 1),
                "annotators_wall_s": round(wall, 1),
                "pull_during_load": pulled,
                "load_average_1min_at_start": round(load, 2),
            }
            result["levels"][str(level)] = row
            print(database, json.dumps(row), flush=True)
        for annotator in team.values():
            annotator.client.close()
    finally:
        server.down()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="5,12,25,50")
    parser.add_argument("--actions", type=int, default=8, help="span + confirm per annotator")
    parser.add_argument("--seconds", type=float, default=60.0, help="per level, at most")
    parser.add_argument("--pull-after", type=float, default=1.0, help="seconds into each level")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None, help="web workers (default: up's)")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    if max(args.levels) > MAX_ANNOTATORS or args.docs < MAX_ANNOTATORS * args.actions * len(
        args.levels
    ):
        parser.error("at most 50 annotators, and enough --docs for every action")
    result = {
        "actions_per_annotator": args.actions,
        "seconds_per_level_at_most": args.seconds,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="nerwb-load-") as tmp:
        for name in args.databases.split(","):
            result[name] = run_database(Path(tmp), DoccanoDatabase(name), args)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    path = save("doccano-load", result)
    print(json.dumps(result, indent=1), f"\nwrote {path}")


if __name__ == "__main__":
    main()
