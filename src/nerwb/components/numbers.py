"""Number-anchored entities ("608 American troops", "at least five FC personnel").

Such entities are compositional, not names: almost none of those in held-out news occur in
the training data, so a NER that learns them token by token from a few hundred examples
finds few. But nearly every one contains a number token, and a text holds only a handful of
those per entity, so the number is a good anchor: every phrase around a number (a few words
of modifier before it, a noun phrase after it) is a candidate, and a classifier over the
words in, before and after the candidate decides which is an entity, of which label and
with which extent. The labels it serves, and how far a phrase reaches either side of its
number, are read from the training data, not hard-coded.

The classifier is scikit-learn's logistic regression, fitted once in ``initialize`` from the
gold examples (it does not need gradients from spaCy's loop), and saved as JSON (no pickle)
in the model folder. Its spans and the NER's are reconciled into ``doc.ents`` without
overlaps (``Reconcile``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example

from nerwb.errors import ErrorKind, TrainingError
from nerwb.scores import prf

FACTORY = "nerwb_number_phrases"
# Quantity words spaCy's like_num does not count ("a dozen", "hundreds of"): numbers all the same.
NUMBER_WORDS = ("dozen", "dozens", "hundreds", "thousands", "millions", "scores", "tens")
# A phrase never reaches across these: they end a clause.
STOPS = frozenset({".", "!", "?", ";", ":", "\n"})
MAX_LEFT, MAX_RIGHT = 4, 10  # caps on what the training data may ask for
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)  # what initialize chooses among
DEFAULT_THRESHOLD = 0.5  # balanced classes make 0.5 the even point; also used where the
# training data is too small to choose one
MIN_SPANS = 5  # a label needs this many spans before the component serves it on its own


class Reconcile(StrEnum):
    """How the component's spans and the NER's become ``doc.ents``."""

    PREFER = "prefer"  # the component's spans win; NER entities they overlap are dropped
    FILL = "fill"  # the component only adds spans where the NER found nothing
    REPLACE = "replace"  # the NER's entities of the component's labels are dropped first


@dataclass
class Linear:
    """A fitted logistic regression, as plain numbers (saved as JSON)."""

    classes: list[str] = field(default_factory=list)
    features: dict[str, int] = field(default_factory=dict)
    coef: list[list[float]] = field(default_factory=list)
    intercept: list[float] = field(default_factory=list)

    @classmethod
    def fit(cls, rows: list[list[str]], targets: list[str], regularization: float) -> Linear:
        from sklearn.linear_model import LogisticRegression

        vocab: dict[str, int] = {}
        for row in rows:
            for f in row:
                vocab.setdefault(f, len(vocab))
        # Balanced: a text holds about ten numbers per entity; unweighted, the classifier learns
        # to say "no" and its probabilities sit far below 0.5 (measured: docs/benchmarks.md).
        clf = LogisticRegression(C=regularization, max_iter=2000, class_weight="balanced")
        clf.fit(_matrix(rows, vocab), targets)
        return cls(
            [str(c) for c in clf.classes_],
            vocab,
            clf.coef_.round(6).tolist(),
            clf.intercept_.round(6).tolist(),
        )

    def probabilities(self, rows: list[list[str]]) -> np.ndarray:
        scores = _matrix(rows, self.features) @ np.asarray(self.coef).T + np.asarray(self.intercept)
        if len(self.classes) == 2:  # scikit-learn keeps one row for two classes
            p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class NumberModel:
    labels: list[str]
    max_left: int
    max_right: int
    threshold: float = DEFAULT_THRESHOLD  # chosen in initialize where the config sets none
    # which numbers begin an entity, and of which label ("" is none) ...
    anchor: Linear | None = None
    # ... and, given one that does, which of its candidate phrases is the entity
    extent: Linear | None = None
    training: dict[str, Any] = field(default_factory=dict)  # what initialize found

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NumberModel:
        linear = {k: Linear(**data[k]) if data.get(k) else None for k in ("anchor", "extent")}
        return cls(**{**data, **linear})


def is_number(token: Any, words: frozenset[str]) -> bool:
    return bool(token.like_num) or token.lower_ in words


def _stop(token: Any) -> bool:
    return token.text in STOPS or "\n" in token.text


def phrases_at(doc: Doc, a: int, max_left: int, max_right: int) -> list[tuple[int, int]]:
    """The (start, end) token ranges around the number at ``a``: at most ``max_left`` tokens
    before it and ``max_right`` after it, crossing no clause end."""
    found = []
    for s in range(a, max(-1, a - max_left - 1), -1):
        if s < a and _stop(doc[s]):
            break
        for e in range(a + 1, min(len(doc), a + 1 + max_right) + 1):
            if e - 1 > a and _stop(doc[e - 1]):
                break
            found.append((s, e))
    return found


def numbers_in(doc: Doc, words: frozenset[str]) -> list[int]:
    return [i for i, token in enumerate(doc) if is_number(token, words)]


def _word(doc: Doc, i: int) -> str:
    return doc[i].lower_ if 0 <= i < len(doc) else ("<s>" if i < 0 else "</s>")


def anchor_features(doc: Doc, a: int) -> list[str]:
    """What decides whether a number begins an entity: the number and the words around it."""
    token = doc[a]
    out = [
        f"num={token.lower_ if token.is_alpha else token.shape_[:4]}",
        f"title={token.is_title}",
        f"p1={_word(doc, a - 1)}",
        f"p2={_word(doc, a - 2)}|{_word(doc, a - 1)}",
        f"n1={_word(doc, a + 1)}",
        f"n2={_word(doc, a + 1)}|{_word(doc, a + 2)}",
        f"n1_shape={doc[a + 1].shape_[:4] if a + 1 < len(doc) else '</s>'}",
        f"n1_suffix={_word(doc, a + 1)[-2:]}",
    ]
    out += [f"before{a - i}={_word(doc, i)}" for i in range(a - 3, a)]
    out += [f"after{i - a}={_word(doc, i)}" for i in range(a + 1, a + 5)]
    out += [f"ctx={_word(doc, i)}" for i in range(a - 10, a + 12) if i != a]
    return out


def features(doc: Doc, start: int, end: int, words: frozenset[str]) -> list[str]:
    """What decides a phrase's extent: its words, its edges and what follows it."""
    anchor = next(i for i in range(start, end) if is_number(doc[i], words))
    first, last = doc[start], doc[end - 1]
    out = [
        f"len={min(end - start, 8)}",
        f"left={anchor - start}",
        f"right={min(end - anchor - 1, 8)}",
        f"first={first.lower_}",
        f"first_shape={first.shape_[:4]}",
        f"last={last.lower_}",
        f"last_suffix={last.lower_[-2:]}",
        f"last_shape={last.shape_[:4]}",
        f"anchor={doc[anchor].lower_ if doc[anchor].is_alpha else doc[anchor].shape_[:4]}",
        f"prev={_word(doc, start - 1)}",
        f"prev2={_word(doc, start - 2)}|{_word(doc, start - 1)}",
        f"next={_word(doc, end)}",
        f"next2={_word(doc, end)}|{_word(doc, end + 1)}",
        f"last_next={last.lower_}|{_word(doc, end)}",
        f"prev_first={_word(doc, start - 1)}|{first.lower_}",
    ]
    out += [f"in={t.lower_}" for t in doc[start:end]]
    out += [f"before={_word(doc, i)}" for i in range(start - 4, start)]
    out += [f"after={_word(doc, i)}" for i in range(end, end + 6)]
    if any(t.text == "," for t in doc[start:end]):
        out.append("comma_inside")
    if any(t.is_title for t in doc[start + 1 : end]):
        out.append("title_inside")
    return out


