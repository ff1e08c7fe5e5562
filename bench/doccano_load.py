"""Many annotators at once on real local Doccano servers: SQLite and PostgreSQL, at a human
pace (open loop) and back to back (closed loop, the throughput ceiling).

For each database, one server on 127.0.0.1 (web workers: the `up` default unless --workers),
one project of synthetic segments, one annotator account per annotator of the largest level.
An action is what an annotator does to one example: a span, then a confirm (which reads the
state first, as the editor does): three requests. For N = 5, 12, 25, 50 (--levels):

- open loop: each of N annotators acts once every --pace seconds (3 s; each gap jittered
  uniformly between half and one and a half of it, from a random phase), --actions times.
  Latency counts from the moment the action was due, so time spent waiting behind a slow
  server is in it (no coordinated omission). This is what a team labelling feels.
- closed loop: N annotators act back to back, --actions times each: what the server can take
  (actions/s), and the latency when everyone hurries.

Each level reports p50/p99/max latency, actions/s and errors. --pull-after seconds into each
level an admin pulls through the local server's database (what `nerwb doccano pull` does
there); --export-pull also pulls through Doccano's exports (the REST path). Each pull must be
consistent: every annotator's span count lies between what they had made when it began and
what they had made by its end, and no confirmed segment lacks its span. Before the levels, a
pull while nobody labels gives the quiet figure (target: a pull under load <= 2x it).

Bounded: at most 50 annotators, --actions each, --seconds per level; 127.0.0.1 only.
Run: nice -n 10 .venv/bin/python bench/doccano_load.py [--modes open,closed] [--levels 5,12,25,50]
Results: bench/results/doccano-load.json. Targets (issue 34): open loop at 50 annotators p99 < 1 s
on both databases, 0 errors; closed loop at 25 p99 < 1 s and a ceiling >= 60 actions/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from _util import add_results_option, save
from doccano_throughput import synthetic_articles, workspace
from nerwb.choices import DoccanoDatabase
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.projects import find_project
from nerwb.doccano.pull import pull
from nerwb.doccano.push import PushOptions, push
from nerwb.labels.schema import load_schema
from nerwb.labels.snapshots import load_snapshot
from nerwb.records.credentials import Credentials
from nerwb.records.doccano import AnnotatorPasswords
from nerwb.server.direct import DirectAccess
from nerwb.server.local import LocalServer, free_port

MAX_ANNOTATORS = 50  # bounded: accounts and threads
MODES = ("open", "closed")
JITTER = (0.5, 1.5)  # an annotator's next action comes after pace x uniform(JITTER)


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
        self.done = 0  # span + confirm actions finished this level (read by the pull checker)
        self.attempted = 0  # actions begun this level (a failed one may have made its span)
        self.low = self.high = 0  # spans surely / at most made in earlier levels

    def new_level(self) -> None:
        self.low += self.done
        self.high += self.attempted
        self.done = self.attempted = 0

    def _act(self, project: int, label: int, errors: list[str]) -> bool:
        example = self.examples.pop(0)
        self.attempted += 1
        try:
            self.client.create_span(project, example, label, 0, 6)
            self.client.confirm(project, example)
        except Exception as error:  # counted; the run goes on
            errors.append(f"{type(error).__name__}: {str(error)[:160]}")
            return False
        self.done += 1
        return True

    def closed(self, project: int, label: int, actions: int, start, deadline: float, _rng):
        """Back to back: latency from the action's start."""
        times: list[float] = []
        errors: list[str] = []
        start.wait()
        for _ in range(actions):
            if time.monotonic() > deadline:
                break
            began = time.monotonic()
            if self._act(project, label, errors):
                times.append(time.monotonic() - began)
        return times, errors

    def paced(self, pace: float) -> Callable:
        def open_loop(project: int, label: int, actions: int, start, deadline: float, rng):
            """At a human pace: latency from when the action was due."""
            times: list[float] = []
            errors: list[str] = []
            start.wait()
            due = time.monotonic() + rng.uniform(0, pace)
            for _ in range(actions):
                if due > deadline:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if self._act(project, label, errors):
                    times.append(time.monotonic() - due)
                due += pace * rng.uniform(*JITTER)
            return times, errors

        return open_loop


