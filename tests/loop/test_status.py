"""``nerwb status``: a workspace built by hand with known counts, every number on screen and in
the JSON checked; what to do next at each stage; read-only and without spaCy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from conftest import snapshot_tree
from nerwb.corpus.model import RawArticle
from nerwb.corpus.splits import Splits, save_splits
from nerwb.corpus.store import add_articles
from nerwb.labels.annotations import (
    AnnotatedArticle,
    AnnotatedSegment,
    LabeledSpan,
    save_annotated,
    save_units,
)
from nerwb.loop import default as loop_default
from nerwb.loop.default import DEFAULT_LOOP, LoopDefault
from nerwb.loop.status import loop_status
from nerwb.records.agreement import AgreementFile, Overall, PairAgreement
from nerwb.records.candidates import NameCandidatesFile
from nerwb.records.dev_scores import DevScores
from nerwb.records.doccano import AssignmentPlan, PushedProject, PushLedgerFile
from nerwb.records.metrics import MetricsFile
from nerwb.records.pull import PullManifest
from nerwb.records.training import TrainingManifest
from nerwb.select.strategies import USES_MODEL, SelectStrategy

# article id -> (split, words); each one segment (shorter than segment_length)
ARTICLES = {
    "a1": ("train", 10),
    "a2": ("train", 20),
    "a3": ("train", 30),
    "a4": ("train", 40),
    "a5": ("train", 50),
    "d1": ("dev", 12),
    "t1": ("test", 7),
}
PULLED = datetime(2026, 3, 1, tzinfo=UTC)


# issue 26's table: later batches ranked by the latest model (checks the mechanism)
MODEL_TABLE = LoopDefault(
    SelectStrategy.NOVEL, SelectStrategy.UNCERTAIN_DIVERSE, True, None, "a test"
)


def text_of(article: str, words: int) -> str:
    # "Hamas" in a1 and d1: a confirmed name; every other word its own
    head = ["Hamas"] if article in ("a1", "d1") else []
    return " ".join(head + [f"{article}w{i}" for i in range(words - len(head))])


def at(day: int) -> float:
    return datetime(2026, 3, day, tzinfo=UTC).timestamp()


def run(ws, name: str, day: int, spans: int, f: float, model: bool = False) -> None:
    folder = ws.training_dir / name
    folder.mkdir(parents=True)
    TrainingManifest(
        finished=datetime(2026, 3, day, tzinfo=UTC).isoformat(),
        data={"train": {"docs": 3, "spans": {"ARMED_GROUP": spans}}, "dev": {"docs": 1}},
        best_dev=DevScores(ents_f=f),
    ).save(folder / "manifest.json")
    if model:
        (folder / "model-best").mkdir()
        (folder / "model-best" / "meta.json").write_text("{}")


def evaluation(ws, name: str, created: str, f: float) -> None:
    """An evaluation's metrics.json (the record ``nerwb evaluate`` writes), F ``f``."""
    folder = ws.evaluate_dir / name
    folder.mkdir(parents=True)
    prf = {"p": 0.7, "r": 0.6, "f": f}
    group = {"predicted": 31, "correct": 30, "precision": 0.97}
    MetricsFile.from_json(
        {
            "model": "training/r4/model-best",
            "data": "labels/test.spacy",
            "data_sha256": "ab",
            **{"n_docs": 5, "n_gold": 60, "n_pred": 50},
            "micro": {schema: prf for schema in ("strict", "exact", "partial", "type")},
            "micro_f_ci95": [0.5, 0.7],
            "per_label": {},
            "words_per_second": 1000.0,
            "unseen_labels": [],
            "bootstrap": {"resamples": 10, "seed": 0},
            "errors_by_kind": {},
            "conversion": {
                **{"on_misaligned": "error", "on_overlap": "error"},
                **{"spans_in": 60, "changed": 0, "skipped": 0},
            },
            "training": None,
            "created": created,
            "seen_unseen": {
                "train_data": "manifest",
                "train_names": 3,
                "seen": {"pooled": {"gold": 40, "found": 30, "recall": 0.75, **group}},
                "unseen": {"pooled": {"gold": 20, "found": 5, "recall": 0.25, **group}},
            },
        },
        "test",
    ).save(folder / "metrics.json")