def _first_number(span: Span, words: frozenset[str]) -> int | None:
    return next((t.i for t in span if is_number(t, words)), None)


def study_labels(
    examples: Iterable[Example],
    words: frozenset[str],
    requested: list[str] | None,
    min_share: float,
) -> tuple[list[str], int, int, dict[str, Any]]:
    """The labels the component serves, and the reach either side of a phrase's number.

    Raises:
        TrainingError: a requested label that has no spans, or whose spans mostly hold no number.
    """
    spans: dict[str, int] = {}
    anchored: dict[str, int] = {}
    reach: dict[str, list[tuple[int, int]]] = {}
    for eg in examples:
        for ent in eg.reference.ents:
            spans[ent.label_] = spans.get(ent.label_, 0) + 1
            a = _first_number(ent, words)
            if a is not None:
                anchored[ent.label_] = anchored.get(ent.label_, 0) + 1
                reach.setdefault(ent.label_, []).append((a - ent.start, ent.end - a - 1))
    share = {label: anchored.get(label, 0) / n for label, n in spans.items()}
    if requested:
        for label in requested:
            if not spans.get(label):
                raise TrainingError(
                    f"{FACTORY}: label {label} has no spans in the training data "
                    f"(it has: {', '.join(sorted(spans)) or 'none'})",
                    kind=ErrorKind.LABEL_MISMATCH,
                )
            if share[label] < 0.5:
                raise TrainingError(
                    f"{FACTORY}: only {anchored.get(label, 0)} of label {label}'s {spans[label]} "
                    "training spans contain a number (digits or a number word), so a "
                    "number-anchored component cannot find it; leave it to the ner",
                    kind=ErrorKind.BAD_CONFIG,
                )
        labels = sorted(requested)
    else:
        labels = sorted(
            label for label, n in spans.items() if n >= MIN_SPANS and share[label] >= min_share
        )
    pairs = [p for label in labels for p in reach.get(label, [])]
    max_left = min(MAX_LEFT, max((p[0] for p in pairs), default=0))
    max_right = min(MAX_RIGHT, max((p[1] for p in pairs), default=0))
    facts = {
        "spans": spans,
        "share_with_number": {k: round(v, 3) for k, v in share.items()},
        "max_left": max_left,
        "max_right": max_right,
    }
    return labels, max_left, max_right, facts


