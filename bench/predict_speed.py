"""Prediction speed: one model over ≥ 10,000 articles, several ways, in one run (issue 34).

Run: nice -n 10 .venv/bin/python bench/predict_speed.py [--n 10000] [--repeats 3] [--model DIR]
        [--ways spacy_pipe,nerwb_local_1,nerwb_local_2,nerwb_ray_2] [--contention "..."]

1. ``spacy_pipe``: a bare ``nlp.pipe`` in one process (spaCy alone: the baseline), batches of
   ``--bare-batch-size`` texts (64, nerwb's default; spaCy's own default of 1,000 was slower
   here and peaked at 2 GB);
2. ``nerwb_local_1``: ``nerwb predict`` (the command line, as a user runs it) with the local
   engine, one process: what nerwb adds (reading, ids, records, part files, assembly);
3. ``nerwb_local_2``: ``nerwb predict --n-process 2``;
4. ``nerwb_ray_2``: ``nerwb predict --engine ray --actors 2`` on a local Ray (only where Ray is
   installed: ``make ray``).

Each way runs as a child process, ``--repeats`` times, in rounds whose order rotates; the figures
are the medians of each way. Everything is measured from outside the child (nothing samples
inside the measured process): wall time from its start to its exit (its start-up, model load and
worker processes included), CPU seconds and peak resident memory from ``os.wait4`` (the child
and the descendants it waited for; Ray's own daemons are not, so Ray's CPU is a lower bound).
The 1-minute load average is recorded at the start and end of the run and around each child.

Targets (issue 34): nerwb_local_1 ≥ 0.95 × spacy_pipe in words/s and in CPU seconds (spaCy's CPU
over nerwb's); nerwb_local_2 ≥ 1.8 × nerwb_local_1 in words/s where the load average was under
0.5 (two cores). Every way must find the same entities (a digest of each article's spans).

Articles: built from the texts in ``../shared/data/conflict3/*.jsonl`` (141 articles) and
``../shared/data/re3d/*.txt`` (765 sentences, tokens joined by spaces): article ``i`` is one
paragraph of conflict3 article ``i mod 141`` (the ``i div 141``-th, so that texts differ) and
two re3d sentences. The model, unless ``--model`` is given, is ``configs/ner-fast.cfg`` trained
by ``nerwb train`` on conflict3 for ``--train-steps`` (300) steps. Results:
bench/results/predict-speed.json (``--results DIR`` elsewhere).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import REPO, SHARED_DATA, add_results_option, load_average, save

WAYS = ("spacy_pipe", "nerwb_local_1", "nerwb_local_2", "nerwb_ray_2")
TRAIN_STEPS = 300
PREDICT = "import sys; from nerwb.cli.main import main; sys.argv[0] = 'nerwb'; main()"


def re3d_sentences() -> list[str]:
    sentences, tokens = [], []
    for file in sorted((SHARED_DATA / "re3d").glob("*.txt")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                if tokens:
                    sentences.append(" ".join(tokens))
                tokens = []
                continue
            tokens.append(line.split("\t")[0])
        if tokens:
            sentences.append(" ".join(tokens))
            tokens = []
    return sentences


def build_articles(n: int) -> list[dict]:
    texts = []
    for file in sorted((SHARED_DATA / "conflict3").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in file.read_text().splitlines() if line]
    sentences = re3d_sentences()
    articles = []
    for i in range(n):
        paragraphs = [p for p in texts[i % len(texts)].split("\n\n") if p.strip()]
        turn = (i // len(texts)) % len(paragraphs)
        rotated = paragraphs[turn:] + paragraphs[:turn]
        extra = " ".join(sentences[(2 * i + k) % len(sentences)] for k in range(2))
        articles.append({"id": f"bench-{i:06d}", "text": "\n\n".join([rotated[0], extra])})
    return articles


def train_model(root: Path, steps: int) -> Path:
    from accuracy import build
    from nerwb.training.options import TrainOptions
    from nerwb.training.run import train

    ws = build(root, "conflict3")
    out = ws.training_dir / "bench-fast"
    train(
        ws,
        TrainOptions(
            config=ws.configs_dir / "ner-fast.cfg",
            output=out,
            train_data=ws.docbin_path("train"),
            dev_data=ws.docbin_path("dev"),
            overrides={
                "training.max_steps": steps,
                "training.eval_frequency": max(1, min(100, steps // 2)),
            },
        ),
    )
    return out / "model-best"


def spans_digest(per_article: list[list[list]]) -> str:
    """sha256 over each article's (start, end, label) spans in order: the same entities."""
    digest = hashlib.sha256()
    for spans in per_article:
        digest.update(json.dumps([list(span[:3]) for span in spans]).encode() + b"\n")
    return digest.hexdigest()


def bare_pipe(model: Path, inputs: Path, batch_size: int) -> dict:
    """The baseline, in its own child: a bare ``nlp.pipe`` over the texts."""
    import spacy

    nlp = spacy.load(model)
    with inputs.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    found = [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in nlp.pipe(texts, batch_size=batch_size)
    ]
    return {"entities": sum(map(len, found)), "digest": spans_digest(found)}


def way_argv(way: str, args: argparse.Namespace, model: Path, inputs: Path, out: Path) -> list[str]:
    if way == "spacy_pipe":
        argv = [sys.executable, __file__, "--one", way, "--model", str(model)]
        return [*argv, "--inputs", str(inputs), "--bare-batch-size", str(args.bare_batch_size)]
    argv = [sys.executable, "-c", PREDICT, "predict", str(model), str(inputs), "-o", str(out)]
    argv += ["--no-text", "--force", "--batch-size", str(args.bare_batch_size)]
    if way == "nerwb_local_2":
        argv += ["--n-process", "2"]
    if way == "nerwb_ray_2":
        argv += ["--engine", "ray", "--actors", "2"]
    return argv