def build(ws) -> None:
    """Every stage file, by hand, with the counts the test checks."""
    add_articles(
        ws.articles_path,
        [RawArticle(text_of(a, n), "hand", id=a) for a, (_, n) in ARTICLES.items()],
    )
    save_splits(ws.splits_path, Splits({a: s for a, (s, _) in ARTICLES.items()}))
    PushLedgerFile(
        projects={
            "u|project:1": PushedProject(
                segments={s: "h" for s in ("a1#0", "a2#0", "a3#0", "d1#0")}
            )
        }
    ).save(ws.push_ledger_path)
    AssignmentPlan(
        segments={"a1#0": ["amira", "ben"], "a2#0": ["amira"], "a3#0": ["ben"], "d1#0": ["amira"]}
    ).save(ws.assignments_path)
    snapshot = ws.pulls_dir / "20260301T000000Z"
    snapshot.mkdir(parents=True)
    PullManifest(project="p", project_id=1, server="u", pulled_at=PULLED.isoformat()).save(
        snapshot / "manifest.json"
    )

    def unit(article: str, confirmed: bool) -> AnnotatedSegment:
        text = text_of(article, ARTICLES[article][1])
        spans = [LabeledSpan(0, 5, "ARMED_GROUP")] if text.startswith("Hamas") else []
        return AnnotatedSegment(article, f"{article}#0", 0, text, spans, confirmed, True)

    # amira confirmed a1 and d1, has a2 open; ben confirmed a1; a3 was pushed after the pull
    save_units(snapshot / "amira.jsonl", [unit("a1", True), unit("a2", False), unit("d1", True)])
    save_units(snapshot / "ben.jsonl", [unit("a1", True)])
    AgreementFile(
        overall=Overall(f1=0.8, kappa=0.75),
        pairs=[PairAgreement(a="amira", b="ben", segments=1, f1=0.8, kappa=0.75)],
    ).save(ws.agreement_path)
    os.utime(ws.agreement_path, (at(1) - 3600, at(1) - 3600))  # measured before the pull
    gold = [
        AnnotatedArticle(a, text_of(a, ARTICLES[a][1]), [LabeledSpan(0, 5, "ARMED_GROUP")], True)
        for a in ("a1", "d1")
    ]
    save_annotated(ws.gold_path, gold)
    os.utime(ws.gold_path, (at(2), at(2)))
    for name, day, spans, f in (("r1", 3, 5, 0.40), ("r2", 4, 9, 0.55), ("r3", 5, 12, 0.555)):
        run(ws, name, day, spans, f)
    run(ws, "r4", 6, 15, 0.556, model=True)
    evaluation(ws, "e-old", "2026-03-05T00:00:00+00:00", 0.5)
    evaluation(ws, "e-new", "2026-03-06T00:00:00+00:00", 0.61)
    # counted when a3, a4 were unpushed; a5 came later. "hamas" is a gold name by now.
    NameCandidatesFile(
        lang="en",
        segment_length=ws.config.corpus.segment_length,
        counted_at="2026-03-01T00:00:00+00:00",
        segments={"a3#0": ["x", "y"], "a4#0": ["hamas", "lions brigade", "desert hawks"]},
    ).save(ws.name_candidates_path)


EXPECTED_SPLITS = {
    "train": {
        **{"segments": 5, "words": 150},
        **{"pushed_segments": 3, "pushed_words": 60},
        **{"unpushed_segments": 2, "unpushed_words": 90},
        **{"labelled_segments": 1, "labelled_words": 10},
    },
    "dev": {
        **{"segments": 1, "words": 12, "pushed_segments": 1, "pushed_words": 12},
        **{"unpushed_segments": 0, "unpushed_words": 0},
        **{"labelled_segments": 1, "labelled_words": 12},
    },
    "test": {
        **{"segments": 1, "words": 7, "pushed_segments": 0, "pushed_words": 0},
        **{"unpushed_segments": 1, "unpushed_words": 7},
        **{"labelled_segments": 0, "labelled_words": 0},
    },
}


def per(confirmed: tuple[int, int], waiting: tuple[int, int]) -> dict[str, int]:
    return {
        "confirmed_segments": confirmed[0],
        "confirmed_words": confirmed[1],
        "waiting_segments": waiting[0],
        "waiting_words": waiting[1],
    }