def check_pull(read: Callable[[], object], ws, schema, annotators: dict[str, Annotator]) -> dict:
    """Pull while the annotators work: its time, and whether it is consistent (see the module)."""
    before = {name: a.done + a.low for name, a in annotators.items()}
    began = time.perf_counter()
    report = pull(read(), ws, schema)
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
        "read_from": report.read_from,
        "export_rounds": report.export_attempts,
        "consistent": not problems,
        "problems": problems[:5],
    }


@dataclass
class Setup:
    """A running server with the bench's project and team."""

    server: LocalServer
    ws: object
    admin: DoccanoClient
    project: int
    label: int
    team: dict[str, Annotator] = field(default_factory=dict)


def prepare(server: LocalServer, root: Path, name: str, args) -> Setup:
    """The project (synthetic segments, pushed) and the annotators, logged in."""
    credentials = Credentials.load(server.credentials_path)
    admin = DoccanoClient(credentials.url, timeout=120)
    admin.login(credentials.username, credentials.password)
    ws = workspace(root, name, synthetic_articles(args.docs, seed=3))
    size = max(args.levels)
    names = [f"{name}-ann{i:02d}" for i in range(size)]
    push(admin, ws, PushOptions(splits=("train",), annotators=names, overlap=0.0))
    project = find_project(admin, ws.project_name).id
    label = admin.span_types(project)[0].id
    ids = sorted(e.id for e in admin.examples(project))
    passwords = AnnotatorPasswords.load(ws.annotator_passwords_path)
    setup = Setup(server, ws, admin, project, label)
    for i, who in enumerate(names):
        setup.team[who] = Annotator(credentials.url, who, passwords.passwords[who], ids[i::size])
    return setup


def run_level(setup: Setup, level: int, mode: str, args) -> dict:
    schema = load_schema(setup.ws.schema_path)
    active = dict(list(setup.team.items())[:level])
    for annotator in active.values():
        annotator.new_level()
    barrier = threading.Barrier(level + 1)
    deadline = time.monotonic() + args.seconds
    load = os.getloadavg()[0]
    rng = random.Random(f"{args.seed}:{mode}:{level}")
    seeds = [random.Random(rng.random()) for _ in active]

    def pulls() -> dict:
        out = {"database": check_pull(lambda: DirectAccess(setup.server), setup.ws, schema, active)}
        if args.export_pull:
            out["export"] = check_pull(lambda: setup.admin, setup.ws, schema, active)
        return out

    with ThreadPoolExecutor(level + 1) as pool:
        futures = [
            pool.submit(
                a.closed if mode == "closed" else a.paced(args.pace),
                setup.project,
                setup.label,
                args.actions,
                barrier,
                deadline,
                seed,
            )
            for a, seed in zip(active.values(), seeds, strict=True)
        ]
        barrier.wait()
        began = time.perf_counter()
        pulled = None
        if mode in args.pull_in:
            time.sleep(args.pull_after)
            pulled = pool.submit(pulls)
        outcomes = [f.result() for f in futures]
        wall = time.perf_counter() - began  # the annotators' work, not the pull's
        pulled = pulled.result() if pulled else None
    times = [t for ts, _ in outcomes for t in ts]
    errors = [e for _, es in outcomes for e in es]
    return {
        "annotators": level,
        "mode": mode,
        "pace_s": args.pace if mode == "open" else None,
        "offered_actions_per_s": round(level / args.pace, 1) if mode == "open" else None,
        "actions": len(times),
        "requests": 3 * len(times) + len(errors),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
        "p50_s": round(percentile(times, 0.5), 3),
        "p99_s": round(percentile(times, 0.99), 3),
        "max_s": round(max(times), 3) if times else None,
        "mean_s": round(statistics.fmean(times), 3) if times else None,
        "actions_per_s": round(len(times) / wall, 1),
        "annotators_wall_s": round(wall, 1),
        "pull_during_load": pulled,
        "load_average_1min_at_start": round(load, 2),
    }


