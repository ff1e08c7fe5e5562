"""Suggestions: how fast they reach Doccano, and how many edits they save an annotator.

1. Speed: conflict3's train articles pushed to a real local Doccano with two annotators per
   segment; the suggestions (an entity-ruler over the names in the gold, so every run offers
   the same spans) created as each annotator's own spans with 1, 4 and 8 requests in flight,
   each into a fresh project. Spans per second of the whole `suggest` call.
2. Edits: a model trained on conflict3 train, applied to conflict3 dev segments. Labelling from
   scratch costs one edit per gold span; correcting suggestions costs one per wrong suggestion
   (delete) and one per missed span (add); a wrong boundary or label is a delete and an add,
   since Doccano cannot resize a span. The ratio is what the suggestions save.

Run: .venv/bin/python bench/suggest_speed.py [--steps 2000]
Results: bench/results/suggest-speed.json. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import spacy

from _util import REPO, SHARED_DATA, save, timed
from accuracy import build, spacy_argv
from nerwb.choices import DoccanoDatabase
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.doccano.connection import connect
from nerwb.doccano.push import PushOptions, push
from nerwb.doccano.suggest import suggest
from nerwb.labels.annotations import doc_spans, load_annotated
from nerwb.labels.schema import load_schema
from nerwb.predict.suggest import load_suggester
from nerwb.records.credentials import Credentials
from nerwb.server.local import LocalServer, free_port

CONCURRENCY = (1, 4, 8)


def speed(root: Path, args: argparse.Namespace) -> dict:
    server = LocalServer(root / "doccano-home")
    server.up(port=free_port(), database=args.database, workers=args.workers)
    credentials = Credentials.load(server.credentials_path)
    os.environ.update(
        DOCCANO_URL=credentials.url,
        DOCCANO_USERNAME=credentials.username,
        DOCCANO_PASSWORD=credentials.password,
    )
    rows = {}
    try:
        for k in args.concurrency:
            ws = build(root / f"speed-{k}", "conflict3")
            doccano = ws.config.doccano.model_copy(update={"project": f"speed-{k}"})
            ws = dataclasses.replace(ws, config=ws.config.model_copy(update={"doccano": doccano}))
            schema = load_schema(ws.schema_path)
            gold = load_annotated(ws.gold_path)
            names = sorted({s.text(a.text) for a in gold.values() for s in a.spans})
            patterns = ws.root / "patterns.jsonl"
            labels = {s.text(a.text): s.label for a in gold.values() for s in a.spans}
            patterns.write_text(
                "".join(json.dumps({"label": labels[n], "pattern": n}) + "\n" for n in names)
            )
            suggester = load_suggester(schema, lang="en", patterns=patterns)
            with connect(ws) as admin:
                # new accounts per project: this workspace holds only its own passwords
                team = [f"ann_a_{k}", f"ann_b_{k}"]
                push(admin, ws, PushOptions(splits=("train",), annotators=team, overlap=1.0))
                seconds, report = timed(
                    lambda ws=ws, suggester=suggester, k=k: suggest(
                        admin, ws, suggester, concurrency=k
                    )
                )
            rows[str(k)] = {
                "spans": report.spans_created,
                "pairs": report.suggested,
                "seconds": round(seconds, 2),
                "spans_per_s": round(report.spans_created / seconds, 1),
            }
            print(f"concurrency {k}: {rows[str(k)]}", flush=True)
    finally:
        server.down()
    return rows


def edits(root: Path, args: argparse.Namespace) -> dict:
    ws = build(root / "edits", "conflict3")
    out = root / "model"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    overrides = ["--training.max_steps", str(args.steps)]
    subprocess.run(
        spacy_argv(
            REPO / "configs" / "ner-accuracy.cfg",
            ws.docbin_path("train"),
            ws.docbin_path("dev"),
            out,
            overrides,
        ),
        check=True,
        capture_output=True,
        env=env,
    )
    nlp = spacy.load(out / "model-best")
    gold = load_annotated(ws.gold_path)
    splits = load_splits(ws.splits_path).assignments
    scratch = corrections = tp = n_pred = 0
    segments = 0
    for article in gold.values():
        if splits.get(article.article_id) != "dev":
            continue
        for segment in segment_article(
            article.article_id, article.text, ws.config.corpus.segment_length
        ):
            truth = {
                (s.start - segment.start, s.end - segment.start, s.label)
                for s in article.spans
                if segment.start <= s.start and s.end <= segment.end
            }
            offered = set(doc_spans(nlp(segment.text)))
            scratch += len(truth)
            corrections += len(offered - truth) + len(truth - offered)
            tp += len(offered & truth)
            n_pred += len(offered)
            segments += 1
    p, r = tp / n_pred if n_pred else 0.0, tp / scratch if scratch else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "dev_segments": segments,
        "model_dev_f": round(f, 4),
        "edits_from_scratch": scratch,
        "edits_with_suggestions": corrections,
        "edits_per_segment": {
            "scratch": round(scratch / segments, 3),
            "with_suggestions": round(corrections / segments, 3),
        },
        "fewer_edits": round(1 - corrections / scratch, 4) if scratch else None,
        "steps": args.steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--skip-edits", action="store_true")
    parser.add_argument(
        "--database", type=DoccanoDatabase, default=DoccanoDatabase.SQLITE, help="sqlite|postgres"
    )
    parser.add_argument("--workers", type=int, default=None, help="web workers (up's default)")
    parser.add_argument("--concurrency", default=",".join(map(str, CONCURRENCY)))
    args = parser.parse_args()
    args.concurrency = [int(k) for k in args.concurrency.split(",")]
    if not SHARED_DATA.is_dir():
        sys.exit(f"{SHARED_DATA} is absent: this benchmark reads the shared corpora")
    with tempfile.TemporaryDirectory(prefix="nerwb-suggest-") as tmp:
        root = Path(tmp)
        result = {"speed": speed(root, args)}
        if not args.skip_edits:
            result["edits"] = edits(root, args)
    suffix = "" if args.database is DoccanoDatabase.SQLITE else f"-{args.database}"
    path = save("suggest-speed" + suffix, result)
    print(json.dumps(result, indent=1), f"\nwrote {path}")


if __name__ == "__main__":
    main()
