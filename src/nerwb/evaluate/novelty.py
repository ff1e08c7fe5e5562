"""Seen and unseen names: recall (and precision) split by whether the model was trained on a name.

A gold entity is *seen* when its normalised text (case- and whitespace-folded) occurs as a gold
entity, of any label, in the model's training data (``labels.gold_names``), and *unseen* otherwise. A model that mostly
remembers names scores high on seen names and low on unseen ones; one F over both hides that,
because most mentions in a corpus repeat a few names.

Recall over gold entities of a group is strict (same boundaries and label). Precision over the
predicted spans whose own text is seen (or unseen) is defined the same way; a strictly correct
prediction has the gold entity's text, so it falls in the same group on both sides and one
``tp`` count serves both. Per document the counts are ``scoring.DocCounts`` (tp, predicted,
gold per label), so the document bootstrap of ``bootstrap.py`` resamples them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc

from nerwb.errors import InputError
from nerwb.evaluate.bootstrap import count_matrix, intervals
from nerwb.evaluate.data import load_gold_docs
from nerwb.evaluate.scoring import DocCounts
from nerwb.io import sha256_of
from nerwb.labels.annotations import LabeledSpan, doc_spans
from nerwb.labels.gold_names import docbin_gold_names, gold_names, names_sha256, normalise_name
from nerwb.records.training import MANIFEST_NAME, TrainingManifest, manifest_path


class Novelty(StrEnum):
    SEEN = "seen"
    UNSEEN = "unseen"


def novelty_of(text: str, span: LabeledSpan, seen: set[str]) -> Novelty:
    """Whether the text of ``span`` in ``text`` is one of the ``seen`` names."""
    return Novelty.SEEN if normalise_name(text[span[0] : span[1]]) in seen else Novelty.UNSEEN


def novelty_counts(
    text: str, gold: Sequence[LabeledSpan], pred: Sequence[LabeledSpan], seen: set[str]
) -> dict[Novelty, DocCounts]:
    """One document's strict counts per group: gold entities by their text's novelty, predicted
    spans by theirs, and the predictions that match a gold entity exactly (tp)."""

    def group(span: LabeledSpan) -> Novelty:
        return novelty_of(text, span, seen)

    out = {g: DocCounts() for g in Novelty}
    gold_set = {tuple(s) for s in gold}
    for span in pred:
        counts = out[group(span)]
        counts.n_pred[span[2]] = counts.n_pred.get(span[2], 0) + 1
        if tuple(span) in gold_set:
            counts.tp[span[2]] = counts.tp.get(span[2], 0) + 1
    for span in gold:
        counts = out[group(span)]
        counts.n_gold[span[2]] = counts.n_gold.get(span[2], 0) + 1
    return out


def novelty_counts_of_docs(
    gold_docs: Sequence[Doc], pred_docs: Sequence[Doc], seen: set[str]
) -> list[dict[Novelty, DocCounts]]:
    """``novelty_counts`` of each (gold, predicted) pair; the gold document's text is used."""
    return [
        novelty_counts(g.text, doc_spans(g), doc_spans(p), seen)
        for g, p in zip(gold_docs, pred_docs, strict=True)
    ]


@dataclass
class NoveltyScore:
    """One label (or all pooled) in one group: gold entities and how many the model found
    (recall), predicted spans and how many were correct (precision, None without predictions)."""

    gold: int
    found: int
    recall: float | None  # None without gold entities
    predicted: int
    correct: int
    precision: float | None
    recall_ci95: tuple[float, float] | None = None  # document bootstrap, when computed

    def to_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "found": self.found,
            "recall": self.recall,
            "predicted": self.predicted,
            "correct": self.correct,
            "precision": self.precision,
            "recall_ci95": None if self.recall_ci95 is None else list(self.recall_ci95),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoveltyScore:
        ci = data.get("recall_ci95")
        return cls(
            data["gold"],
            data["found"],
            data["recall"],
            data["predicted"],
            data["correct"],
            data["precision"],
            None if ci is None else (float(ci[0]), float(ci[1])),
        )


def _score(tp: int, n_pred: int, n_gold: int) -> NoveltyScore:
    return NoveltyScore(
        gold=n_gold,
        found=tp,
        recall=tp / n_gold if n_gold else None,
        predicted=n_pred,
        correct=tp,
        precision=tp / n_pred if n_pred else None,
    )


