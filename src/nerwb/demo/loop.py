"""The main job: the whole loop on the shipped demo corpus, with the embedded defaults.

doccano up → corpus add/split → doccano push (two annotators) → simulated annotators label
through Doccano's REST API → doccano pull → labels audit/agreement/merge/convert → train →
evaluate. Each stage calls the same library functions as its CLI command; the stages report
through a callback so the CLI can show them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from nerwb.corpus.readers import read_articles
from nerwb.corpus.splits import split_workspace
from nerwb.corpus.store import add_articles
from nerwb.demo import DEMO_STEPS
from nerwb.demo.simulated_annotators import CAREFUL, NOISY, LabellingReport, simulate
from nerwb.doccano.client import DoccanoClient
from nerwb.doccano.connection import connect, credentials_for, local_server, remote_url
from nerwb.doccano.pull import pull
from nerwb.doccano.push import find_project, push
from nerwb.errors import LabelsError
from nerwb.evaluate.run import evaluate
from nerwb.labels.agreement import measure_agreement
from nerwb.labels.annotations import LabeledSpan
from nerwb.labels.audit import audit_workspace
from nerwb.labels.docbin import convert_workspace
from nerwb.labels.merge import merge_workspace
from nerwb.labels.schema import load_schema
from nerwb.training.run import train
from nerwb.workspace import Workspace

DEMO_ANNOTATORS = ("demo_alice", "demo_bob")  # alice careful, bob noisy
DEMO_OVERLAP = 0.5  # half the segments labelled by both, for agreement
DEMO_CONFIG = "ner-accuracy.cfg"


def demo_corpus_path() -> Path:
    return Path(str(resources.files("nerwb.resources").joinpath("demo/articles.jsonl")))


@dataclass
class DemoResult:
    url: str = ""
    credentials: Path | None = None
    labelling: dict[str, LabellingReport] = field(default_factory=dict)
    snapshot: Path | None = None
    agreement: dict[str, Any] = field(default_factory=dict)
    problems: int = 0
    gold_spans: int = 0
    conflicts: int = 0
    unconfirmed_segments: int = 0
    partly_gold_pieces: int = 0
    docbin_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    model: Path | None = None
    best_dev_f: float = 0.0
    report: Path | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


Stage = Callable[[str, str], None]  # (stage name, what happened)


def _gold(path: Path, limit: int | None) -> dict[str, list[LabeledSpan]]:
    """Gold spans of the demo articles (the first ``limit`` of them), by article id."""
    records = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    records = records[:limit] if limit else records
    return {r["id"]: [LabeledSpan(s, e, lab) for s, e, lab in r["label"]] for r in records}


def run_demo(
    ws: Workspace,
    *,
    port: int | None = None,
    limit: int | None = None,
    steps: int = DEMO_STEPS,
    config: str = DEMO_CONFIG,
    training_overrides: dict[str, Any] | None = None,
    on_stage: Stage = lambda _stage, _info: None,
    on_train_step: Callable[[dict[str, Any]], None] | None = None,
) -> DemoResult:
    """Run the whole loop in ``ws``; the local Doccano server stays up afterwards.

    Args:
        limit: Use only the first ``limit`` demo articles (the end-to-end test uses a few).
        steps: Training steps (``training.max_steps``).
    """
    result = DemoResult()
    schema = load_schema(ws.schema_path)

    # 1. doccano up (the embedded default), unless the workspace names a remote server
    if remote_url(ws):
        on_stage("doccano up", "using the remote server named by DOCCANO_URL / nerwb.toml")
    else:
        server = local_server(ws)
        status, started = server.up(
            port=port or ws.config.doccano.port, on_step=lambda s: on_stage("doccano up", s)
        )
        on_stage("doccano up", f"{'started' if started else 'already running'} at {status.url}")
        result.credentials = server.credentials_path
    result.url = credentials_for(ws).url

    # 2. corpus add + split
    source = demo_corpus_path()
    gold = _gold(source, limit)
    raw = [r for r in read_articles([source]) if r.id in gold]
    report, _ = add_articles(ws.articles_path, raw)
    on_stage(
        "corpus add", f"{len(report.added)} added, {len(report.already_present)} already present"
    )
    settings = ws.config.corpus
    split = split_workspace(ws)
    on_stage("corpus split", ", ".join(f"{k} {v}" for k, v in split.splits.counts().items()))

    # 3. push with two annotators
    with connect(ws) as admin:
        pushed = push(
            admin,
            ws,
            schema,
            splits=["train", "dev", "test"],
            annotators=list(DEMO_ANNOTATORS),
            overlap=DEMO_OVERLAP,
        )
        project = find_project(admin, ws.project_name)
    on_stage(
        "doccano push",
        f"project {project.name!r}: {pushed.uploaded} segments uploaded, {pushed.already_there} "
        f"already there (articles cut at {settings.segment_length} characters)",
    )

    # 4. simulated annotators label through the REST API (a demo device)
    passwords = json.loads(ws.annotator_passwords_path.read_text(encoding="utf-8"))
    for name, noise in zip(DEMO_ANNOTATORS, (CAREFUL, NOISY), strict=True):
        if name not in passwords:
            on_stage(
                "simulated annotators",
                f"{name} exists on the server but its password is not in annotators.json; skipped",
            )
            continue
        with DoccanoClient(result.url) as client:
            client.login(name, passwords[name])
            labelled = simulate(client, project.id, name, gold, noise=noise, seed=settings.seed)
        result.labelling[name] = labelled
        on_stage(
            "simulated annotators",
            f"{name}: {labelled.examples} examples, {labelled.spans_created} spans "
            f"({labelled.missed} missed, {labelled.shifted} shifted, {labelled.retyped} retyped on purpose)",
        )

    # 5. pull
    with connect(ws) as admin:
        pulled = pull(admin, ws, schema)
    result.snapshot = pulled.snapshot
    on_stage(
        "doccano pull",
        f"{pulled.snapshot.relative_to(ws.root)}: "
        + ", ".join(
            f"{n} {s.spans} spans in {s.segments} segments ({s.confirmed} confirmed) of "
            f"{s.articles} articles"
            for n, s in pulled.annotators.items()
        ),
    )

    # 6. labels: audit, agreement, merge, convert (the same use cases as the CLI's)
    demo_only = {"snapshot": pulled.snapshot, "annotators": list(DEMO_ANNOTATORS)}
    audited = audit_workspace(ws, **demo_only)
    result.problems = len(audited.problems)
    on_stage(
        "labels audit",
        f"{len(audited.problems)} problem(s) listed in {audited.path.relative_to(ws.root)}",
    )
    try:
        agreed = measure_agreement(ws, **demo_only)
        result.agreement = agreed.to_json()
        on_stage(
            "labels agreement",
            f"span F1 {agreed.overall_f1:.3f}, token kappa {agreed.overall_kappa:.3f} over "
            f"{sum(p.segments for p in agreed.pairs)} segment(s) both were given and confirmed",
        )
    except LabelsError as err:  # no double-labelled segment in a tiny run: report, go on
        on_stage("labels agreement", f"skipped: {err}")
    merged = merge_workspace(ws, f"prefer:{DEMO_ANNOTATORS[0]}", **demo_only)
    result.gold_spans, result.conflicts = merged.spans, len(merged.conflicts)
    result.unconfirmed_segments = merged.unconfirmed
    on_stage(
        "labels merge",
        f"prefer:{DEMO_ANNOTATORS[0]}: {merged.spans} gold spans in {merged.gold_segments} "
        f"confirmed segments of {len(merged.gold)} articles; {merged.unconfirmed} unconfirmed "
        f"segment(s) left out ({merged.unconfirmed_spans} spans)",
    )
    converted = convert_workspace(ws, on_misaligned="expand", on_overlap="longest")
    result.docbin_counts = {
        s: {lab: c.written + c.changed for lab, c in by.items()}
        for s, by in converted.per_split.items()
    }
    result.partly_gold_pieces = sum(converted.pieces.values())
    on_stage(
        "labels convert",
        ", ".join(
            f"{s} {converted.docs.get(s, 0)} docs ({converted.pieces.get(s, 0)} gold pieces of "
            "partly confirmed articles)"
            for s in ("train", "dev", "test")
        ),
    )

    # 7. train
    overrides = {
        "training.max_steps": steps,
        "training.eval_frequency": max(10, steps // 6),
        **(training_overrides or {}),
    }
    run_dir = ws.training_dir / f"demo-{Path(config).stem}-{pulled.snapshot.name}"
    trained = train(
        ws,
        config_path=ws.configs_dir / config,
        output=run_dir,
        train_path=ws.docbin_path("train"),
        dev_path=ws.docbin_path("dev"),
        overrides=overrides,
        force=True,
        on_step=on_train_step,
    )
    result.model, result.best_dev_f = trained.output / "model-best", trained.best_score
    on_stage(
        "train",
        f"{trained.steps} steps in {trained.seconds:.0f} s, best dev F {trained.best_score:.3f}",
    )

    # 8. evaluate on the held-out test split
    evaluated = evaluate(
        result.model,
        ws.docbin_path("test"),
        lang=ws.language,
        evaluate_dir=ws.evaluate_dir,
        colours=schema.colours(),
    )
    result.report, result.metrics = evaluated.folder / "report.html", evaluated.metrics
    strict = evaluated.metrics["micro"]["strict"]
    on_stage("evaluate", f"test strict P {strict['p']:.3f} R {strict['r']:.3f} F {strict['f']:.3f}")
    return result