def run_child(argv: list[str], folder: Path) -> dict:
    """Run ``argv`` to its end; its wall time, and its CPU and peak memory as ``wait4`` reports
    them from outside it."""
    with (folder / "stdout").open("w+b") as out, (folder / "stderr").open("w+b") as err:
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])}... failed ({child.returncode}):\n{stderr[-3000:]}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # KiB on Linux
        "loadavg_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "stdout": stdout,
    }


def nerwb_entities(out: Path) -> dict:
    with out.open(encoding="utf-8") as fh:
        found = [json.loads(line)["entities"] for line in fh]
    out.unlink()
    return {"entities": sum(map(len, found)), "digest": spans_digest(found)}


def measure(args: argparse.Namespace, root: Path) -> dict:
    """Every way ``args.repeats`` times on the same articles and model; medians per way."""
    model = args.model.resolve() if args.model else train_model(root / "train", args.train_steps)
    inputs = root / "articles.jsonl"
    articles = build_articles(args.n)
    inputs.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    words = sum(len(a["text"].split()) for a in articles)
    ways = [w for w in args.ways.split(",") if w]
    if "nerwb_ray_2" in ways and importlib.util.find_spec("ray") is None:
        ways.remove("nerwb_ray_2")  # Ray is optional (`make ray`)
    runs: dict[str, list[dict]] = {way: [] for way in ways}
    for round_ in range(args.repeats):
        for way in ways[round_ % len(ways) :] + ways[: round_ % len(ways)]:
            out = root / f"{way}.jsonl"
            run = run_child(way_argv(way, args, model, inputs, out), root)
            stdout = run.pop("stdout")
            found = json.loads(stdout.splitlines()[-1]) if way == "spacy_pipe" else None
            run.update(found or nerwb_entities(out))
            run["words_per_s"] = round(words / run["wall_s"])
            runs[way].append(run)
            print(way, run, flush=True)
    results = {}
    for way, done in runs.items():
        results[way] = {
            key: statistics.median(r[key] for r in done)
            for key in ("wall_s", "cpu_s", "words_per_s", "peak_rss_mb")
        }
        results[way]["cpu_s_per_million_words"] = round(results[way]["cpu_s"] / words * 1e6, 2)
        results[way]["entities"] = done[0]["entities"]
        results[way]["runs"] = done
    digests = {r["digest"] for done in runs.values() for r in done}
    return {
        "articles": args.n,
        "words": words,
        "repeats": args.repeats,
        "model": str(args.model)
        if args.model
        else f"ner-fast.cfg, {args.train_steps} steps on conflict3",
        "bare_batch_size": args.bare_batch_size,
        "results": results,
        "ratios": ratios(results),
        "same_entities_every_way": len(digests) == 1,
    }


def ratios(results: dict) -> dict:
    def ratio(a: str, b: str, key: str) -> float | None:
        if a in results and b in results:
            return round(results[a][key] / results[b][key], 3)
        return None

    return {
        "nerwb_local_1_vs_spacy_pipe_words_per_s": ratio(
            "nerwb_local_1", "spacy_pipe", "words_per_s"
        ),
        # spaCy's CPU over nerwb's: above 1 when nerwb spends less
        "nerwb_local_1_vs_spacy_pipe_cpu": ratio("spacy_pipe", "nerwb_local_1", "cpu_s"),
        "nerwb_local_2_vs_local_1_words_per_s": ratio(
            "nerwb_local_2", "nerwb_local_1", "words_per_s"
        ),
        "nerwb_ray_2_vs_local_2_words_per_s": ratio("nerwb_ray_2", "nerwb_local_2", "words_per_s"),
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="articles (≥ 10,000 for the record)")
    parser.add_argument("--model", type=Path, help="a trained pipeline (default: train one)")
    parser.add_argument("--train-steps", type=int, default=TRAIN_STEPS)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each way (median)")
    parser.add_argument("--ways", default=",".join(WAYS), help="a subset of " + ",".join(WAYS))
    parser.add_argument("--bare-batch-size", type=int, default=64, help="and nerwb's --batch-size")
    parser.add_argument("--contention", default="", help="say what else ran on the CPUs")
    parser.add_argument("--name", default="predict-speed", help="results file name")
    add_results_option(parser)
    parser.add_argument("--one", choices=["spacy_pipe"], help=argparse.SUPPRESS)  # the child
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Path | None:
    args = parse(argv)
    if args.one:
        print(json.dumps(bare_pipe(args.model, args.inputs, args.bare_batch_size)))
        return None
    load_start = load_average()
    with tempfile.TemporaryDirectory(prefix="nerwb-predict-bench-") as tmp:
        result = measure(args, Path(tmp))
    result["loadavg_1min_start_end"] = [load_start, load_average()]
    result["contention"] = args.contention or None
    result["targets"] = {
        "nerwb_local_1_vs_spacy_pipe_words_per_s": 0.95,
        "nerwb_local_1_vs_spacy_pipe_cpu": 0.95,
        "nerwb_local_2_vs_local_1_words_per_s": 1.8,
    }
    path = save(args.name, result, args.results)
    print(json.dumps(result["ratios"]), f"-> {path}")
    return path


if __name__ == "__main__":
    main()
