"""Suggestions: how fast they reach Doccano, and how many edits they save an annotator.

1. Speed: conflict3's train articles pushed to a real local Doccano with two annotators per
   segment; the suggestions (an entity-ruler over the names in the gold, so every run offers
   the same spans) created as each annotator's own spans over REST with 1, 4 and 8 requests
   in flight, and in bulk through the local server's database (what `nerwb doccano suggest`
   does for the workspace's own server), each into a fresh project. Spans per second of the
   whole `suggest` call; then a second run must create nothing, and each annotator must hold
   exactly the spans the ledger offered them. Target (issue 34): >= 200 spans/s in bulk.
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
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.push import PushOptions, push
from nerwb.doccano.suggest import SuggestOptions, suggest
from nerwb.labels.annotations import doc_spans, load_annotated
from nerwb.labels.schema import load_schema
from nerwb.predict.suggest import load_suggester
from nerwb.records.credentials import Credentials
from nerwb.records.suggestions import SuggestionLedger
from nerwb.select.strategies import Selection, SelectStrategy
from nerwb.server.direct import DirectAccess
from nerwb.server.local import LocalServer, free_port

CONCURRENCY = (1, 4, 8)


def annotator_views(server: LocalServer, project: str) -> dict[str, dict[int, set]]:
    """Per member, per example id: their own spans on the server (read from its database)."""
    labels, _ = DirectAccess(server).read(project)
    return {
        name: {
            eid: {tuple(s) for s in record["label"]} for eid, (_, record) in view.records.items()
        }
        for name, view in labels.views.items()
    }


def credited_right(server: LocalServer, ws, project: str) -> bool:
    """Each annotator holds exactly the spans the ledger offered them, once each; no one else
    holds any (the admin none)."""
    (offered,) = SuggestionLedger(ws.suggestions_path).data.values()
    wanted: dict[str, dict[int, set]] = {}
    for by in offered.values():
        for name, record in by.items():
            if record.spans:
                wanted.setdefault(name, {})[record.example_id] = {tuple(x) for x in record.spans}
    seen = annotator_views(server, project)
    return all(
        {eid: spans for eid, spans in seen.get(name, {}).items() if spans} == wanted.get(name, {})
        for name in set(seen) | set(wanted)
    )


def measure_speed(
    server: LocalServer, root: Path, args: argparse.Namespace, prefix: str = ""
) -> dict:
    """Suggestions into a fresh project per way: over REST with k requests in flight, and in
    bulk through the local server's database."""
    credentials = Credentials.load(server.credentials_path)
    admin = DoccanoClient(credentials.url, timeout=600)
    admin.login(credentials.username, credentials.password)
    ways = [str(k) for k in args.concurrency] + (["bulk"] if args.bulk else [])
    rows = {}
    try:
        for way in ways:
            ws = build(root / f"{prefix}speed-{way}", "conflict3")
            project = f"{prefix}speed-{way}"
            doccano = ws.config.doccano.model_copy(update={"project": project})
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
            # new accounts per project: this workspace holds only its own passwords
            team = [f"{prefix}ann_a_{way}", f"{prefix}ann_b_{way}"]
            selection = Selection(SelectStrategy.RANDOM, args.segments) if args.segments else None
            push(
                admin,
                ws,
                PushOptions(splits=("train",), annotators=team, overlap=1.0, selection=selection),
            )
            target = DirectAccess(server) if way == "bulk" else admin
            concurrency = 1 if way == "bulk" else int(way)
            seconds, report = timed(
                lambda ws=ws, suggester=suggester, target=target, k=concurrency: suggest(
                    target, ws, suggester, SuggestOptions(concurrency=k)
                )
            )
            again = suggest(target, ws, suggester, SuggestOptions(concurrency=concurrency))
            rows[way] = {
                "spans": report.spans_created,
                "pairs": report.suggested,
                "seconds": round(seconds, 2),
                "spans_per_s": round(report.spans_created / seconds, 1),
                "created_by_a_second_run": again.spans_created,
                "each_annotator_holds_what_was_offered": credited_right(server, ws, project),
            }
            print(f"{way}: {rows[way]}", flush=True)
    finally:
        admin.close()
    return rows


def speed(root: Path, args: argparse.Namespace) -> dict:
    server = LocalServer(root / "doccano-home")
    server.up(port=free_port(), database=args.database, workers=args.workers)
    try:
        return measure_speed(server, root, args)
    finally:
        server.down()


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
    parser.add_argument("--no-bulk", dest="bulk", action="store_false", help="REST only")
    parser.add_argument("--segments", type=int, default=None, help="push only this many")
    args = parser.parse_args()
    args.concurrency = [int(k) for k in args.concurrency.split(",") if k]
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