def test_status_counts_a_known_workspace_exactly(ws, cli) -> None:
    build(ws)
    before = snapshot_tree(ws.root)
    result = cli("status", "--json", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert snapshot_tree(ws.root) == before  # read-only
    assert (data["articles"], data["unsplit_articles"]) == (7, 0)
    assert data["splits"] == EXPECTED_SPLITS
    assert data["annotators"] == {
        "amira": {"train": per((1, 10), (1, 20)), "dev": per((1, 12), (0, 0))},
        "ben": {"train": per((1, 10), (1, 30))},  # a3: pushed since the pull, waits
    }
    assert (data["last_pull"], data["pulled_at"]) == (
        "labels/pulls/20260301T000000Z",
        PULLED.isoformat(),
    )
    assert data["agreement"] == {
        "f1": 0.8,
        "kappa": 0.75,
        "pairs": 1,
        "segments": 1,
        "measured_at": "2026-02-28T23:00:00+00:00",
        "before_last_pull": True,
    }
    training = data["training"]
    assert [r["run"] for r in training["runs"]] == ["r1", "r2", "r3", "r4"]
    assert [(r["train_spans"], r["dev_f"]) for r in training["rounds"]] == [
        (5, 0.40),
        (9, 0.55),
        (12, 0.555),
        (15, 0.556),
    ]
    assert training["flattened"] is True  # +0.005, +0.001: under 0.01 twice
    assert data["evaluation"] == {
        "folder": "evaluate/e-new",
        "model": "training/r4/model-best",
        "created": "2026-03-06T00:00:00+00:00",
        "f": 0.61,
        "seen_recall": 0.75,
        "unseen_recall": 0.25,
        "seen_gold": 40,
        "unseen_gold": 20,
    }
    assert data["pool"] == {"segments": 2, "words": 90}  # a4, a5
    # a4's candidates less the gold name; a5 not counted; a3 pushed
    assert data["unseen_names"] == {
        "left": 2,
        "counted_segments": 1,
        "not_counted": 1,
        "counted_at": "2026-03-01T00:00:00+00:00",
    }
    assert data["next"] == {
        "step": "wait",
        "segments": None,
        "strategy": None,
        "model": None,
        "waiting": 2,
    }

    screen = cli("status", "-w", ws.root)
    assert screen.exit_code == 0, screen.stderr
    lines = [" ".join(line.split()) for line in screen.stdout.splitlines()]
    text = "\n".join(lines)
    assert "│ train │ 5 (150) │ 3 (60) │ 2 (90) │ 1 (10) │" in text
    assert "│ dev │ 1 (12) │ 1 (12) │ 0 (0) │ 1 (12) │" in text
    assert "│ test │ 1 (7) │ 0 (0) │ 1 (7) │ 0 (0) │" in text
    assert "│ amira │ train │ 1 (10) │ 1 (20) │" in text
    assert "│ ben │ train │ 1 (10) │ 1 (30) │" in text
    assert (
        "Agreement: span F1 0.800, token kappa 0.750 over 1 segment(s) shared by 1 pair(s), "
        "measured 2026-02-28T23:00:00+00:00 (before the last pull: measure again)"
    ) in text
    assert "dev F 0.556; over 4 round(s) of growing gold: 0.400 → 0.550 → 0.555 → 0.556" in text
    assert "(flattened)" in text
    assert (
        "Evaluation: evaluate/e-new, F 0.610; recall on seen names 0.750 (40), on unseen names "
        "0.250 (20)"
    ) in text
    assert "Pool for the next batch: 2 training segment(s) (90 words)" in text
    assert "Unseen name candidates left in the unpushed pool: 2 in 1 segment(s)" in text
    assert "Next: 2 segment(s) wait for their annotators" in text


def _confirm_everything(ws) -> None:
    """ben confirms a3 and amira a2, in a pull after the gold: the waiting ends."""
    snapshot = ws.pulls_dir / "20260307T000000Z"
    snapshot.mkdir(parents=True)
    PullManifest(project="p", project_id=1, server="u", pulled_at="2026-03-07T00:00:00+00:00").save(
        snapshot / "manifest.json"
    )
    for name, articles in (("amira", ("a1", "a2", "d1")), ("ben", ("a1", "a3"))):
        save_units(
            snapshot / f"{name}.jsonl",
            [
                AnnotatedSegment(a, f"{a}#0", 0, text_of(a, ARTICLES[a][1]), [], True, True)
                for a in articles
            ],
        )


def test_status_says_what_to_do_next_at_each_stage(ws) -> None:
    assert loop_status(ws).next.step == "add-articles"
    add_articles(
        ws.articles_path,
        [RawArticle(text_of(a, n), "hand", id=a) for a, (_, n) in ARTICLES.items()],
    )
    assert loop_status(ws).next.step == "split"
    save_splits(ws.splits_path, Splits({a: s for a, (s, _) in ARTICLES.items()}))
    first = loop_status(ws).next
    # a tenth of the 5 training segments, rounded up; no model yet
    assert (first.step, first.segments, first.strategy) == ("push-first", 1, DEFAULT_LOOP.first)

    ws.articles_path.unlink()
    ws.splits_path.unlink()
    build(ws)
    _confirm_everything(ws)
    assert loop_status(ws).next.step == "merge"  # the new pull is newer than the gold
    os.utime(ws.gold_path, (at(7) + 60, at(7) + 60))
    assert loop_status(ws).next.step == "train"  # the gold is newer than every run
    run(ws, "r5", 8, 15, 0.556, model=True)  # the same gold again: replaces r4 as its round
    status = loop_status(ws)
    assert [r.run for r in status.training.rounds] == ["r1", "r2", "r3", "r5"]
    assert status.next.step == "new-kind"
    run(ws, "r6", 9, 30, 0.70, model=True)  # more gold, a real gain: not flat any more
    nxt = loop_status(ws).next
    # a4 and a5 are left; a batch is a tenth of the 5 training segments, rounded up
    assert (nxt.step, nxt.segments, nxt.strategy) == ("label-more", 1, DEFAULT_LOOP.then)
    # the latest model goes with the advice when the table's strategy ranks by one
    ranks_by_model = DEFAULT_LOOP.then in USES_MODEL
    latest = ws.training_dir / "r6" / "model-best"
    assert nxt.model == (latest if ranks_by_model else None)
    with pytest.MonkeyPatch.context() as patch:  # and with a table that ranks by a model
        patch.setattr(loop_default, "DEFAULT_LOOP", MODEL_TABLE)
        nxt = loop_status(ws).next
    assert (nxt.strategy, nxt.model) == (SelectStrategy.UNCERTAIN_DIVERSE, latest)


def test_status_refuses_a_corrupt_stage_file_by_name(ws, cli) -> None:
    build(ws)
    ws.agreement_path.write_text("{not json")
    before = snapshot_tree(ws.root)
    result = cli("status", "-w", ws.root)
    assert result.exit_code == 1
    assert f"{ws.agreement_path}: not an agreement report file: malformed JSON" in result.stderr
    assert snapshot_tree(ws.root) == before


def test_status_without_anything_yet(ws, cli) -> None:
    result = cli("status", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "0 articles" in text and "Next: add articles" in text


def test_status_reads_a_real_evaluation_and_agreement(tiny_workspace) -> None:
    """The hand-made files above have the real ones' shape: read the real ones too."""
    from conftest import DEMO_ARTICLES
    from nerwb.evaluate.options import EvaluateContext, EvaluateOptions
    from nerwb.evaluate.run import evaluate
    from nerwb.labels.agreement import measure_agreement
    from nerwb.labels.imports import ImportOptions, import_annotations

    ws, model = tiny_workspace
    evaluated = evaluate(
        EvaluateOptions(model, ws.docbin_path("dev")), EvaluateContext("en", ws.evaluate_dir)
    )
    import_annotations(ws, ImportOptions(DEMO_ARTICLES, annotator="second"))
    measured = measure_agreement(ws)
    status = loop_status(ws)
    assert status.evaluation is not None
    assert status.evaluation.f == pytest.approx(evaluated.metrics.micro["strict"].f)
    assert status.evaluation.folder == str(evaluated.folder.relative_to(ws.root))
    assert status.agreement is not None and status.agreement.f1 == measured.overall_f1
    assert status.training.runs[-1].dev_f is not None


def test_status_loads_no_spacy(tmp_path) -> None:
    """What `nerwb status` imports, as tests/cli/test_startup.py checks the other commands."""
    ws = tmp_path / "ws"
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from nerwb.workspace import init_workspace\n"
        f"init_workspace(Path({str(ws)!r}))\n"
        "from nerwb.cli.main import app\n"
        f"app(['status', '-w', {str(ws)!r}], standalone_mode=False)\n"
        "heavy = ('spacy', 'thinc', 'numpy', 'sklearn', 'httpx', 'matplotlib')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_status_counts_an_import_as_the_segments_of_its_articles(ws) -> None:
    from conftest import prepare_demo_gold
    from nerwb.workspace import find_workspace

    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace("segment_length = 2000", "segment_length = 200"))
    ws = find_workspace(ws.root)
    prepare_demo_gold(ws)  # the demo corpus imported whole, as one annotator's, and merged
    status = loop_status(ws)
    assert status.articles < status.splits["train"].total.segments  # several per article
    for split, state in status.splits.items():
        assert state.labelled == state.total, split
        assert status.annotators["gold"].confirmed[split] == state.total
    assert status.pool.segments == 0  # labelled without a push: nothing left to choose
    assert status.next.step == "train"
