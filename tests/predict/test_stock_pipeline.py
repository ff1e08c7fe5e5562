"""A stock pipeline as an installed package: `--label-map` drops and counts the labels it leaves
out, and `select`/`suggest` take the package's name as `--base-model` does (issue 24.22c).

The package is real as far as Python and spaCy can tell: a pipeline folder inside an importable
package with its dist-info, on sys.path, the layout `pip install` of a spaCy package leaves.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import spacy

from conftest import DEMO_ARTICLES
from nerwb.errors import PredictError
from nerwb.labels.schema import load_schema
from nerwb.predict.model import locate_model, model_info
from nerwb.predict.suggest import SuggestionError, load_suggester

PACKAGE = "en_nerwb_stock_test"
TEXT = "The Lions Brigade said Omar Khalid left Mosul."


def install_stock_package(site: Path, patterns: list[dict], monkeypatch) -> str:
    """An installed package whose NER knows ORG, PERSON and GPE, like a stock pipeline; an
    entity ruler after it (``patterns``) makes its entities the same on every run."""
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("ORG", "PERSON", "GPE"):
        ner.add_label(label)
    nlp.initialize()
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True})
    ruler.add_patterns(patterns)
    nlp.meta.update({"name": PACKAGE.removeprefix("en_"), "version": "0.0.1"})
    package = site / PACKAGE
    package.mkdir(parents=True)
    nlp.to_disk(package / f"{PACKAGE}-0.0.1")
    (package / "__init__.py").write_text("")
    (package / "meta.json").write_text((package / f"{PACKAGE}-0.0.1" / "meta.json").read_text())
    info = site / f"{PACKAGE}-0.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 0.0.1\n")
    monkeypatch.syspath_prepend(str(site))
    # a test before may have imported another test's copy of the package
    monkeypatch.delitem(sys.modules, PACKAGE, raising=False)
    return PACKAGE


@pytest.fixture
def stock_package(tmp_path: Path, monkeypatch) -> str:
    patterns = [
        {"label": "ORG", "pattern": "Lions Brigade"},
        {"label": "PERSON", "pattern": "Omar Khalid"},
        {"label": "GPE", "pattern": "Mosul"},
    ]
    return install_stock_package(tmp_path / "site", patterns, monkeypatch)


def test_a_package_name_is_located_and_hashed(stock_package) -> None:
    folder = locate_model(stock_package)
    assert folder.name == f"{PACKAGE}-0.0.1" and (folder / "config.cfg").is_file()
    assert model_info(stock_package).hash_of == "files"
    with pytest.raises(
        PredictError, match="does not exist: it is neither a folder nor an installed spaCy"
    ):
        locate_model("en_no_such_pipeline_here")


def test_label_map_keeps_what_it_maps_and_drops_and_counts_the_rest(ws, stock_package) -> None:
    schema = load_schema(ws.schema_path)
    with pytest.raises(SuggestionError, match=r"GPE, ORG, PERSON that labels\.yml does not have"):
        load_suggester(schema, lang="en", model=stock_package)
    suggester = load_suggester(
        schema, lang="en", model=stock_package, label_map={"ORG": "ARMED_GROUP"}
    )
    (spans,) = suggester.spans([TEXT])
    assert spans == [(4, 17, "ARMED_GROUP")]
    assert suggester.drop == {"GPE", "PERSON"}
    assert suggester.dropped == {"PERSON": 1, "GPE": 1}
    with pytest.raises(SuggestionError, match=r"maps to label\(s\) NOPE that labels\.yml"):
        load_suggester(schema, lang="en", model=stock_package, label_map={"ORG": "NOPE"})


def test_select_takes_an_installed_package_name(cli, tmp_path, stock_package) -> None:
    root = tmp_path / "w"
    assert cli("init", root, "--labels", "ORG,PERSON,GPE").exit_code == 0
    assert cli("corpus", "add", DEMO_ARTICLES, "-w", root).exit_code == 0
    assert cli("corpus", "split", "-w", root).exit_code == 0
    result = cli("select", "--model", stock_package, "--n", "3", "-w", root)
    assert result.exit_code == 0, result.stderr
    assert "Ranked list:" in result.stdout


@pytest.mark.doccano
def test_doccano_suggest_with_a_stock_package_and_label_map(
    doccano_ws, cli, tmp_path, monkeypatch
) -> None:
    ws = doccano_ws
    common = [  # words of the demo corpus, so that every label has spans
        {"label": "ORG", "pattern": [{"LOWER": "brigade"}]},
        {"label": "PERSON", "pattern": [{"LOWER": "said"}]},
        {"label": "GPE", "pattern": [{"LOWER": "on"}]},
    ]
    package = install_stock_package(tmp_path / "site", common, monkeypatch)
    pushed = cli("doccano", "push", "--annotators", "stock_a", "--overlap", "0", "-w", ws.root)
    assert pushed.exit_code == 0, pushed.stderr
    refused = cli("doccano", "suggest", package, "-w", ws.root)
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1 and "Map the ones you want with --label-map" in said
    result = cli("doccano", "suggest", package, "--label-map", "ORG=ARMED_GROUP", "-w", ws.root)
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert re.search(
        r"Dropped the model's spans of labels the --label-map leaves out: GPE [1-9]\d*, "
        r"PERSON [1-9]\d*",
        said,
    ), said
