"""Which changes to spaCy's default NER config help on small data: one variant at a time.

Each variant is spaCy's own `init config -p ner -o efficiency` (or nerwb's previous
ner-accuracy network) with config overrides, trained with `python -m spacy train` on the
imported re3d and conflict3 corpora for the same step budget and scored on dev (the best
checkpoint's ents_f). Runs are deterministic for a seed, so seeds measure the noise; runs go
two at a time, one thread each.

Run: .venv/bin/python bench/config_variants.py [--steps 2000] [--seeds 3] [--variants a,b]
Results: bench/results/config-variants.json (one row per corpus, variant and seed).
Needs ../shared/data (beside the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _util import SHARED_DATA, add_results_option, save, timed
from accuracy import build, spacy_argv, spacy_default_config

AVERAGES = ["--training.optimizer.use_averages", "true"]
WINDOW_2 = ["--components.tok2vec.model.encode.window_size", "2"]
LIKE_NUM = [
    "--components.tok2vec.model.embed.attrs",
    '["NORM","PREFIX","SUFFIX","SHAPE","LIKE_NUM"]',
    "--components.tok2vec.model.embed.rows",
    "[5000,1000,2500,2500,10]",
]
# name: (base network, overrides)
VARIANTS: dict[str, tuple[str, list[str]]] = {
    "spacy-efficiency": ("efficiency", []),
    "dropout-0.2": ("efficiency", ["--training.dropout", "0.2"]),
    "averages": ("efficiency", AVERAGES),
    "dropout-0.2+averages": ("efficiency", ["--training.dropout", "0.2", *AVERAGES]),
    "dropout-0.3+averages": ("efficiency", ["--training.dropout", "0.3", *AVERAGES]),
    "dropout-0.2+averages+extra-state-tokens": (
        "efficiency",
        [
            "--training.dropout",
            "0.2",
            *AVERAGES,
            "--components.ner.model.extra_state_tokens",
            "true",
        ],
    ),
    "dropout-0.2+like-num": ("efficiency", ["--training.dropout", "0.2", *LIKE_NUM]),
    # each token sees two neighbours a side per CNN layer instead of one (8 a side over 4 layers)
    "window-2": ("efficiency", WINDOW_2),
    "window-2+averages": ("efficiency", [*WINDOW_2, *AVERAGES]),
    "dropout-0.2+averages+window-2": (
        "efficiency",
        ["--training.dropout", "0.2", *AVERAGES, *WINDOW_2],
    ),
    # beam search NER (spaCy's beam_ner factory, its default beam of 32)
    "beam-ner": ("efficiency", ["--components.ner.factory", "beam_ner"]),
    # nerwb's first ner-accuracy: width 128, window 2, LOWER hashed too, parser width 128,
    # batches 32 -> 512 words, dropout 0.2
    "wide-window-2": ("wide", []),
    "wide-window-2+averages": ("wide", AVERAGES),
    "wide-window-2+dropout-0.3+averages": ("wide", ["--training.dropout", "0.3", *AVERAGES]),
}
WIDE = [
    "--components.tok2vec.model.encode.width",
    "128",
    "--components.tok2vec.model.encode.window_size",
    "2",
    "--components.tok2vec.model.embed.attrs",
    '["NORM","LOWER","PREFIX","SUFFIX","SHAPE"]',
    "--components.tok2vec.model.embed.rows",
    "[10000,10000,2500,5000,2500]",
    "--components.ner.model.hidden_width",
    "128",
    "--training.batcher.size.start",
    "32",
    "--training.batcher.size.stop",
    "512",
    "--training.dropout",
    "0.2",
]


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--corpora", default="re3d,conflict3")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--jobs", type=int, default=2)
    add_results_option(parser)
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        sys.exit(f"{SHARED_DATA} is absent: this benchmark reads the shared corpora")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    rows = []
    with tempfile.TemporaryDirectory(prefix="nerwb-variants-") as tmp:
        root = Path(tmp)
        config = spacy_default_config(root / "spacy-efficiency.cfg")
        for corpus in args.corpora.split(","):
            ws = build(root, corpus)
            jobs = [(v, s) for v in args.variants.split(",") for s in range(args.seeds)]

            def run(job: tuple[str, int], ws=ws, corpus=corpus) -> dict:
                variant, seed = job
                base, overrides = VARIANTS[variant]
                out = root / f"{corpus}-{variant}-{seed}"
                argv = spacy_argv(
                    config,
                    ws.docbin_path("train"),
                    ws.docbin_path("dev"),
                    out,
                    ["--training.max_steps", str(args.steps)]
                    + ["--training.seed", str(seed), "--system.seed", str(seed)]
                    + (WIDE if base == "wide" else [])
                    + overrides,
                )
                seconds, _ = timed(
                    lambda: subprocess.run(argv, check=True, capture_output=True, env=env)
                )
                meta = json.loads((out / "model-best" / "meta.json").read_text())
                shutil.rmtree(out, ignore_errors=True)
                perf = meta["performance"]
                row = {
                    "corpus": corpus,
                    "variant": variant,
                    "seed": seed,
                    "dev_f": round(perf["ents_f"], 4),
                    "per_label": {k: round(v["f"], 4) for k, v in perf["ents_per_type"].items()},
                    "seconds": round(seconds, 1),
                }
                print(json.dumps(row), flush=True)
                return row

            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                rows.extend(pool.map(run, jobs))
    summary: dict[str, dict] = {}
    for row in rows:
        summary.setdefault(row["corpus"], {}).setdefault(row["variant"], []).append(row["dev_f"])
    means = {
        corpus: {v: round(statistics.fmean(fs), 4) for v, fs in variants.items()}
        for corpus, variants in summary.items()
    }
    path = save(
        "config-variants", {"steps": args.steps, "mean_dev_f": means, "runs": rows}, args.results
    )
    print(json.dumps(means, indent=1), f"\nwrote {path}")
    return path


if __name__ == "__main__":
    main()
