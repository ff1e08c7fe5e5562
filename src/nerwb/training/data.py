"""Training data checks: what a DocBin holds, and that no test article is in it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import DocBin

from nerwb.errors import TrainingError
from nerwb.labels.text import blank


@dataclass
class DataSummary:
    path: Path
    sha256: str
    docs: int
    spans: dict[str, int] = field(default_factory=dict)
    article_ids: list[str] = field(default_factory=list)
    splits: set[str] = field(default_factory=set)

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "docs": self.docs,
            "spans": dict(sorted(self.spans.items())),
            "splits": sorted(self.splits),
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def summarise(path: Path, *, lang: str, role: str) -> DataSummary:
    """Docs, spans per label and article ids of a DocBin.

    Raises:
        TrainingError: the file is missing or not a DocBin.
    """
    if not path.is_file():
        raise TrainingError(
            f"{role} data {path} does not exist; run `nerwb labels convert` or fix the path"
        )
    try:
        docs = list(DocBin().from_disk(path).get_docs(blank(lang).vocab))
    except Exception as err:  # spaCy raises several types for a file that is not a DocBin
        raise TrainingError(
            f"{role} data {path} is not a spaCy DocBin ({type(err).__name__})"
        ) from None
    summary = DataSummary(path, sha256_of(path), len(docs))
    for doc in docs:
        for ent in doc.ents:
            summary.spans[ent.label_] = summary.spans.get(ent.label_, 0) + 1
        data = doc.user_data or {}
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
            f"{role} data is the held-out test set ({test_path}); train on train, select on dev"
        )
    leaked = sorted(set(summary.article_ids) & test_ids)
    if "test" in summary.splits or leaked:
        example = f" (e.g. article {leaked[0]!r})" if leaked else ""
        raise TrainingError(
            f"{role} data {summary.path} contains test articles{example}; the test split is held out"
        )
