"""Cross-validated comparison of ner-accuracy.cfg and spaCy's default on conflict3.

conflict3's dev set is 30 articles; a paired bootstrap over them cannot resolve a difference
of under about 3 F points. This pools train and dev (141 articles), cuts them into K folds by
article, and for each fold trains both configs on the other folds and scores them on it (the
held-out fold also selects the best checkpoint, as dev does in bench/accuracy.py, for both
configs alike). Every article is then scored once per config, so the comparison rests on 141
articles instead of 30: pooled F per config, and a paired bootstrap over all of them.

Run: .venv/bin/python bench/crossval.py [--folds 5] [--steps 2000] [--corpus conflict3]
Results: bench/results/crossval-<corpus>.json. Needs ../shared/data (beside the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _util import REPO, SHARED_DATA, save, timed
from accuracy import build, paired_gain, spacy_argv, spacy_default_config
from nerwb.evaluate.scoring import DocCounts
from nerwb.training.curve import dev_scores


def fold_docbins(ws, root: Path, folds: int, seed: int) -> list[tuple[Path, Path, int]]:
    """(train, held-out) DocBin paths per fold, and the held-out fold's article count."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    docs = [
        doc
        for split in ("train", "dev")
        for doc in DocBin(store_user_data=True).from_disk(ws.docbin_path(split)).get_docs(vocab)
    ]
    by_article: dict[str, list] = {}
    for i, doc in enumerate(docs):
        key = str(doc.user_data.get("nerwb_article_id") or f"doc-{i}")
        by_article.setdefault(key, []).append(doc)
    articles = sorted(by_article)
    random.Random(seed).shuffle(articles)
    out = []
    for k in range(folds):
        held = set(articles[k::folds])
        paths = []
        for name, keep in (
            ("train", lambda a, held=held: a not in held),
            ("held", held.__contains__),
        ):
            db = DocBin(store_user_data=True)
            for article in articles:
                if keep(article):
                    for doc in by_article[article]:
                        db.add(doc)
            path = root / f"fold{k}-{name}.spacy"
            db.to_disk(path)
            paths.append(path)
        out.append((paths[0], paths[1], len(held)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="conflict3")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0, help="training seed and fold shuffle")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not SHARED_DATA.is_dir():
        sys.exit(f"{SHARED_DATA} is absent: this benchmark reads the shared corpora")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with tempfile.TemporaryDirectory(prefix="nerwb-cv-") as tmp:
        root = Path(tmp)
        configs = {
            "spacy-efficiency": spacy_default_config(root / "spacy-efficiency.cfg"),
            "ner-accuracy": REPO / "configs" / "ner-accuracy.cfg",
        }
        ws = build(root, args.corpus)
        folds = fold_docbins(ws, root, args.folds, args.seed)
        jobs = [(name, k) for k in range(args.folds) for name in configs]

        def run(job: tuple[str, int]) -> tuple[float, list[DocCounts], float]:
            name, k = job
            train, held, _ = folds[k]
            out = root / f"{name}-{k}"
            seed = str(args.seed)
            overrides = ["--training.max_steps", str(args.steps)]
            overrides += ["--training.seed", seed, "--system.seed", seed]
            argv = spacy_argv(configs[name], train, held, out, overrides)
            seconds, _ = timed(
                lambda: subprocess.run(argv, check=True, capture_output=True, env=env)
            )
            overall, _, counts = dev_scores(out / "model-best", held, "en")
            shutil.rmtree(out, ignore_errors=True)
            print(f"fold {k} {name:18} F {overall:.3f} ({seconds:.0f} s)", flush=True)
            return overall, counts, seconds

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            done = dict(zip(jobs, pool.map(run, jobs), strict=True))
    rows = {}
    for name in configs:
        counts = [c for k in range(args.folds) for c in done[(name, k)][1]]
        tp, pred, gold = (
            sum(sum(getattr(c, field).values()) for c in counts)
            for field in ("tp", "n_pred", "n_gold")
        )
        rows[name] = {
            "pooled_f": round(2 * tp / (pred + gold), 4) if pred + gold else 0.0,
            "fold_f": [round(done[(name, k)][0], 4) for k in range(args.folds)],
            "seconds": round(sum(done[(name, k)][2] for k in range(args.folds)), 1),
        }
    # One "seed" holding every article: the bootstrap then resamples all pooled articles.
    ours = [[c for k in range(args.folds) for c in done[("ner-accuracy", k)][1]]]
    theirs = [[c for k in range(args.folds) for c in done[("spacy-efficiency", k)][1]]]
    gain = paired_gain(ours, theirs)
    gain["pooled"] = round(
        rows["ner-accuracy"]["pooled_f"] - rows["spacy-efficiency"]["pooled_f"], 4
    )
    gain["per_fold"] = [
        round(a - b, 4)
        for a, b in zip(
            rows["ner-accuracy"]["fold_f"], rows["spacy-efficiency"]["fold_f"], strict=True
        )
    ]
    result = {
        "corpus": args.corpus,
        "folds": args.folds,
        "articles": sum(f[2] for f in folds),
        "steps": args.steps,
        "seed": args.seed,
        "configs": rows,
        "gain_of_ner_accuracy": gain,
    }
    path = save(f"crossval-{args.corpus}", result)
    print(json.dumps(result, indent=1), f"\nwrote {path}")


if __name__ == "__main__":
    main()
