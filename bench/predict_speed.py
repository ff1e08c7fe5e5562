"""Prediction speed: one model over ≥ 10,000 articles, four ways, in one run.

Run: .venv/bin/python bench/predict_speed.py [--n 10000] [--model DIR] [--contention "..."]

1. ``nlp.pipe`` in one process (spaCy alone: the baseline);
2. ``nerwb predict`` with the local engine, one process (what nerwb adds: reading, records,
   part files, assembly);
3. ``nerwb predict --n-process 2``;
4. ``nerwb predict --engine ray --actors 2`` on a local Ray.

Targets (issue 15): 3 ≥ 1.8 × 1 on 2 cores; 4 ≥ 0.85 × 3. Each way runs in its own
subprocess so that its peak memory (resident set of the process and all its descendants,
Ray's workers included, sampled every 0.1 s) is its own.

Articles: built from the texts in ``../shared/data/conflict3/*.jsonl`` (141 articles) and
``../shared/data/re3d/*.txt`` (765 sentences, tokens joined by spaces): article ``i`` is one
paragraph of conflict3 article ``i mod 141`` (the ``i div 141``-th, so that texts differ) and
two re3d sentences. Every way's time includes its start-up (model load, worker processes, Ray). The model, unless ``--model`` is given, is ``configs/ner-fast.cfg``
trained by ``nerwb train`` on conflict3 for 300 steps.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _util import REPO, SHARED_DATA, save

WAYS = ("spacy_pipe", "nerwb_local_1", "nerwb_local_2", "nerwb_ray_2")
TRAIN_STEPS = 300


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


def train_model(root: Path) -> Path:
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
            overrides={"training.max_steps": TRAIN_STEPS, "training.eval_frequency": 100},
        ),
    )
    return out / "model-best"


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry))
            rss[int(entry)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def one_way(way: str, model: Path, inputs: Path, out_dir: Path) -> dict:
    """Run one way in this process; returns its seconds, words and peak memory."""
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(os.getpid()))
            time.sleep(0.1)

    articles = [json.loads(line) for line in inputs.read_text().splitlines()]
    words = sum(len(a["text"].split()) for a in articles)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    if way == "spacy_pipe":
        import spacy

        nlp = spacy.load(model)
        n_ents = sum(len(d.ents) for d in nlp.pipe((a["text"] for a in articles), batch_size=64))
    else:
        from nerwb.predict.inputs import InputSource
        from nerwb.predict.options import Engine, PredictOptions
        from nerwb.predict.run import predict

        out = out_dir / f"{way}.jsonl"
        report = predict(
            PredictOptions(
                model,
                InputSource(paths=(inputs,)),
                out,
                include_text=False,
                engine=Engine.RAY if "ray" in way else Engine.LOCAL,
                n_process=2 if way == "nerwb_local_2" else 1,
                actors=2,
                batch_size=64,
            )
        )
        assert report.records == len(articles)
        n_ents = sum(len(json.loads(line)["entities"]) for line in out.read_text().splitlines())
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return {
        "seconds": round(seconds, 2),
        "articles": len(articles),
        "words": words,
        "words_per_s": round(words / seconds),
        "docs_per_s": round(len(articles) / seconds, 1),
        "entities": n_ents,
        "peak_rss_mb": round(peak[0] / 1024**2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="articles (≥ 10,000 for the record)")
    parser.add_argument("--model", type=Path, help="a trained pipeline (default: train one)")
    parser.add_argument("--contention", default="", help="say what else ran on the CPUs")
    parser.add_argument("--one", choices=WAYS, help=argparse.SUPPRESS)  # a child run
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_way(args.one, args.model, args.inputs, args.out_dir)))
        return
    with tempfile.TemporaryDirectory(prefix="nerwb-predict-bench-") as tmp:
        root = Path(tmp)
        model = args.model or train_model(root)
        inputs = root / "articles.jsonl"
        inputs.write_text(
            "".join(json.dumps(a) + "\n" for a in build_articles(args.n)), encoding="utf-8"
        )
        results = {}
        for way in WAYS:
            argv = [sys.executable, __file__, "--one", way, "--model", str(model)]
            argv += ["--inputs", str(inputs), "--out-dir", str(root)]
            load_before = os.getloadavg()[0]
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=REPO)
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            results[way] = json.loads(done.stdout.strip().splitlines()[-1])
            # CPU seconds of the way's process and the children it waited for (Ray's own
            # processes are not waited for, so its figure is a lower bound)
            results[way]["cpu_seconds"] = round(
                cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime,
                1,
            )
            results[way]["loadavg_1min_before_after"] = [
                round(load_before, 2),
                round(os.getloadavg()[0], 2),
            ]
            print(way, results[way], flush=True)
        entities = {r["entities"] for r in results.values()}
        same = all(
            (root / f"{w}.jsonl").read_bytes() == (root / "nerwb_local_1.jsonl").read_bytes()
            for w in WAYS[2:]
        )
    base = results["spacy_pipe"]["words_per_s"]
    ratios = {
        "n_process_2_vs_single": round(results["nerwb_local_2"]["words_per_s"] / base, 2),
        "ray_2_vs_n_process_2": round(
            results["nerwb_ray_2"]["words_per_s"] / results["nerwb_local_2"]["words_per_s"], 2
        ),
        "nerwb_local_1_vs_spacy_pipe": round(results["nerwb_local_1"]["words_per_s"] / base, 2),
    }
    path = save(
        "predict-speed",
        {
            "articles": args.n,
            "model": str(args.model)
            if args.model
            else f"ner-fast.cfg, {TRAIN_STEPS} steps on conflict3",
            "contention": args.contention or None,
            "results": results,
            "ratios": ratios,
            "targets": {"n_process_2_vs_single": 1.8, "ray_2_vs_n_process_2": 0.85},
            "same_entities_every_way": len(entities) == 1 and same,
        },
    )
    print(json.dumps(ratios), f"-> {path}")


if __name__ == "__main__":
    main()