class NumberPhrases:
    """The pipeline component: candidates around numbers, a classifier, reconciliation."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        labels: list[str] | None,
        threshold: float | None,
        reconcile: Reconcile,
        min_share: float,
        number_words: list[str],
        regularization: float,
    ) -> None:
        self.name = name
        self.requested = list(labels) if labels else None
        self.threshold = threshold
        self.reconcile = Reconcile(reconcile)
        self.min_share = min_share
        self.words = frozenset(w.lower() for w in number_words)
        self.regularization = regularization
        self.model: NumberModel | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.model.labels) if self.model else []

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None
    ) -> None:
        """Fit the classifiers on the gold examples (spaCy calls this once, before training);
        without a configured threshold, choose one by cross-validation on those examples."""
        examples = list(get_examples())
        labels, max_left, max_right, facts = study_labels(
            examples, self.words, self.requested, self.min_share
        )
        model = NumberModel(labels, max_left, max_right, training=facts)
        if labels and self.threshold is None:
            model.threshold, facts["threshold_f"] = self._choose_threshold(model, examples)
        elif self.threshold is not None:
            model.threshold = self.threshold
        model.anchor, model.extent = self._fit(model, examples)
        self.model = model

    def _fit(
        self, model: NumberModel, examples: list[Example]
    ) -> tuple[Linear | None, Linear | None]:
        anchors, anchor_targets, phrases, phrase_targets = [], [], [], []
        for eg in examples:
            doc = eg.reference
            begins: dict[int, tuple[int, int, str]] = {}
            inside: set[int] = set()
            for ent in doc.ents:
                first = _first_number(ent, self.words) if ent.label_ in model.labels else None
                if first is not None:
                    begins[first] = (ent.start, ent.end, ent.label_)
                    inside.update(range(first + 1, ent.end))
            for a in numbers_in(doc, self.words):
                if a in inside and a not in begins:
                    continue  # a second number of an entity ("hundreds of thousands"): neither
                anchors.append(anchor_features(doc, a))
                anchor_targets.append(begins[a][2] if a in begins else "")
                if a in begins:
                    for s, e in phrases_at(doc, a, model.max_left, model.max_right):
                        phrases.append(features(doc, s, e, self.words))
                        phrase_targets.append("yes" if (s, e) == begins[a][:2] else "no")
        model.training["numbers"] = len(anchors)
        model.training["anchors"] = sum(1 for t in anchor_targets if t)
        anchor = extent = None
        if model.labels and len(set(anchor_targets)) > 1:
            anchor = Linear.fit(anchors, anchor_targets, self.regularization)
        if len(set(phrase_targets)) > 1:
            extent = Linear.fit(phrases, phrase_targets, self.regularization)
        return anchor, extent

    def _choose_threshold(self, model: NumberModel, examples: list[Example]) -> tuple[float, float]:
        # Which anchor probability to accept is a trade of precision for recall that depends on
        # the data; 3-fold cross-validation over the training examples measures it there.
        folds = 3 if len(examples) >= 6 else 0
        found: dict[float, list[int]] = {t: [0, 0, 0] for t in THRESHOLDS}  # tp, pred, gold
        for k in range(folds):
            part = NumberModel(model.labels, model.max_left, model.max_right, training={})
            part.anchor, part.extent = self._fit(
                part, [eg for i, eg in enumerate(examples) if i % folds != k]
            )
            for eg in examples[k::folds]:
                doc = eg.reference
                gold = {(e.start, e.end, e.label_) for e in doc.ents if e.label_ in model.labels}
                scored = self.scored(doc, model=part, threshold=0.0)
                for t, counts in found.items():
                    chosen = set(choose(scored, t))
                    counts[0] += len(chosen & gold)
                    counts[1] += len(chosen)
                    counts[2] += len(gold)
        if not folds:
            return DEFAULT_THRESHOLD, 0.0
        f = {t: prf(tp, p, g).f for t, (tp, p, g) in found.items()}
        best = max(THRESHOLDS, key=lambda t: (round(f[t], 6), t))
        return best, round(f[best], 4)

    def scored(
        self, doc: Doc, *, model: NumberModel | None = None, threshold: float | None = None
    ) -> list[tuple[float, int, int, str]]:
        """(probability, start, end, label): the best phrase of each number that the anchor
        classifier gives at least ``threshold`` (default: the configured or chosen one)."""
        model = model or self.model
        if model is None or model.anchor is None:
            return []
        if threshold is None:
            threshold = self.threshold if self.threshold is not None else model.threshold
        numbers = numbers_in(doc, self.words)
        if not numbers:
            return []
        probs = model.anchor.probabilities([anchor_features(doc, a) for a in numbers])
        none = model.anchor.classes.index("") if "" in model.anchor.classes else None
        out = []
        for a, row in zip(numbers, probs, strict=True):
            best = int(np.argmax([-1.0 if i == none else p for i, p in enumerate(row)]))
            if row[best] < threshold:
                continue
            spans = phrases_at(doc, a, model.max_left, model.max_right)
            if model.extent is None:
                s, e = a, a + 1
            else:
                rows = [features(doc, s, e, self.words) for s, e in spans]
                yes = model.extent.classes.index("yes")
                s, e = spans[int(np.argmax(model.extent.probabilities(rows)[:, yes]))]
            out.append((float(row[best]), s, e, model.anchor.classes[best]))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            raise ValueError(f"{self.name} is not initialised: train the pipeline first")
        if not self.model.labels:
            return doc
        doc.ents = reconcile(doc, choose(self.scored(doc), 0.0), self.model.labels, self.reconcile)
        return doc

    # serialisation: one JSON file, so a model folder holds no pickle
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(asdict(self.model) if self.model else None).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> NumberPhrases:
        loaded = json.loads(data.decode("utf-8"))
        self.model = NumberModel.from_json(loaded) if loaded else None
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.json").write_bytes(self.to_bytes())

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> NumberPhrases:
        return self.from_bytes((Path(path) / "model.json").read_bytes())


def choose(
    scored: list[tuple[float, int, int, str]], threshold: float
) -> list[tuple[int, int, str]]:
    """The scored phrases at or above ``threshold``, most probable first, without overlaps."""
    chosen: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for prob, s, e, label in sorted(scored, key=lambda c: (-c[0], c[1])):
        if prob >= threshold and taken.isdisjoint(range(s, e)):
            chosen.append((s, e, label))
            taken.update(range(s, e))
    return chosen


def reconcile(
    doc: Doc, chosen: list[tuple[int, int, str]], labels: list[str], how: Reconcile
) -> list[Span]:
    """The NER's entities and the component's spans as one list without overlaps."""
    ner = list(doc.ents)
    if how is Reconcile.REPLACE:
        ner = [e for e in ner if e.label_ not in labels]
    taken = {i for e in ner for i in range(e.start, e.end)}
    mine = [Span(doc, s, e, label=label) for s, e, label in chosen]
    if how is Reconcile.FILL or how is Reconcile.REPLACE:
        mine = [m for m in mine if taken.isdisjoint(range(m.start, m.end))]
        return sorted(ner + mine, key=lambda x: x.start)
    mine_tokens = {i for m in mine for i in range(m.start, m.end)}
    kept = [e for e in ner if mine_tokens.isdisjoint(range(e.start, e.end))]
    return sorted(kept + mine, key=lambda x: x.start)


def _matrix(rows: list[list[str]], vocab: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for row in rows:
        cols = sorted({vocab[f] for f in row if f in vocab})
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)))


@Language.factory(
    FACTORY,
    default_config={
        "labels": None,
        "threshold": DEFAULT_THRESHOLD,
        "reconcile": "prefer",
        "min_share": 0.9,
        "number_words": list(NUMBER_WORDS),
        "regularization": 1.0,
    },
    requires=["doc.ents"],
    assigns=["doc.ents"],
)
def make_number_phrases(
    nlp: Language,
    name: str,
    labels: list[str] | None,
    threshold: float | None,
    reconcile: str,
    min_share: float,
    number_words: list[str],
    regularization: float,
) -> NumberPhrases:
    """spaCy factory ``nerwb_number_phrases`` (an entry point of nerwb's package)."""
    try:
        how = Reconcile(reconcile)
    except ValueError:
        choices = ", ".join(r.value for r in Reconcile)
        raise TrainingError(
            f"{FACTORY}: reconcile {reconcile!r} is not one of {choices}", kind=ErrorKind.BAD_CONFIG
        ) from None
    return NumberPhrases(
        nlp,
        name,
        labels=labels,
        threshold=threshold,
        reconcile=how,
        min_share=min_share,
        number_words=number_words,
        regularization=regularization,
    )