@dataclass
class GroupScores:
    """All labels pooled, and each label, for one group (seen or unseen)."""

    pooled: NoveltyScore
    per_label: dict[str, NoveltyScore]

    def to_json(self) -> dict[str, Any]:
        return {
            "pooled": self.pooled.to_json(),
            "per_label": {k: v.to_json() for k, v in self.per_label.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroupScores:
        return cls(
            NoveltyScore.from_json(data["pooled"]),
            {k: NoveltyScore.from_json(v) for k, v in data["per_label"].items()},
        )


@dataclass
class NoveltySplit:
    """Seen and unseen scores of one evaluation, and what "seen" was taken from."""

    seen: GroupScores
    unseen: GroupScores
    train_data: str  # where the seen names came from (a path, or a note)
    train_names: int  # distinct normalised gold names in the training data
    train_names_sha256: str | None = None  # names_sha256 of them, to tell two seen sets apart

    def group(self, which: Novelty) -> GroupScores:
        return self.seen if which is Novelty.SEEN else self.unseen

    def to_json(self) -> dict[str, Any]:
        return {
            "train_data": self.train_data,
            "train_names": self.train_names,
            "train_names_sha256": self.train_names_sha256,
            "seen": self.seen.to_json(),
            "unseen": self.unseen.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoveltySplit:
        return cls(
            seen=GroupScores.from_json(data["seen"]),
            unseen=GroupScores.from_json(data["unseen"]),
            train_data=data["train_data"],
            train_names=data["train_names"],
            train_names_sha256=data.get("train_names_sha256"),
        )


def group_scores(counts: Sequence[DocCounts], labels: Sequence[str]) -> GroupScores:
    """Pooled and per-label scores of one group from its per-document counts."""

    def total(attr: str, label: str | None = None) -> int:
        return sum(
            sum(getattr(c, attr).values()) if label is None else getattr(c, attr).get(label, 0)
            for c in counts
        )

    return GroupScores(
        pooled=_score(total("tp"), total("n_pred"), total("n_gold")),
        per_label={
            label: _score(total("tp", label), total("n_pred", label), total("n_gold", label))
            for label in labels
        },
    )


def resampled_recall(
    counts: Sequence[DocCounts], labels: Sequence[str], weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Recall per resample: per label, shape (resamples, labels), and pooled, shape
    (resamples,); NaN where a resample holds no gold entity. ``weights`` is
    ``bootstrap.resample_weights`` over the same documents."""
    sums = np.einsum("rd,dlk->rlk", weights, count_matrix(list(counts), list(labels)))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_label = np.where(sums[..., 2] > 0, sums[..., 0] / sums[..., 2], np.nan)
        totals = sums.sum(axis=1)
        pooled = np.where(totals[:, 2] > 0, totals[:, 0] / totals[:, 2], np.nan)
    return per_label, pooled


def _ci(values: np.ndarray) -> tuple[float, float] | None:
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    low, high = intervals(values)
    return float(low), float(high)


def novelty_split(
    counts: Sequence[dict[Novelty, DocCounts]],
    labels: Sequence[str],
    *,
    train_data: str,
    train_names: int,
    weights: np.ndarray | None = None,
    train_names_sha256: str | None = None,
) -> NoveltySplit:
    """Seen and unseen scores over documents' ``novelty_counts``; with bootstrap ``weights``
    (one column per document) each recall also gets its 95% interval."""
    groups: dict[Novelty, GroupScores] = {}
    for which in Novelty:
        docs = [c[which] for c in counts]
        scores = group_scores(docs, labels)
        if weights is not None and docs:
            per_label, pooled = resampled_recall(docs, labels, weights)
            scores.pooled.recall_ci95 = _ci(pooled)
            for j, label in enumerate(labels):
                scores.per_label[label].recall_ci95 = _ci(per_label[:, j])
        groups[which] = scores
    return NoveltySplit(
        seen=groups[Novelty.SEEN],
        unseen=groups[Novelty.UNSEEN],
        train_data=train_data,
        train_names=train_names,
        train_names_sha256=train_names_sha256,
    )


def paired_recall_gain(
    ours: Sequence[DocCounts], theirs: Sequence[DocCounts], weights: np.ndarray
) -> dict[str, Any]:
    """Pooled recall of one group, ours minus theirs, over the same documents: the difference,
    its 95% bootstrap interval and the share of resamples where ours is ahead."""
    labels = sorted({k for side in (ours, theirs) for d in side for k in (*d.n_gold, *d.n_pred)})
    _, a = resampled_recall(ours, labels, weights)
    _, b = resampled_recall(theirs, labels, weights)
    gains = a - b
    gains = gains[~np.isnan(gains)]
    mine, other = group_scores(ours, labels).pooled, group_scores(theirs, labels).pooled
    diff = None if mine.recall is None or other.recall is None else mine.recall - other.recall
    ci = _ci(gains)
    return {
        "diff": None if diff is None else round(diff, 4),
        "interval_95": None if ci is None else [round(ci[0], 4), round(ci[1], 4)],
        "share_of_resamples_ahead": round(float((gains > 0).mean()), 3) if len(gains) else None,
    }


MANIFEST = MANIFEST_NAME  # what `nerwb train` writes beside model-best/ and model-last/
MANIFEST_NAMES_KEY = "train_gold_names"  # its record of the training data's gold names


@dataclass
class SeenNames:
    """The names a model was trained on, and where they came from; ``names`` is None (and
    ``note`` says why) when they cannot be known, and the split is then left out."""

    names: set[str] | None
    source: str
    note: str | None = None


def _manifest_of(model: Path) -> tuple[Path, TrainingManifest] | str:
    """The run manifest beside ``model``, or why there is none to use."""
    path = manifest_path(Path(model).parent)
    if not path.is_file():
        return f"no {MANIFEST} beside the model"
    try:
        return path, TrainingManifest.load(path)
    except InputError as err:
        return str(err)


def _recorded_names(path: Path, manifest: TrainingManifest) -> SeenNames | None:
    """The names the manifest itself lists (``nerwb train`` since the seen/unseen split)."""
    record = manifest.train_gold_names
    if record is None:
        return None  # an older manifest: fall back to its training file
    names = record.names
    if record.sha256 not in (None, names_sha256(names)):
        return SeenNames(
            None, str(path), f"{path}: {MANIFEST_NAMES_KEY} does not match its own sha256"
        )
    return SeenNames(set(names), str(path))


def _names_of_training_file(path: Path, manifest: TrainingManifest) -> SeenNames:
    """An older manifest: rebuild the names from the training file it records, if unchanged."""
    train = manifest.data.get("train")
    recorded, digest = (train.path, train.sha256) if train else (None, None)
    if not recorded:
        return SeenNames(None, str(path), f"{path} does not record the training data")
    file = Path(recorded)
    if not file.is_file():
        return SeenNames(None, recorded, f"the training data {recorded} is gone")
    if digest and sha256_of(file) != digest:
        return SeenNames(
            None,
            recorded,
            f"the training data {recorded} has changed since the model was trained",
        )
    return SeenNames(docbin_gold_names(file), recorded)


def seen_names_of(model: Path, train_data: Path | None, lang: str) -> SeenNames:
    """What the model has seen: the names of ``train_data`` when given (any gold format
    ``load_gold_docs`` reads), else those its run manifest lists, else those of the training
    file an older manifest records, if that file is unchanged.

    Raises:
        EvaluationError: ``train_data`` is given but missing or unreadable.
    """
    if train_data is not None:
        if train_data.suffix == ".spacy":
            names = docbin_gold_names(train_data)
        else:
            docs, _ = load_gold_docs(train_data, lang=lang)
            names = gold_names(docs)
        return SeenNames(names, str(train_data))
    found = _manifest_of(model)
    if isinstance(found, str):
        return SeenNames(
            None,
            "",
            f"{found} and no training data named: recall on seen and unseen names is left out",
        )
    path, manifest = found
    seen = _recorded_names(path, manifest) or _names_of_training_file(path, manifest)
    if seen.names is None and seen.note:
        seen.note += (
            "; recall on seen and unseen names is left out (naming the model's training data "
            "measures it)"
        )
    return seen
