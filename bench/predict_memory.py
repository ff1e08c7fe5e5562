"""Peak memory of `nerwb predict` on one long article (issue 24, item 22a).

Run: .venv/bin/python bench/predict_memory.py --model training/RUN/model-best [--mb 1]
     [--src OTHER_TREE/src --name predict-memory-before]
The article is the demo corpus repeated to ``--mb`` megabytes, paragraphs kept. Each run is a
fresh process (`nerwb predict ARTICLE -o out.jsonl`); the figure is its peak resident set size
(ru_maxrss), beside that of a process that only loads the model, so the difference is what
predicting the article costs. `--src` measures another checkout with the same interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import REPO, add_results_option, save

DEMO = REPO / "src" / "nerwb" / "resources" / "demo" / "articles.jsonl"
PREDICT = "import sys; from nerwb.cli.main import main; sys.argv[0] = 'nerwb'; main()"
LOAD_ONLY = "import sys, spacy; spacy.load(sys.argv[1])"


def peak_mb(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Peak RSS in MB and wall seconds of one child process (run alone, so ru_maxrss is its)."""
    code = (
        "import resource, subprocess, sys, json, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "time.perf_counter() - t, r.returncode, r.stderr.decode()[-500:]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=True
    ).stdout
    kb, seconds, rc, err = json.loads(out)
    if rc != 0:
        raise SystemExit(f"{argv[:4]} failed ({rc}): {err}")
    return kb / 1024, seconds


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--src", type=Path)
    parser.add_argument("--name", default="predict-memory")
    add_results_option(parser)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    texts = [json.loads(x)["text"] for x in DEMO.read_text(encoding="utf-8").splitlines()]
    corpus = "\n\n".join(texts)
    article = (corpus + "\n\n") * int(args.mb * 1_000_000 / (len(corpus) + 2) + 1)
    article = article[: int(args.mb * 1_000_000)]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "long.jsonl"
        source.write_text(json.dumps({"id": "long", "text": article}) + "\n", encoding="utf-8")
        load_mb, _ = peak_mb([sys.executable, "-c", LOAD_ONLY, str(args.model)], env)
        start = time.perf_counter()
        predict_mb, seconds = peak_mb(
            [
                sys.executable,
                "-c",
                PREDICT,
                "predict",
                str(args.model),
                str(source),
                "-o",
                str(Path(tmp) / "out.jsonl"),
            ],
            env,
        )
        wall = time.perf_counter() - start
        entities = len(json.loads((Path(tmp) / "out.jsonl").read_text())["entities"])
    result = {
        "article_chars": len(article),
        "article_words": len(article.split()),
        "model_load_peak_mb": round(load_mb),
        "predict_peak_mb": round(predict_mb),
        "predict_seconds": round(seconds, 1),
        "wall_seconds": round(wall, 1),
        "entities": entities,
        "max_rss_self_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))
    path = save(args.name, {"model": args.model.name, **result}, args.results)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
