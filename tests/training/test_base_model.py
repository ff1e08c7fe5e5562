"""Training on top of a base pipeline's tok2vec: tiny base pipelines built here, real runs."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest
import spacy

from conftest import prepare_demo_gold, snapshot_tree
from nerwb.errors import TrainingError
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.training.base_model import find_base_pipeline

TINY = ("--training.max_steps", "12", "--training.eval_frequency", "6")


def make_base(folder: Path, *, lang: str = "en", width: int = 32, tok2vec: bool = True) -> Path:
    """A small trained-looking pipeline: a tok2vec of ``width`` (or a sentencizer only)."""
    nlp = spacy.blank(lang)
    if tok2vec:
        nlp.add_pipe(
            "tok2vec",
            config={
                "model": {
                    "@architectures": "spacy.Tok2Vec.v2",
                    "embed": {
                        "@architectures": "spacy.MultiHashEmbed.v2",
                        "width": width,
                        "attrs": ["NORM", "SHAPE"],
                        "rows": [500, 100],
                        "include_static_vectors": False,
                    },
                    "encode": {
                        "@architectures": "spacy.MaxoutWindowEncoder.v2",
                        "width": width,
                        "depth": 1,
                        "window_size": 1,
                        "maxout_pieces": 2,
                    },
                }
            },
        )
    else:
        nlp.add_pipe("sentencizer")
    nlp.initialize()
    nlp.meta["name"] = "tiny_base"
    nlp.meta["version"] = "0.0.1"
    nlp.to_disk(folder)
    return folder


@pytest.fixture
def trained_ws(ws):
    prepare_demo_gold(ws)
    return ws


@pytest.mark.slow  # trains on top of a base pipeline
def test_train_on_a_base_pipeline_folder(trained_ws, cli, tmp_path: Path) -> None:
    ws = trained_ws
    base = make_base(tmp_path / "base", width=32)
    out = ws.root / "training" / "on-base"
    result = cli("train", "--base-model", base, "-o", out, *TINY, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    manifest = TrainingManifest.load(manifest_path(out)).to_json()
    weights = (base / "tok2vec" / "model").read_bytes()
    assert manifest["base_model"]["tok2vec_sha256"] == hashlib.sha256(weights).hexdigest()
    assert manifest["base_model"]["name"] == "en_tiny_base"
    assert manifest["base_model"]["version"] == "0.0.1"
    assert manifest["config_file"].endswith("ner-pretrained.cfg")
    # the ner's listener was fitted to the base's width (the config says 96)
    assert manifest["overrides"]["components.ner.model.tok2vec.width"] == 32
    # the model loads with plain spacy.load after the base pipeline is gone
    for path in sorted(base.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    nlp = spacy.load(out / "model-best")
    assert nlp.pipe_names == ["tok2vec", "ner", "number_phrases", "acronyms"]
    assert nlp.get_pipe("tok2vec").model.get_dim("nO") == 32
    nlp("Kata'ib Hezbollah said 608 American troops were killed.")


def test_init_base_model_makes_it_the_default(cli, tmp_path: Path) -> None:
    base = make_base(tmp_path / "base")
    root = tmp_path / "ws"
    result = cli("init", root, "--base-model", base)
    assert result.exit_code == 0, result.stderr
    settings = tomllib.loads((root / "nerwb.toml").read_text())["training"]
    assert settings == {"config": "configs/ner-pretrained.cfg", "base_model": str(base)}
    assert (root / "configs" / "ner-pretrained.cfg").is_file()
    # without --base-model the workspace trains the dependency-free config
    plain = cli("init", tmp_path / "plain")
    assert plain.exit_code == 0
    settings = tomllib.loads((tmp_path / "plain" / "nerwb.toml").read_text())["training"]
    assert settings == {"config": "configs/ner-accuracy.cfg", "base_model": ""}


@pytest.mark.slow  # trains on top of a base pipeline
def test_workspace_default_base_model_is_used_by_train(cli, tmp_path: Path) -> None:
    from nerwb.workspace import find_workspace

    base = make_base(tmp_path / "base", width=24)
    root = tmp_path / "ws"
    assert cli("init", root, "--base-model", base).exit_code == 0
    ws = find_workspace(root)
    prepare_demo_gold(ws)
    out = root / "training" / "default"
    result = cli("train", "-o", out, *TINY, "-w", root)
    assert result.exit_code == 0, result.stderr
    manifest = TrainingManifest.load(manifest_path(out)).to_json()
    assert manifest["base_model"]["tok2vec_width"] == 24


def test_base_model_bad_inputs(trained_ws, cli, tmp_path: Path) -> None:
    ws = trained_ws
    before = snapshot_tree(ws.root / "training")
    missing = cli("train", "--base-model", "xx_not_a_pipeline_sm", *TINY, "-w", ws.root)
    assert missing.exit_code == 1
    assert "'xx_not_a_pipeline_sm' is not installed" in missing.stderr
    assert "make base-model" in missing.stderr
    german = make_base(tmp_path / "de", lang="de")
    result = cli("train", "--base-model", german, *TINY, "-w", ws.root)
    assert result.exit_code == 1 and "is for language 'de'" in result.stderr
    assert "workspace's is 'en'" in result.stderr
    bare = make_base(tmp_path / "bare", tok2vec=False)
    result = cli("train", "--base-model", bare, *TINY, "-w", ws.root)
    assert result.exit_code == 1
    assert "has no tok2vec component (its pipeline: sentencizer)" in result.stderr
    not_a_pipeline = tmp_path / "empty"
    not_a_pipeline.mkdir()
    result = cli("train", "--base-model", not_a_pipeline, *TINY, "-w", ws.root)
    assert result.exit_code == 1 and "is not a spaCy pipeline folder" in result.stderr
    # a config that sources nothing cannot take a base pipeline
    result = cli(
        "train",
        "-c",
        ws.configs_dir / "ner-fast.cfg",
        "--base-model",
        make_base(tmp_path / "ok"),
        *TINY,
        "-w",
        ws.root,
    )
    assert result.exit_code == 1 and "takes no base pipeline" in result.stderr
    # nothing was written by any refused run
    assert snapshot_tree(ws.root / "training") == before
    # init refuses a missing base before it creates anything
    result = cli("init", tmp_path / "new", "--base-model", "xx_not_a_pipeline_sm")
    assert result.exit_code == 1 and not (tmp_path / "new").exists()


def test_reupload_with_other_weights_is_refused(tmp_path: Path, monkeypatch) -> None:
    from nerwb.training import base_model

    base = make_base(tmp_path / "base")
    # pretend this folder is a re-upload whose official weights are known
    monkeypatch.setitem(
        base_model.TRUSTED_WEIGHTS, (str(base.resolve()), "0.0.1", "tok2vec"), "0" * 64
    )
    with pytest.raises(TrainingError, match="not the official release's"):
        find_base_pipeline(str(base), language="en")


@pytest.mark.slow  # trains on top of a base pipeline
def test_train_says_which_base_a_config_from_elsewhere_brings(cli, tmp_path: Path) -> None:
    # issue 30.19b: a config copied from another workspace names its own base pipeline; the run
    # trained on it without a word, while nerwb.toml named another
    from nerwb.workspace import find_workspace

    ours = make_base(tmp_path / "ours", width=24)
    theirs = make_base(tmp_path / "theirs", width=32)
    root = tmp_path / "ws"
    assert cli("init", root, "--base-model", ours).exit_code == 0
    ws = find_workspace(root)
    prepare_demo_gold(ws)
    copied = tmp_path / "from-another-workspace.cfg"
    text = (ws.configs_dir / "ner-pretrained.cfg").read_text()
    copied.write_text(text.replace('base_model = "en_core_web_sm"', f'base_model = "{theirs}"', 1))
    out = root / "training" / "copied"
    result = cli("train", "-c", copied, "-o", out, *TINY, "-w", root)
    assert result.exit_code == 0, result.stderr
    said, warned = _squeezed(result.stdout), _squeezed(result.stderr)
    assert _squeezed(f"Base pipeline: {theirs} (from {copied} [paths] base_model)") in said
    assert _squeezed(f"nerwb.toml names base_model {ours}, which applies to its own config") in (
        warned
    )
    assert _squeezed(f"this run trains on {theirs}") in warned
    assert _squeezed(f"Pass --base-model {ours}") in warned
    assert TrainingManifest.load(manifest_path(out)).base_model.tok2vec_width == 32

    # the workspace's own choice is said too (here the run is then refused: -o holds a run)
    again = cli("train", "-o", out, *TINY, "-w", root)
    assert again.exit_code == 1
    assert _squeezed(f"Base pipeline: {ours} (from nerwb.toml [training] base_model)") in (
        _squeezed(again.stdout)
    )
    assert "applies to its own config" not in again.stderr
    given = cli("train", "--base-model", theirs, "-o", out, *TINY, "-w", root)
    assert _squeezed(f"Base pipeline: {theirs} (from --base-model)") in _squeezed(given.stdout)


def _squeezed(text: str) -> str:
    """Without any white space: Rich folds long paths at the terminal's width."""
    return "".join(text.split())


