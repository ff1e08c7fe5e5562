"""The names list (labels/names.csv): reading it, the starter list `nerwb init` writes, and its
use by the gazetteer and by suggestions."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from conftest import examples_from_rows
from nerwb.components.gazetteer import FACTORY
from nerwb.components.names import PATTERN_ID, names_as_patterns, read_names
from nerwb.errors import InputError, TrainingError
from nerwb.labels.schema import load_schema
from nerwb.predict.suggest import load_suggester


def examples(nlp) -> list[Example]:
    """ "Wagner Group" is always a group; "the government" is marked once in four mentions."""
    rows = [
        ("The Wagner Group moved north.", [("Wagner Group", "ARMED_GROUP")]),
        ("the government said so.", [("the government", "ARMED_GROUP")]),
        ("Later the government denied it.", []),
        ("And the government met.", []),
        ("Then the government fell.", []),
        ("Police said 12 people died.", [("12 people", "CASUALTY_FIGURE")]),
    ]
    return examples_from_rows(nlp, rows)


SOURCE = "US State Department, Foreign Terrorist Organizations list (INA section 219)"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_names_and_patterns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "names.csv",
        "name,label,source,note\n"
        f'al-Shabaab,ARMED_GROUP,"{SOURCE}",extra columns are ignored\n'
        "\n"
        f'AL-SHABAAB,ARMED_GROUP,"{SOURCE}"\n'
        "proscribed organisation,DESIGNATION,UK Home Office\n",
    )
    names = read_names(path, labels={"ARMED_GROUP", "DESIGNATION"})
    assert [(n.name, n.label, n.line) for n in names] == [
        ("al-Shabaab", "ARMED_GROUP", 2),
        ("AL-SHABAAB", "ARMED_GROUP", 4),
        ("proscribed organisation", "DESIGNATION", 5),
    ]
    assert names[0].source == SOURCE
    patterns = names_as_patterns(names, spacy.blank("en").tokenizer)
    assert patterns == [  # one per distinct name and label, case-folded, split as texts are
        {
            "label": "ARMED_GROUP",
            "pattern": [{"LOWER": "al"}, {"LOWER": "-"}, {"LOWER": "shabaab"}],
            "id": PATTERN_ID,
        },
        {
            "label": "DESIGNATION",
            "pattern": [{"LOWER": "proscribed"}, {"LOWER": "organisation"}],
            "id": PATTERN_ID,
        },
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,label\nIRGC,ARMED_GROUP\n", "line 1: expected a header row .*missing: source"),
        ("name,label,source\nIRGC,,US\n", "line 2: empty label"),
        ("name,label,source\nIRGC,ARMED_GROUP,US\n,ARMED_GROUP\n", "line 3: empty name, source"),
        ("name,label,source\nAK-47,WEAPON,US\n", "line 2: label 'WEAPON' is not in labels.yml"),
        ("name,label,source\n", "no names in the list"),
    ],
)
def test_bad_names_lists_are_refused_naming_the_line(tmp_path: Path, text, message) -> None:
    path = write(tmp_path / "names.csv", text)
    with pytest.raises(InputError, match=message) as err:
        read_names(path, labels={"ARMED_GROUP"})
    assert str(path) in str(err.value)
    assert path.read_text(encoding="utf-8") == text  # read, never rewritten


def test_missing_or_unreadable_names_list(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="names list does not exist"):
        read_names(tmp_path / "nope.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"name,label,source\n\xff\xfe,ARMED_GROUP,x\n")
    with pytest.raises(InputError, match="cannot read the names list"):
        read_names(binary)


def test_starter_list_fits_the_conflict_news_schema_and_names_its_sources() -> None:
    starter = resources.files("nerwb.resources").joinpath("names.csv")
    schema = load_schema(Path(str(resources.files("nerwb.resources").joinpath("labels.yml"))))
    names = read_names(Path(str(starter)), labels=set(schema.names))
    by_label = {label: [n for n in names if n.label == label] for label in schema.names}
    assert len(by_label["ARMED_GROUP"]) >= 60 and len(by_label["DESIGNATION"]) >= 10
    assert {"Boko Haram", "al-Shabaab", "JNIM", "IRGC", "Hizballah"} <= {
        n.name for n in by_label["ARMED_GROUP"]
    }
    designations = {n.name for n in by_label["DESIGNATION"]}
    assert {
        "Foreign Terrorist Organization",
        "Specially Designated Global Terrorist",
        "proscribed organisation",
        "terrorist list",
        "UN Security Council sanctions list",
    } <= designations
    sources = {n.source for n in names}
    assert all(
        s.split(",")[0]
        in {
            "US State Department",
            "US State Department and Treasury",
            "UK Home Office",
            "Council of the EU",
            "UN Security Council",
        }
        for s in sources
    )
    assert all(n.source == SOURCE for n in by_label["ARMED_GROUP"])
    # one row per name and label
    assert len({(n.name.casefold(), n.label) for n in names}) == len(names)


def test_init_copies_the_starter_list(ws) -> None:
    starter = resources.files("nerwb.resources").joinpath("names.csv").read_text(encoding="utf-8")
    assert ws.names_path == ws.root / "labels" / "names.csv"
    assert ws.names_path.read_text(encoding="utf-8") == starter
    rows = list(csv.reader(starter.splitlines()))
    assert rows[0] == ["name", "label", "source"]


def test_gazetteer_takes_a_names_list_as_one_more_source(tmp_path: Path) -> None:
    listed = write(
        tmp_path / "names.csv",
        "name,label,source\n"
        "Jaish al-Adl,ARMED_GROUP,a list\n"
        "the government,ARMED_GROUP,a careless list\n"
        "12 people,CASUALTY_FIGURE,not a name\n",
    )
    nlp = spacy.blank("en")
    gazetteer = nlp.add_pipe(FACTORY, config={"names_file": str(listed)})
    nlp.initialize(lambda: examples(nlp))
    doc = nlp("Jaish al-Adl and the government spoke; 12 people died.")
    # the unseen listed name is kept; the one the training text contradicts is not; number
    # phrases are not served, so that row is skipped and counted
    assert [e.text for e in doc.ents] == ["Jaish al-Adl"]
    assert gazetteer.facts["names_skipped"] == 1
    sources = {p["source"] for p in gazetteer.patterns}
    assert sources == {"gold", "names"}


def test_gazetteer_refuses_a_bad_names_list(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    bad = write(tmp_path / "names.csv", "name,label,source\nAK-47,WEAPON,a list\n")
    component = spacy.blank("en").add_pipe(FACTORY, config={"names_file": str(bad)})
    with pytest.raises(InputError, match="line 2: label 'WEAPON' is not a label of the training"):
        component.initialize(lambda: examples(nlp))
    missing = spacy.blank("en").add_pipe(FACTORY, config={"names_file": str(tmp_path / "no.csv")})
    with pytest.raises(TrainingError, match=r"names list .*no\.csv does not exist"):
        missing.initialize(lambda: examples(nlp))


def test_suggestions_from_the_starter_names_list(ws) -> None:
    suggester = load_suggester(load_schema(ws.schema_path), lang="en", patterns=ws.names_path)
    doc = suggester.nlp("Fighters of al-Shabaab, a Foreign Terrorist Organization, and JNIM.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("al-Shabaab", "ARMED_GROUP"),
        ("Foreign Terrorist Organization", "DESIGNATION"),
        ("JNIM", "ARMED_GROUP"),
    ]
    assert suggester.source == f"patterns:{ws.names_path}"


def test_suggestions_refuse_a_names_row_with_an_unknown_label(ws, tmp_path: Path) -> None:
    bad = write(tmp_path / "names.csv", "name,label,source\nAK-47,WEAPON,a list\n")
    with pytest.raises(InputError, match=r"line 2: label 'WEAPON' is not in labels\.yml"):
        load_suggester(load_schema(ws.schema_path), lang="en", patterns=bad)