def measure(server: LocalServer, root: Path, name: str, args, report=print) -> dict:
    """Every mode and level on a running server; the quiet pull first."""
    setup = prepare(server, root, name, args)
    schema = load_schema(setup.ws.schema_path)
    try:
        began = time.perf_counter()
        pull(DirectAccess(server), setup.ws, schema)
        result: dict = {"quiet_pull_s": round(time.perf_counter() - began, 2)}
        for mode in args.modes:
            rows = result[mode] = {}
            for level in args.levels:
                row = run_level(setup, level, mode, args)
                if row["pull_during_load"]:
                    row["pull_during_load"]["database"]["to_quiet"] = round(
                        row["pull_during_load"]["database"]["seconds"] / result["quiet_pull_s"], 2
                    )
                rows[str(level)] = row
                report(name, mode, level, row)
        closed = result.get("closed", {})
        if closed:
            result["closed_ceiling_actions_per_s"] = max(
                r["actions_per_s"] for r in closed.values()
            )
    finally:
        for annotator in setup.team.values():
            annotator.client.close()
        setup.admin.close()
    return result


def run_database(root: Path, database: DoccanoDatabase, args) -> dict:
    server = LocalServer(root / f"{database}-home")
    started = time.perf_counter()
    status, _ = server.up(port=free_port(), database=database, workers=args.workers)
    up_seconds = time.perf_counter() - started
    try:
        result = {"workers": status.workers, "up_seconds": round(up_seconds, 1)}
        result.update(measure(server, root, f"load-{database}", args))
    finally:
        server.down()
    return result


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="5,12,25,50")
    parser.add_argument("--modes", default=",".join(MODES), help="open, closed or both")
    # 24, not 8: with 8 actions a closed-loop level is mostly its ramp-up (threads logging in and
    # starting), which halved the ceiling it reported (36-42 against 62-77 actions/s at 24).
    parser.add_argument("--actions", type=int, default=24, help="span + confirm per annotator")
    parser.add_argument("--pace", type=float, default=3.0, help="open loop: s between actions")
    # 24 actions at a 3 s pace (jittered) take about 72 s: a level may run that long.
    parser.add_argument("--seconds", type=float, default=100.0, help="per level, at most")
    parser.add_argument("--pull-after", type=float, default=1.0, help="seconds into each level")
    parser.add_argument("--export-pull", action="store_true", help="also pull through exports")
    # An admin's pull takes a core for seconds: inside a closed-loop level it is part of what the
    # server takes, not the annotators' ceiling. The issue's pull target is about live labelling.
    parser.add_argument(
        "--pull-in", default="open,closed", help="the modes whose levels have a pull (or none)"
    )
    parser.add_argument("--docs", type=int, help="segments pushed (default: one per action)")
    parser.add_argument("--workers", type=int, default=None, help="web workers (default: up's)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="doccano-load", help="results file name")
    add_results_option(parser)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = parser()
    args = p.parse_args(argv)
    args.levels = [int(n) for n in args.levels.split(",")]
    args.modes = [m for m in args.modes.split(",") if m]
    args.pull_in = [m for m in args.pull_in.split(",") if m and m != "none"]
    if set(args.pull_in) - set(MODES):
        p.error(f"--pull-in: {', '.join(MODES)} or none")
    if set(args.modes) - set(MODES):
        p.error(f"--modes: {', '.join(MODES)}")
    needed = max(args.levels) * args.actions * len(args.levels) * len(args.modes)
    if args.docs is None:
        args.docs = needed
    if max(args.levels) > MAX_ANNOTATORS or args.docs < needed:
        p.error(f"at most {MAX_ANNOTATORS} annotators, and --docs >= {needed} (one per action)")
    return args


def main() -> None:
    args = parse()
    result = {
        "actions_per_annotator": args.actions,
        "pace_s": args.pace,
        "seconds_per_level_at_most": args.seconds,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "targets": {
            "open_p99_s_at_50": 1.0,
            "closed_p99_s_at_25": 1.0,
            "closed_ceiling_actions_per_s": 60,
            "pull_under_load_to_quiet": 2.0,
        },
        "pull_in": args.pull_in,
    }
    with tempfile.TemporaryDirectory(prefix="nerwb-load-") as tmp:
        for name in args.databases.split(","):
            result[name] = run_database(Path(tmp), DoccanoDatabase(name), args)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    path = save(args.name, result, args.results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