# ---------------------------------------------------------------- the base's ner carried over
def make_ner_base(folder: Path, *, width: int = 24, static_vectors: bool = False) -> Path:
    """A small pipeline with a ner of its own (an internal tok2vec, as en_core_web_sm's) that
    knows OntoNotes-like labels the workspace does not use."""
    from spacy.training import Example

    nlp = spacy.blank("en")
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "hidden_width": 16,
                "maxout_pieces": 2,
                "use_upper": True,
                "tok2vec": {
                    "@architectures": "spacy.Tok2Vec.v2",
                    "embed": {
                        "@architectures": "spacy.MultiHashEmbed.v2",
                        "width": width,
                        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                        "rows": [300, 100, 100, 100],
                        "include_static_vectors": static_vectors,
                    },
                    "encode": {
                        "@architectures": "spacy.MaxoutWindowEncoder.v2",
                        "width": width,
                        "depth": 2,
                        "window_size": 1,
                        "maxout_pieces": 2,
                    },
                },
            }
        },
    )
    if static_vectors:  # a vectors table of its own, as en_core_web_md has
        import numpy

        for i, word in enumerate(("the", "taliban", "said", "soldiers", "kabul")):
            nlp.vocab.set_vector(word, numpy.full(8, i + 1, dtype="f"))
    text = "The Taliban said 12 soldiers died in Kabul."
    doc = nlp.make_doc(text)
    gold = doc.copy()
    gold.ents = [gold.char_span(4, 11, "ORG"), gold.char_span(17, 19, "CARDINAL")]
    nlp.initialize(lambda: [Example(doc, gold)])
    nlp.meta["name"] = "tiny_ner_base"
    nlp.meta["version"] = "0.0.1"
    nlp.to_disk(folder)
    return folder


