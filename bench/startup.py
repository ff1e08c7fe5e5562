"""Start-up time of the CLI: `nerwb --help`, the help of every command and group, and
`nerwb doccano status`, as a ratio to `python -c pass`.

Run: .venv/bin/python bench/startup.py [--repeats 15] [--src OTHER_TREE/src --name startup-old]
Target (issue 24, item 22; issue 31, item 6): each under 0.5 s wall on an idle core. Each command runs
in a fresh interpreter, as a user's shell runs it; the figure is the median of the repeats
(single timings on a shared machine are noisy), beside the median of `python -c pass` taken in
the same rounds, so a busy machine shows in both. `--src` puts another checkout's `src/` first
on PYTHONPATH (e.g. the commit before the change) to measure it with the same interpreter.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import add_results_option, save
from nerwb.cli.main import LAZY_COMMANDS, LAZY_GROUPS

# `nerwb` as the console script runs it, without depending on where the script was installed.
CLI = "import sys; from nerwb.cli.main import main; sys.argv[0] = 'nerwb'; main()"
# every command and group of the root (main.py's lazy tables, and init)
NAMES = (*LAZY_COMMANDS, "init", *LAZY_GROUPS)


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, the child's CPU seconds (user + system) and its exit code: on a machine
    shared with other jobs the wall time mostly measures the queue, the CPU time what start-up
    costs; the exit code shows a command that broke instead of starting (-1: a traceback).
    Every command here exits 0 but `doccano status`, which says no server runs and exits 1."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, used, -1 if b"Traceback" in done.stderr else done.returncode


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--src", type=Path, help="another checkout's src/ to measure")
    parser.add_argument("--name", default="startup", help="results file: bench/results/NAME.json")
    add_results_option(parser)
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    where = subprocess.run(
        [sys.executable, "-c", "import nerwb; print(nerwb.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # which tree was measured, without this machine's absolute path: "<checkout>/src/nerwb"
    where = "/".join(Path(where).parent.parts[-3:])
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        subprocess.run(
            [sys.executable, "-c", CLI, "init", str(ws)], env=env, check=True, capture_output=True
        )
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "nerwb --help": [sys.executable, "-c", CLI, "--help"],
            **{
                f"nerwb {name} --help": [sys.executable, "-c", CLI, name, "--help"]
                for name in NAMES
            },
            # No server is running: the command checks the pid file and the port, then says so.
            "nerwb doccano status": [sys.executable, "-c", CLI, "doccano", "status"],
            "import nerwb.cli.main": [sys.executable, "-c", "import nerwb.cli.main"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        exit_codes: dict[str, set[int]] = {name: set() for name in commands}
        run_once(commands["nerwb --help"], env, ws)  # warm the file cache once
        for _ in range(args.repeats):  # interleaved, so a busy spell hits every command alike
            for name, argv in commands.items():
                wall, used, code = run_once(argv, env, ws)
                times[name].append(wall)
                cpu[name].append(used)
                exit_codes[name].add(code)
    base = statistics.median(times["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    results = {
        name: {
            "median_s": round(statistics.median(t), 4),
            "min_s": round(min(t), 4),
            "ratio_to_python": round(statistics.median(t) / base, 2),
            "cpu_median_s": round(statistics.median(cpu[name]), 4),
            "cpu_ratio_to_python": round(statistics.median(cpu[name]) / base_cpu, 2),
            "exit_codes": sorted(exit_codes[name]),
        }
        for name, t in times.items()
    }
    for name, r in results.items():
        print(
            f"{name:24} wall median {r['median_s']:.3f} s (min {r['min_s']:.3f}, "
            f"x{r['ratio_to_python']}); CPU median {r['cpu_median_s']:.3f} s "
            f"(x{r['cpu_ratio_to_python']})"
        )
    path = save(
        args.name,
        {
            "nerwb_module": where,
            "repeats": args.repeats,
            "target_s": 0.5,
            "results": results,
            "loadavg": os.getloadavg(),
        },
        args.results,
    )
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
