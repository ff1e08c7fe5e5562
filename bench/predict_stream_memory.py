"""Peak memory of the `nerwb predict` driver against the number of articles (issue 27, item 5).

Run: nice -n 10 .venv/bin/python bench/predict_stream_memory.py [--sizes 100000 1000000]
     [--engine local] [--src OTHER_TREE/src --name predict-stream-memory-before]

Each size is one fresh `nerwb predict IN.jsonl -o OUT.jsonl` process; the figure is its peak
resident set size (ru_maxrss of the child, read by a wrapper process that runs nothing else),
beside its wall time. Target: the peak for 1M articles within 1.5x of that for 100k.

Cheap by design (the point is the driver's memory, not the model): articles are one short
sentence each (``Fighting near Basra left N dead on day M.``, ids ``a0``, ``a1``...), written
line by line to one JSONL file, and the model is a blank English pipeline whose ``ner`` is an
entity ruler with three patterns (nerwb needs a component named ``ner``). `--src` measures
another checkout with the same interpreter (main before streaming, say).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import add_results_option, save

PREDICT = "import sys; from nerwb.cli.main import main; sys.argv[0] = 'nerwb'; main()"
TOWNS = ("Basra", "Mosul", "Aleppo", "Kabul", "Gao", "Sirte", "Goma")


def make_model(folder: Path) -> Path:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "LOC", "pattern": "Basra"},
            {"label": "LOC", "pattern": "Mosul"},
            {"label": "LOC", "pattern": "Aleppo"},
        ]
    )
    nlp.to_disk(folder)
    return folder


def write_articles(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Fighting near {TOWNS[i % len(TOWNS)]} left {i % 97} dead on day {i}."
            fh.write(json.dumps({"id": f"a{i}", "text": text}) + "\n")


def peak_mb(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Peak RSS in MB, wall seconds and stdout's tail of one child process."""
    code = (
        "import resource, subprocess, sys, json, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "time.perf_counter() - t, r.returncode, r.stderr.decode()[-800:], "
        "r.stdout.decode()[-400:]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=True
    ).stdout
    kb, seconds, rc, err, stdout = json.loads(out)
    if rc != 0:
        raise SystemExit(f"{argv[3:6]} failed ({rc}): {err}")
    return kb / 1024, seconds, stdout


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--engine", default="local")
    parser.add_argument("--src", type=Path)
    parser.add_argument("--name", default="predict-stream-memory")
    add_results_option(parser)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    load1 = os.getloadavg()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        model = make_model(Path(tmp) / "ruler-model")
        for n in args.sizes:
            source = Path(tmp) / f"in-{n}.jsonl"
            write_articles(source, n)
            out = Path(tmp) / f"out-{n}.jsonl"
            argv = [sys.executable, "-c", PREDICT, "predict", str(model), str(source)]
            argv += ["-o", str(out), "--engine", args.engine]
            mb, seconds, _stdout = peak_mb(argv, env)
            with out.open(encoding="utf-8") as fh:
                records = sum(1 for _ in fh)
            run = {
                "articles": n,
                "input_mb": round(source.stat().st_size / 1e6, 1),
                "records": records,
                "peak_rss_mb": round(mb, 1),
                "seconds": round(seconds, 1),
            }
            print(json.dumps(run), flush=True)
            runs.append(run)
            source.unlink()
            out.unlink()
    ratio = runs[-1]["peak_rss_mb"] / runs[0]["peak_rss_mb"]
    result = {
        "engine": args.engine,
        "src": "this tree" if not args.src else "another tree (--src)",
        "runs": runs,
        f"peak_ratio_{runs[-1]['articles']}_to_{runs[0]['articles']}": round(ratio, 3),
        "target_ratio": 1.5,
        "loadavg_1_5_15_before": [round(x, 2) for x in load1],
        "loadavg_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
        "when_finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(result, indent=2))
    path = save(args.name, result, args.results)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
