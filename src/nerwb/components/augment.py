"""Mention replacement: a spaCy augmenter that swaps entity mentions during training.

A NER trained on a few hundred articles learns the few dozen names that repeat in them, and
then misses the names it never saw (docs/benchmarks.md, accuracy). Replacing a mention by another mention
of the same label, or by a made-up name of the same shape, keeps the context and changes the
string, so what the network can learn from is the context (Dai and Adel, 2020, "mention
replacement"). Each mention is replaced independently with ``probability``; the text and the
offsets of every span after it are rewritten. A name repeated in a document is replaced by the
same name at each of its mentions there, so the article stays consistent.

Where replacements come from:
- the other mentions of the label seen so far in the training stream (spaCy gives an
  augmenter one example at a time, so the pool fills during the first epoch);
- a names file (``names_file``: the gazetteer's patterns format, one
  ``{"label": ..., "pattern": "phrase"}`` per line), which can add names training never shows;
- a synthetic name with ``synthetic`` probability: the mention's shape kept (an acronym stays
  an acronym of the same length, lower-case words and the label's recurring head words such as
  "Brigades" or "Front" are kept, capitalised words become made-up words of similar length).

Labels whose mentions mostly hold a number (casualty figures, quantities) are phrases, not
names; they are left alone unless ``labels`` names them. Registered as
``nerwb.mention_replacement.v1`` in spaCy's ``augmenters`` registry (an entry point of nerwb,
so ``spacy train`` finds it wherever nerwb is installed):

    [corpora.train.augmenter]
    @augmenters = "nerwb.mention_replacement.v1"
    probability = 0.3
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from nerwb.components.training_labels import (
    NUMBER_SHARE,  # a label whose mentions mostly hold a number is left alone
)
from nerwb.errors import ErrorKind, InputError, TrainingError
from nerwb.io import iter_jsonl

NAME = "nerwb.mention_replacement.v1"
HEAD_MIN_NAMES = 2  # a last word that ends this many different names of a label is a head word
SYLLABLES = [
    "ab",
    "ad",
    "al",
    "am",
    "an",
    "ar",
    "as",
    "ba",
    "bar",
    "da",
    "dan",
    "de",
    "di",
    "el",
    "em",
    "en",
    "fa",
    "far",
    "ha",
    "har",
    "ja",
    "jab",
    "ka",
    "kar",
    "la",
    "lan",
    "ma",
    "mar",
    "na",
    "nas",
    "ra",
    "ran",
    "sa",
    "sar",
    "ta",
    "tan",
    "wa",
    "zar",
    "zi",
    "ul",
    "ur",
    "ke",
    "ko",
    "mo",
    "no",
    "ro",
    "so",
    "to",
    "vi",
]

Augmenter = Callable[[Language, Example], Iterator[Example]]


class MentionPool:
    """Mentions per label (as text) and what the replacement needs to know about them."""

    def __init__(self, names: dict[str, list[str]] | None = None) -> None:
        self.by_label: dict[str, list[str]] = {}
        self.seen: dict[str, set[str]] = {}
        self.spans: dict[str, int] = {}
        self.with_number: dict[str, int] = {}
        self.last_words: dict[str, dict[str, set[str]]] = {}
        for label, texts in (names or {}).items():
            for text in texts:
                self._add_text(label, text)

    def _add_text(self, label: str, text: str) -> None:
        if text not in self.seen.setdefault(label, set()):
            self.seen[label].add(text)
            self.by_label.setdefault(label, []).append(text)

    def add(self, doc: Doc) -> None:
        for ent in doc.ents:
            label = ent.label_
            self.spans[label] = self.spans.get(label, 0) + 1
            self.with_number[label] = self.with_number.get(label, 0) + any(t.like_num for t in ent)
            if len(ent) > 1:
                last = ent[-1].text
                self.last_words.setdefault(label, {}).setdefault(last, set()).add(ent.text)
            self._add_text(label, ent.text)

    def is_name_label(self, label: str) -> bool:
        n = self.spans.get(label, 0)
        return n > 0 and self.with_number.get(label, 0) / n < NUMBER_SHARE

    def heads(self, label: str) -> set[str]:
        """Words that end several different names of ``label`` ("Brigades", "Front")."""
        return {
            w
            for w, names in self.last_words.get(label, {}).items()
            if len(names) >= HEAD_MIN_NAMES and w[:1].isupper()
        }


def made_up_word(rng: random.Random, length: int) -> str:
    """A pronounceable made-up word of about ``length`` letters."""
    word = ""
    while len(word) < max(3, length):
        word += rng.choice(SYLLABLES)
    return word[: max(3, length + rng.randint(-1, 1))]


def synthetic(doc: Doc, start: int, end: int, heads: set[str], rng: random.Random) -> str:
    """A made-up name with the shape of ``doc[start:end]``."""
    out = []
    for token in doc[start:end]:
        text = token.text
        if not any(c.isalpha() for c in text) and not any(c.isdigit() for c in text):
            new = text  # punctuation, hyphens
        elif text in heads or (token.is_lower and token.is_alpha):
            new = text  # "Brigades", "al", "of", "the": the shape and the head stay
        elif text.isupper() and text.isalpha():
            new = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWYZ") for _ in text)
        elif text.isdigit():
            new = "".join(rng.choice("0123456789") for _ in text)
        else:
            word = made_up_word(rng, len(text))
            new = word.capitalize() if text[:1].isupper() else word
        out.append(new + token.whitespace_)
    return "".join(out).rstrip()


def replace_mentions(
    nlp: Language,
    example: Example,
    pool: MentionPool,
    *,
    probability: float,
    synthetic_share: float,
    labels: set[str] | None,
    rng: random.Random,
) -> Example:
    """The example with some mentions replaced; the example itself where none is."""
    ref = example.reference
    if any(t.ent_iob == 0 for t in ref):  # partly annotated: missing stays missing, untouched
        return example
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    cursor = 0  # in the old text
    changed = False
    # one decision per name and document: a name repeated in an article stays one name there
    decided: dict[tuple[str, str], str] = {}
    for ent in ref.ents:
        label = ent.label_
        served = label in labels if labels is not None else pool.is_name_label(label)
        new = ent.text
        if served and (label, ent.text) in decided:
            new = decided[(label, ent.text)]
        elif served:
            if rng.random() < probability:
                others = [m for m in pool.by_label.get(label, []) if m != ent.text]
                if others and rng.random() >= synthetic_share:
                    new = rng.choice(others)
                else:
                    new = synthetic(ref, ent.start, ent.end, pool.heads(label), rng)
            decided[(label, ent.text)] = new
        pieces.append(ref.text[cursor : ent.start_char])
        start = sum(len(p) for p in pieces)
        pieces.append(new)
        spans.append((start, start + len(new), label))
        cursor = ent.end_char
        changed = changed or new != ent.text
    if not changed:
        return example
    pieces.append(ref.text[cursor:])
    doc = nlp.make_doc("".join(pieces))
    ents = []
    for s, e, label in spans:
        span = doc.char_span(s, e, label=label)
        if span is None:  # the new text splits into tokens that cut the mention: keep the old
            return example
        ents.append(span)
    try:
        doc.set_ents(ents, default="outside")
    except ValueError:
        return example
    return Example(nlp.make_doc(doc.text), doc)


def read_names(path: str | Path) -> dict[str, list[str]]:
    """Names per label from a patterns file (``{"label": ..., "pattern": "phrase"}`` lines).

    Raises:
        TrainingError: the file does not exist.
        InputError: a line that is not such an object (file and line named).
    """
    path = Path(path)
    if not path.is_file():
        raise TrainingError(
            f"{NAME}: names file {path} does not exist", kind=ErrorKind.MISSING_FILE, path=path
        )
    out: dict[str, list[str]] = {}
    for number, row in iter_jsonl(path):
        label = row.get("label") if isinstance(row, dict) else None
        pattern = row.get("pattern") if isinstance(row, dict) else None
        if isinstance(pattern, list):  # token patterns: their words, joined
            words = [str(t.get("ORTH") or t.get("TEXT") or t.get("LOWER") or "") for t in pattern]
            pattern = " ".join(words) if all(words) else None
        if not isinstance(label, str) or not label or not isinstance(pattern, str):
            raise InputError(
                'expected {"label": ..., "pattern": "phrase" or [{"ORTH": ...}, ...]}',
                path=path,
                line=number,
            )
        if pattern.strip():
            out.setdefault(label, []).append(pattern.strip())
    return out


@registry.augmenters(NAME)
def create_mention_replacement(
    probability: float = 0.3,
    synthetic: float = 0.3,
    names_file: str | None = None,
    labels: list[str] | None = None,
    seed: int = 0,
) -> Augmenter:
    """spaCy augmenter ``nerwb.mention_replacement.v1`` (an entry point of nerwb's package).

    probability: chance that each mention is replaced (0 switches the augmenter off).
    synthetic: of the replacements, the share that are made-up names rather than other mentions.
    names_file: a patterns file whose names join the pool. labels: the labels served (default:
    those whose mentions mostly hold no number). seed: the replacements' random generator.
    """
    for setting, value in (("probability", probability), ("synthetic", synthetic)):
        if not 0.0 <= value <= 1.0:
            raise TrainingError(
                f"{NAME}: {setting} must lie in [0, 1], not {value}", kind=ErrorKind.BAD_CONFIG
            )
    pool = MentionPool(read_names(names_file) if names_file else None)
    served = set(labels) if labels else None
    rng = random.Random(seed)

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        pool.add(example.reference)
        if probability == 0.0:
            yield example
            return
        yield replace_mentions(
            nlp,
            example,
            pool,
            probability=probability,
            synthetic_share=synthetic,
            labels=served,
            rng=rng,
        )

    return augment
