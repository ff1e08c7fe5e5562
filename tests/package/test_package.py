"""``nerwb package``: a tiny model trained here (with nerwb's number-phrase component in its
pipeline) becomes a wheel; installed into a fresh virtual environment, ``spacy.load(name)``
gives the same entities as the model folder, and the training manifest and evaluation report
are inside (issue 30, item 23).

The fresh venv sees this one's packages (spaCy, nerwb) through a ``.pth`` file, as
``--system-site-packages`` would see a system-wide install: nothing is downloaded; the wheel is
installed with ``--no-index``, and pip checks its requirements against what is installed."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import spacy

from conftest import DEMO_ARTICLES, snapshot_tree

pytestmark = pytest.mark.slow  # trains a model, makes a virtual environment, installs into it

TEXTS = [
    "Gunmen killed 12 people near Maiduguri, and Boko Haram claimed the attack.",
    "The army said three soldiers were wounded; dozens of fighters fled.",
]
STEPS = ("--training.max_steps", "20", "--training.eval_frequency", "10")
WIDTH = ("--components.tok2vec.model.encode.width", "32")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """A workspace, a 20-step ner-accuracy model (tok2vec, ner, number_phrases) trained and
    evaluated in it, and the CLI's answer to `nerwb package` run from the workspace's root."""
    from conftest import Cli, prepare_demo_gold
    from nerwb.workspace import init_workspace

    cli = Cli()
    ws = prepare_demo_gold(init_workspace(tmp_path_factory.mktemp("package") / "ws"))
    config = ws.configs_dir / "ner-accuracy.cfg"
    trained = cli("train", "-c", config, "-o", "training/tiny", *STEPS, *WIDTH, cwd=ws.root)
    assert trained.exit_code == 0, trained.stderr
    model = Path("training/tiny/model-best")  # relative, as a user types it
    evaluated = cli("evaluate", model, "--bootstrap", "5", "-o", "evaluate/tiny", cwd=ws.root)
    assert evaluated.exit_code == 0, evaluated.stderr
    built = cli("package", model, "--name", "conflict_tiny", "--version", "0.1.0", cwd=ws.root)
    return ws, ws.root / model, built


def test_package_builds_a_wheel_with_the_manifest_and_the_report(packaged) -> None:
    ws, model, built = packaged
    assert built.exit_code == 0, built.stderr
    wheel = ws.root / "dist" / "en_conflict_tiny-0.1.0-py3-none-any.whl"
    said = " ".join(built.stdout.split())
    assert f"Built {wheel}" in said and 'spacy.load("en_conflict_tiny")' in said
    assert "Requires: nerwb>=0.1.0,<0.2.0" in said
    assert "nerwb must be installed where it runs" in said
    data = "en_conflict_tiny/en_conflict_tiny-0.1.0"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read("en_conflict_tiny-0.1.0.dist-info/METADATA").decode()
        entry_points = zf.read("en_conflict_tiny-0.1.0.dist-info/entry_points.txt").decode()
        manifest = json.loads(zf.read(f"{data}/nerwb/manifest.json"))
        meta = json.loads(zf.read(f"{data}/meta.json"))
    assert {f"{data}/nerwb/evaluations/tiny/{f}" for f in ("metrics.json", "report.md")} <= names
    assert f"{data}/ner/model" in names and "en_conflict_tiny/__init__.py" in names
    assert "Requires-Dist: nerwb>=0.1.0,<0.2.0" in metadata
    assert "en_conflict_tiny = en_conflict_tiny" in entry_points
    assert manifest == json.loads((model.parent / "manifest.json").read_text())
    assert (meta["name"], meta["version"]) == ("conflict_tiny", "0.1.0")
    assert not [p for p in (ws.root / "dist").iterdir() if p != wheel]  # no staging left


def test_installed_wheel_gives_the_model_folders_entities(packaged, tmp_path) -> None:
    ws, model, built = packaged
    assert built.exit_code == 0, built.stderr
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    site = Path(
        subprocess.check_output(
            [
                venv / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            text=True,
        ).strip()
    )
    ours = sysconfig.get_paths()["purelib"]
    (site / "_nerwb_test_base.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    wheel = ws.root / "dist" / "en_conflict_tiny-0.1.0-py3-none-any.whl"
    installed = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--no-index", wheel],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Requirement already satisfied: nerwb" in installed.stdout
    load = (
        "import json, sys, spacy; from pathlib import Path; "
        "nlp = spacy.load('en_conflict_tiny'); "
        "texts = json.loads(sys.argv[1]); "
        "print(json.dumps({'path': str(nlp.path), 'pipes': nlp.pipe_names, "
        "'ents': [[[e.start_char, e.end_char, e.label_] for e in d.ents] for d in nlp.pipe(texts)], "
        "'manifest': (Path(nlp.path) / 'nerwb' / 'manifest.json').is_file()}))"
    )
    texts = TEXTS + [
        json.loads(line)["text"] for line in DEMO_ARTICLES.read_text().splitlines()[:5]
    ]
    result = subprocess.run(
        [venv / "bin" / "python", "-c", load, json.dumps(texts)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    there = json.loads(result.stdout)
    assert there["path"].startswith(str(site)) and there["manifest"]
    here = spacy.load(model)
    assert there["pipes"] == here.pipe_names == ["tok2vec", "ner", "number_phrases"]
    expected = [[[e.start_char, e.end_char, e.label_] for e in d.ents] for d in here.pipe(texts)]
    assert there["ents"] == expected and any(expected)


def test_bad_options_are_refused_before_any_work(packaged, cli, tmp_path) -> None:
    ws, model, _ = packaged
    before = snapshot_tree(ws.root)
    for args, says in (
        (
            ["--name", "conflict-ner", "--version", "1.0"],
            "package name 'conflict-ner' is not allowed",
        ),
        (
            ["--name", "conflict__ner", "--version", "1.0"],
            "package name 'conflict__ner' is not allowed",
        ),
        (["--name", "ok", "--version", "one"], "version 'one' is not a package version"),
    ):
        result = cli("package", model, *args, "-o", tmp_path / "out", "-w", ws.root)
        assert result.exit_code == 1 and says in " ".join(result.stderr.split()), result.stderr
    result = cli("package", tmp_path, "--name", "x", "--version", "1", "-o", tmp_path / "out")
    assert result.exit_code == 1 and "is not a trained pipeline folder" in result.stderr
    again = cli("package", model, "--name", "conflict_tiny", "--version", "0.1.0", "-w", ws.root)
    assert again.exit_code == 1
    assert "exists already Pass --force to replace it" in " ".join(again.stderr.split())
    assert snapshot_tree(ws.root) == before and not (tmp_path / "out").exists()
