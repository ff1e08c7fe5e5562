"""Training data checks: what a DocBin holds, and that no test article is in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import srsly
from spacy.attrs import ENT_IOB, ENT_TYPE
from spacy.strings import StringStore
from spacy.tokens import DocBin

from nerwb.errors import ErrorKind, EvaluationError, TrainingError, recast
from nerwb.io import sha256_of
from nerwb.labels.gold_names import docbin_gold_names

BEGIN = 3  # ENT_IOB's code for the first token of an entity (1 = inside, 2 = outside)


@dataclass
class DataSummary:
    path: Path  # the file the user named
    sha256: str
    docs: int
    spans: dict[str, int] = field(default_factory=dict)
    article_ids: list[str] = field(default_factory=list)
    splits: set[str] = field(default_factory=set)
    # the bytes summarised: ``path`` itself, or the copy a run trains on (training/run.py)
    read_from: Path | None = None

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "docs": self.docs,
            "spans": dict(sorted(self.spans.items())),
            "splits": sorted(self.splits),
        }


def _user_data(packed: bytes | None) -> dict:
    # srsly.msgpack_loads looks its decoders up in the entry points on every call (a few ms
    # each); the two keys read here are plain strings, so plain pairs are enough. Tuple keys
    # (extension attributes) need use_list=False, as in spaCy's own reader.
    if not packed:
        return {}
    return srsly.msgpack.loads(packed, raw=False, use_list=False, object_pairs_hook=dict)


def summarise(path: Path, *, role: str, shown_as: Path | None = None) -> DataSummary:
    """Docs, spans per label and article ids of a DocBin.

    Read from the DocBin's token arrays rather than rebuilt ``Doc`` objects: spaCy's corpus
    reader rebuilds them anyway, and doing it twice was most of ``nerwb train``'s fixed cost.
    ``shown_as``: the file the user named, when ``path`` is a copy of it.

    Raises:
        TrainingError: the file is missing or not a DocBin.
    """
    named = shown_as or path
    if not path.is_file():
        raise TrainingError(
            f"{role} data {named} does not exist",
            kind=ErrorKind.NO_DOCBIN,
            path=named,
            setting="paths",
        )
    try:
        docbin = DocBin().from_disk(path)
        user_data = [_user_data(b) for b in docbin.user_data]
    except Exception as err:  # spaCy raises several types for a file that is not a DocBin
        raise TrainingError(
            f"{role} data {named} is not a spaCy DocBin ({type(err).__name__})",
            kind=ErrorKind.BAD_INPUT,
            path=named,
        ) from None
    summary = DataSummary(named, sha256_of(path), len(docbin), read_from=path)
    if ENT_IOB in docbin.attrs and ENT_TYPE in docbin.attrs:
        iob, kind = docbin.attrs.index(ENT_IOB), docbin.attrs.index(ENT_TYPE)
        strings = StringStore(docbin.strings)
        for tokens in docbin.tokens:
            for label_id in tokens[tokens[:, iob] == BEGIN, kind]:
                label = strings[int(label_id)]
                summary.spans[label] = summary.spans.get(label, 0) + 1
    for data in user_data:
        if data.get("nerwb_article_id"):
            summary.article_ids.append(str(data["nerwb_article_id"]))
        if data.get("nerwb_split"):
            summary.splits.add(str(data["nerwb_split"]))
    return summary


def refuse_test_data(
    summary: DataSummary, *, role: str, test_path: Path, test_ids: set[str]
) -> None:
    """Training and model selection must never see the held-out test set."""
    if summary.path.resolve() == test_path.resolve():
        raise TrainingError(
            f"{role} data is the held-out test set ({test_path}); train on train, select on dev",
            kind=ErrorKind.TEST_LEAK,
            path=test_path,
        )
    leaked = sorted(set(summary.article_ids) & test_ids)
    if "test" in summary.splits or leaked:
        example = f" (e.g. article {leaked[0]!r})" if leaked else ""
        raise TrainingError(
            f"{role} data {summary.path} contains test articles{example}; the test split is held "
            "out",
            kind=ErrorKind.TEST_LEAK,
            path=summary.path,
        )


def gold_entity_names(path: Path) -> set[str]:
    """The normalised text (``labels.gold_names.normalise_name``) of every gold entity in a DocBin: the
    names a model trained on it has seen.

    Raises:
        TrainingError: the file is missing or not a DocBin.
    """
    try:
        return docbin_gold_names(path)
    except EvaluationError as err:
        # the same fact under this stage's error type: its kind and fields go with it
        raise recast(err, TrainingError) from None
