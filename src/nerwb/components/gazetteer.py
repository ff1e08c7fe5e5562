"""A gazetteer the model may reject: names from gold (and a patterns file, and a names list),
kept only where the training text says they are names.

An entity ruler that adds every listed name is an override: "Hamas" and "the government" also
occur where no annotator marked them, and on conflict3 such a ruler cost 10 F. This component
counts, in the training text, how often each pattern's matches are gold entities of its label,
keeps the patterns at or above ``min_precision``, and adds their matches only where the NER
found nothing (measured: docs/benchmarks.md; it helps on re3d, not on conflict3, so it ships off).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.training import Example

from nerwb.components.filling import fill_free_tokens
from nerwb.components.names import KnownName, name_tokens, read_names
from nerwb.components.training_labels import name_labels
from nerwb.errors import ErrorKind, InputError, TrainingError
from nerwb.io import iter_jsonl

FACTORY = "nerwb_gazetteer"


class Gazetteer:
    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        patterns_file: str | None,
        labels: list[str] | None,
        min_precision: float,
        keep_unseen: bool,
        names_file: str | None = None,
    ) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer  # a phrase in the file is split as the texts are
        self.patterns_file = patterns_file
        self.names_file = names_file
        self.requested = list(labels) if labels else None
        self.min_precision = min_precision
        self.keep_unseen = keep_unseen
        self.patterns: list[dict[str, Any]] = []
        self.facts: dict[str, Any] = {}
        self._matcher: Matcher | None = None

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None
    ) -> None:
        """Collect the gold names (and the file's patterns), then keep those the training
        text bears out."""
        examples = list(get_examples())
        labels, known = self._labels(examples)
        candidates = {
            (ent.label_, tuple(t.lower_ for t in ent)): "gold"
            for eg in examples
            for ent in eg.reference.ents
            if ent.label_ in labels
        }
        for pattern in self._file_patterns():
            if pattern["label"] not in known:
                raise InputError(
                    f"label {pattern['label']!r} is not a label of the training data "
                    f"({', '.join(sorted(known))})",
                    path=self.patterns_file,
                    line=pattern["line"],
                )
            candidates.setdefault((pattern["label"], pattern["tokens"]), "file")
        skipped = 0  # names of labels the gazetteer does not serve (number phrases, --labels)
        for row in self._names_list():
            if row.label not in known:
                raise InputError(
                    f"label {row.label!r} is not a label of the training data "
                    f"({', '.join(sorted(known))})",
                    path=self.names_file,
                    line=row.line,
                )
            if row.label not in labels:
                skipped += 1
                continue
            candidates.setdefault((row.label, name_tokens(row.name, self.tokenizer)), "names")
        listed = [
            {"label": label, "pattern": [{"LOWER": t} for t in tokens], "source": source}
            for (label, tokens), source in sorted(candidates.items())
        ]
        hits = _hits(self.vocab, listed, (eg.reference for eg in examples))
        kept = []
        for i, pattern in enumerate(listed):
            found = hits.get(i)
            precision = sum(found) / len(found) if found else None
            if precision is None and (pattern["source"] == "gold" or not self.keep_unseen):
                continue
            if precision is None or precision >= self.min_precision:
                kept.append(
                    {**pattern, "precision": None if precision is None else round(precision, 3)}
                )
        self.patterns = kept
        self.facts = {"labels": labels, "listed": len(listed), "kept": len(kept)}
        if self.names_file:
            self.facts["names_skipped"] = skipped
        self._matcher = None

    def _labels(self, examples: list[Example]) -> tuple[list[str], set[str]]:
        """The labels served, and every label of the training data."""
        served, spans = name_labels(FACTORY, self.requested, examples)
        return served, set(spans)

    def _file_patterns(self) -> list[dict[str, Any]]:
        if not self.patterns_file:
            return []
        path = Path(self.patterns_file)
        if not path.is_file():
            raise TrainingError(
                f"{FACTORY}: patterns file {path} does not exist",
                kind=ErrorKind.MISSING_FILE,
                path=path,
            )
        out = []
        for number, pattern in iter_jsonl(path):  # a line that is not JSON: InputError there
            try:
                label, tokens = str(pattern["label"]), _tokens(pattern, self.tokenizer)
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InputError(
                    'expected {"label": ..., "pattern": "phrase" or [{"LOWER": ...}, ...]}',
                    path=path,
                    line=number,
                ) from None
            out.append({"label": label, "tokens": tokens, "line": number})
        return out

    def _names_list(self) -> list[KnownName]:
        if not self.names_file:
            return []
        path = Path(self.names_file)
        if not path.is_file():
            raise TrainingError(
                f"{FACTORY}: names list {path} does not exist",
                kind=ErrorKind.MISSING_FILE,
                path=path,
            )
        return read_names(path)  # a bad row: InputError naming its line

    def _get_matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(self.vocab)
            for i, pattern in enumerate(self.patterns):
                self._matcher.add(str(i), [pattern["pattern"]])
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        if not self.patterns:
            return doc
        matcher = self._get_matcher()
        ranked = (  # longest first, then leftmost
            (start, end, self.patterns[int(self.vocab.strings[match_id])]["label"])
            for match_id, start, end in sorted(matcher(doc), key=lambda m: (m[1] - m[2], m[1]))
        )
        return fill_free_tokens(doc, ranked)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"patterns": self.patterns, "facts": self.facts}).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Gazetteer:
        loaded = json.loads(data.decode("utf-8"))
        self.patterns, self.facts, self._matcher = loaded["patterns"], loaded["facts"], None
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "patterns.json").write_bytes(self.to_bytes())

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> Gazetteer:
        return self.from_bytes((Path(path) / "patterns.json").read_bytes())


def _tokens(pattern: dict[str, Any], tokenizer: Any) -> tuple[str, ...]:
    """A pattern's words, lower-cased: a phrase string, or a list of LOWER/ORTH/TEXT tokens."""
    value = pattern["pattern"]
    if isinstance(value, str):
        words = tuple(t.lower_ for t in tokenizer(value) if not t.is_space)
    else:
        words = tuple(
            str(t.get("LOWER") or t.get("ORTH") or t.get("TEXT") or "").lower() for t in value
        )
    if not words or not all(words):
        raise ValueError("empty pattern")
    return words


def _hits(vocab: Any, patterns: list[dict], docs: Iterable[Doc]) -> dict[int, list[bool]]:
    """Per pattern: for each of its matches in ``docs``, whether gold labels it so."""
    matcher = Matcher(vocab)
    for i, pattern in enumerate(patterns):
        matcher.add(str(i), [pattern["pattern"]])
    hits: dict[int, list[bool]] = {}
    for doc in docs:
        gold = {(e.start, e.end, e.label_) for e in doc.ents}
        for match_id, start, end in matcher(doc):
            i = int(vocab.strings[match_id])
            hits.setdefault(i, []).append((start, end, patterns[i]["label"]) in gold)
    return hits


@Language.factory(
    FACTORY,
    default_config={
        "patterns_file": None,
        "labels": None,
        "min_precision": 0.5,
        "keep_unseen": True,
        "names_file": None,
    },
    requires=["doc.ents"],
    assigns=["doc.ents"],
)
def make_gazetteer(
    nlp: Language,
    name: str,
    patterns_file: str | None,
    labels: list[str] | None,
    min_precision: float,
    keep_unseen: bool,
    names_file: str | None,
) -> Gazetteer:
    """spaCy factory ``nerwb_gazetteer`` (an entry point of nerwb's package)."""
    return Gazetteer(
        nlp,
        name,
        patterns_file=patterns_file,
        labels=labels,
        min_precision=min_precision,
        keep_unseen=keep_unseen,
        names_file=names_file,
    )