def _wipe(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    folder.rmdir()


@pytest.mark.slow  # two short trainings on top of a base pipeline
def test_transfer_config_carries_the_base_ner_over(trained_ws, cli, tmp_path: Path) -> None:
    import subprocess
    import sys

    ws = trained_ws
    base = make_ner_base(tmp_path / "base")
    out = ws.root / "training" / "transfer"
    config = ws.configs_dir / "ner-transfer.cfg"
    result = cli("train", "-c", config, "--base-model", base, "-o", out, *TINY, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    facts = TrainingManifest.load(manifest_path(out)).base_model
    assert facts is not None and facts.component == "ner"
    assert facts.weights_sha256 == hashlib.sha256((base / "ner" / "model").read_bytes()).hexdigest()
    manifest = TrainingManifest.load(manifest_path(out))
    # the config (en_core_web_sm's ner: width 96, 4 encoder layers) was fitted to this base's
    assert manifest.overrides["components.ner.model.tok2vec.embed.width"] == 24
    assert manifest.overrides["components.ner.model.tok2vec.encode.depth"] == 2
    assert manifest.overrides["components.ner.model.hidden_width"] == 16
    _wipe(base)
    # a plain spacy.load without the base, and without nerwb's transfer code: the model's ner
    # knows the workspace's labels only (the base's ORG and CARDINAL never reach doc.ents)
    script = (
        "import sys; sys.modules['nerwb.components.transfer'] = None\n"
        "import spacy\n"
        f"nlp = spacy.load({str(out / 'model-best')!r})\n"
        "print(sorted(nlp.get_pipe('ner').labels))\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "['ARMED_GROUP', 'CASUALTY_FIGURE', 'DESIGNATION']"

    # stacking: the base's ner frozen in front, its entities a feature of the new one
    stacked = ws.root / "training" / "stacked"
    base = make_ner_base(tmp_path / "base2")
    config = ws.configs_dir / "ner-stacked.cfg"
    result = cli("train", "-c", config, "--base-model", base, "-o", stacked, *TINY, "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    _wipe(base)
    nlp = spacy.load(stacked / "model-best")
    assert nlp.pipe_names[:3] == ["base_ner", "base_entities", "ner"]
    doc = nlp("The Taliban said 12 soldiers died in Kabul.")
    assert {e.label_ for e in doc.ents} <= {"ARMED_GROUP", "CASUALTY_FIGURE", "DESIGNATION"}
    assert all(s.label_ in {"ORG", "CARDINAL"} for s in doc.spans["base_ents"])


def test_transfer_config_needs_a_base_with_a_ner(trained_ws, cli, tmp_path: Path) -> None:
    ws = trained_ws
    before = snapshot_tree(ws.root / "training")
    config = ws.configs_dir / "ner-transfer.cfg"
    tok2vec_only = make_base(tmp_path / "t2v")
    result = cli("train", "-c", config, "--base-model", tok2vec_only, *TINY, "-w", ws.root)
    assert result.exit_code == 1
    assert "has no ner component (its pipeline: tok2vec)" in result.stderr
    assert snapshot_tree(ws.root / "training") == before


def test_fit_to_base_keeps_added_columns_and_brings_static_vectors(tmp_path: Path) -> None:
    from conftest import REPO
    from nerwb.training.base_model import BaseComponent, fit_to_base, taken_component
    from nerwb.training.config import load_training_config

    base = find_base_pipeline(
        str(make_ner_base(tmp_path / "md-like", width=96, static_vectors=True)),
        language="en",
        component=BaseComponent.NER,
    )
    transfer = load_training_config(REPO / "configs" / "ner-transfer.cfg", {})
    stacked = load_training_config(REPO / "configs" / "ner-stacked.cfg", {})
    assert taken_component(transfer) is BaseComponent.NER
    assert taken_component(load_training_config(REPO / "configs" / "ner-pretrained.cfg", {})) is (
        BaseComponent.TOK2VEC
    )
    fitted = fit_to_base(transfer, base)
    assert fitted["components.ner.model.tok2vec.embed.include_static_vectors"] is True
    assert fitted["paths.vectors"] == base.location
    assert fitted["components.ner.model.tok2vec.embed.rows"] == [300, 100, 100, 100]
    assert "components.ner.model.tok2vec.embed.attrs" not in fitted  # the same four
    fitted = fit_to_base(stacked, base)  # its TAG column stays, with its own rows
    assert fitted["components.ner.model.tok2vec.embed.rows"] == [300, 100, 100, 100, 50]
    assert "components.ner.model.tok2vec.embed.attrs" not in fitted
