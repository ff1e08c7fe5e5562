"""Shared fixtures: a fresh workspace, a CLI runner, the demo corpus, the shared data."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from nerwb.cli.main import app
from nerwb.labels.annotations import LabeledSpan, whole_article
from nerwb.text import blank
from nerwb.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[1]
DEMO_ARTICLES = REPO / "src" / "nerwb" / "resources" / "demo" / "articles.jsonl"
SHARED_DATA = REPO.parent / "shared" / "data"

_shared_absent = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"{SHARED_DATA} is absent (it is beside the repository in CI, not in a user's clone)",
)


def needs_shared(test):
    """Marks a test that reads ../shared/data (`-m shared`) and skips it, saying why, without it."""
    return pytest.mark.shared(_shared_absent(test))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws", name="test-project")


class Cli:
    """Runs ``nerwb`` in-process and keeps stdout and stderr apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | None = None, cwd: Path | None = None):
        old = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return self.runner.invoke(
                app, [str(a) for a in args], input=input, catch_exceptions=False
            )
        finally:
            os.chdir(old)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def doc_with_ents(text: str, ents: list[tuple[str, str]]):
    """A blank-English document with the first occurrence of each (text, label) as an entity."""
    doc = blank("en").make_doc(text)
    spans = []
    for name, label in ents:
        start = text.index(name)
        spans.append(doc.char_span(start, start + len(name), label=label))
    doc.ents = spans
    return doc


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to prove a failed command changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------- a real Doccano server
@pytest.fixture(scope="session")
def doccano_server(tmp_path_factory):
    """A real Doccano 1.8.4 on 127.0.0.1, started with nerwb's own `up` code, for the session."""
    from nerwb.server.local import LocalServer, free_port

    server = LocalServer(tmp_path_factory.mktemp("doccano-home"))
    status, _ = server.up(port=free_port())
    assert status.healthy
    yield server
    server.down()


@pytest.fixture(scope="session")
def doccano_pg_server(tmp_path_factory):
    """A real Doccano 1.8.4 on the workspace's own PostgreSQL cluster, for the session."""
    from nerwb.choices import DoccanoDatabase
    from nerwb.server.local import LocalServer, free_port

    server = LocalServer(tmp_path_factory.mktemp("doccano-pg-home"))
    status, _ = server.up(port=free_port(), database=DoccanoDatabase.POSTGRES, workers=3)
    assert status.healthy and status.database is DoccanoDatabase.POSTGRES
    yield server
    server.down()


@pytest.fixture
def doccano_ws(ws, doccano_server, monkeypatch):
    """A workspace with the demo corpus split, talking to the session's server as a remote one."""
    return _remote_doccano_ws(ws, doccano_server, monkeypatch)


@pytest.fixture
def doccano_pg_ws(ws, doccano_pg_server, monkeypatch):
    """``doccano_ws`` on the PostgreSQL-backed server."""
    return _remote_doccano_ws(ws, doccano_pg_server, monkeypatch)


def _remote_doccano_ws(ws, server, monkeypatch):
    from nerwb.corpus.readers import read_articles
    from nerwb.corpus.splits import split_workspace
    from nerwb.corpus.store import add_articles
    from nerwb.records.credentials import Credentials

    credentials = Credentials.load(server.credentials_path)
    monkeypatch.setenv("DOCCANO_URL", credentials.url)
    monkeypatch.setenv("DOCCANO_USERNAME", credentials.username)
    monkeypatch.setenv("DOCCANO_PASSWORD", credentials.password)
    add_articles(ws.articles_path, read_articles([DEMO_ARTICLES]))
    split_workspace(ws)
    # One Doccano project per test: the server is shared by the session.
    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace('project = ""', f'project = "{ws.root.parent.name}"'))
    from nerwb.workspace import find_workspace

    return find_workspace(ws.root)


def gold_of(path: Path) -> dict:
    """Gold spans per article id from a Doccano JSONL file with ids."""
    from nerwb.labels.annotations import LabeledSpan

    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["id"]] = [LabeledSpan(s, e, lab) for s, e, lab in record["label"]]
    return out


def prepare_demo_gold(ws):
    """The demo corpus imported as one annotator's gold, split, merged and converted to DocBins:
    a workspace ready to train."""
    from nerwb.corpus.splits import split_workspace
    from nerwb.labels.docbin import convert_workspace
    from nerwb.labels.imports import ImportOptions, import_annotations
    from nerwb.labels.merge import merge_workspace

    import_annotations(ws, ImportOptions(DEMO_ARTICLES, annotator="gold"))
    split_workspace(ws)
    merge_workspace(ws)
    convert_workspace(ws)
    return ws


TINY_MODEL_STEPS = 200  # enough to predict entities, so suggestions and rankings exist


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """The one trained model of the test session: the demo gold, cut at 200 characters, and
    ``TINY_MODEL_STEPS`` steps of ner-fast.cfg (width 32; ~6 s on 2 cores), for every test that
    needs a model but does not test training itself: ``(workspace, model-best folder)``.

    Shared by the whole session: a test that writes into the workspace takes ``tiny_workspace``.
    """
    from nerwb.training.options import TrainOptions
    from nerwb.training.run import train
    from nerwb.workspace import find_workspace

    ws = init_workspace(tmp_path_factory.mktemp("tiny-model") / "ws")
    toml = ws.root / "nerwb.toml"
    toml.write_text(toml.read_text().replace("segment_length = 2000", "segment_length = 200"))
    ws = find_workspace(ws.root)
    prepare_demo_gold(ws)
    options = TrainOptions(
        config=ws.configs_dir / "ner-fast.cfg",
        output=ws.training_dir / "tiny",
        train_data=ws.docbin_path("train"),
        dev_data=ws.docbin_path("dev"),
        overrides={
            "training.max_steps": TINY_MODEL_STEPS,
            "training.eval_frequency": 50,
            "components.tok2vec.model.encode.width": 32,
        },
    )
    run = train(ws, options)
    return ws, run.output / "model-best"


@pytest.fixture
def tiny_workspace(tiny_model, tmp_path):
    """A copy of ``tiny_model``'s workspace, run folder included (~4 MB), for a test that writes
    into it: ``(workspace, model-best folder in the copy)``."""
    import shutil

    from nerwb.workspace import find_workspace

    ws, model = tiny_model
    root = tmp_path / "ws"
    shutil.copytree(ws.root, root)
    return find_workspace(root), root / model.relative_to(ws.root)


def annotator_login(ws, name: str):
    """A client logged in to the workspace's server as annotator ``name`` (password from the
    0600 file nerwb wrote when it created the account)."""
    from nerwb.doccano.client import DoccanoClient
    from nerwb.doccano.connection import connect
    from nerwb.records.doccano import AnnotatorPasswords

    passwords = AnnotatorPasswords.load(ws.annotator_passwords_path)
    with connect(ws) as admin:
        url = admin.url
    client = DoccanoClient(url)
    passwords.login(client, name)
    return client


# Random documents for the scoring and bootstrap tests
RANDOM_LABELS = ["A", "B", "C"]


def random_spans(doc, rng: random.Random) -> list[tuple[int, int, str]]:
    """Non-overlapping token-aligned spans, each kept with probability 0.6."""
    chosen, position = [], 0
    while position < len(doc) - 1:
        position += rng.randint(0, 4)
        length = rng.randint(1, 3)
        if position + length > len(doc):
            break
        chosen.append(doc[position : position + length])
        position += length
    return [
        (s.start_char, s.end_char, rng.choice(RANDOM_LABELS)) for s in chosen if rng.random() < 0.6
    ]


def random_docs(n: int, seed: int):
    """Token-aligned random gold and predicted spans over blank English docs."""
    rng = random.Random(seed)
    nlp = spacy.blank("en")
    out = []
    for _ in range(n):
        doc = nlp.make_doc(
            " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "eps"]) for _ in range(30))
        )
        gold = random_spans(doc, rng)
        # predictions: copies of gold with noise (dropped, retyped), plus random spans
        pred = []
        for s, e, label in gold:
            roll = rng.random()
            if roll < 0.5:
                pred.append((s, e, label))
            elif roll < 0.65:
                pred.append((s, e, rng.choice(RANDOM_LABELS)))
        extra = [
            sp for sp in random_spans(doc, rng) if all(sp[1] <= p[0] or sp[0] >= p[1] for p in pred)
        ]
        pred += extra[: rng.randint(0, 2)]
        out.append((doc, sorted(set(gold)), sorted(set(pred))))
    return out


# One small article for the audit, agreement and merge tests
UNIT_TEXT = "Gunmen of Lions Brigade killed four people ."


def art(spans, text=UNIT_TEXT, article_id="a1"):
    """One annotator's confirmed labels of a whole article (one unit)."""
    return whole_article(article_id, text, [LabeledSpan(*s) for s in spans])


LB = (10, 23, "ARMED_GROUP")


FP = (31, 42, "CASUALTY_FIGURE")


FP_AG = (31, 42, "ARMED_GROUP")


# Tiny training runs
TINY = (
    "--training.max_steps",
    "12",
    "--training.eval_frequency",
    "6",
    "--components.tok2vec.model.encode.width",
    "32",
)


@pytest.fixture
def trained_ws(ws):
    """Demo corpus imported as gold, split, converted: ready to train."""
    prepare_demo_gold(ws)
    return ws


def examples_from_rows(nlp, rows: list[tuple[str, list[tuple[str, str]]]]) -> list:
    """Training ``Example``s from ``(text, [(phrase, label), ...])`` rows: each phrase's first
    occurrence in its text is a gold entity (the components' tests fit on these)."""
    from spacy.training import Example

    out = []
    for text, ents in rows:
        doc = nlp.make_doc(text)
        doc.ents = [
            doc.char_span(text.index(p), text.index(p) + len(p), label=lab) for p, lab in ents
        ]
        out.append(Example(nlp.make_doc(text), doc))
    return out
