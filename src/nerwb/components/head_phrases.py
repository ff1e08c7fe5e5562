"""Names built the way the training's names are built: a head word that closes gold entities
of a label, with words before it that the label's names are made of.

Issue 32's error analysis: the largest kind of unseen name the NER misses is several ordinary
words ("terrorist groups", "sanctions listings", "transnational criminal organization", "Khan
Zaman group", "Southern Bloc"). Each is new as a whole, but its parts are not: "groups" and
"organization" close DESIGNATION spans in training, "terrorist" and "criminal" occur inside them;
"group" and "Bloc" close ARMED_GROUP spans, whose other words are capitalised. The gazetteer
only knows whole names; this component generalises from their heads.

Fitted in ``initialize`` from the training examples alone, per label that holds names (number
phrases are the number component's): the head words (last token of a gold entity of two or more
tokens, plural folded: "organizations" counts for "organization"), the words seen before a head
in the label's entities, and whether those are mostly capitalised (then any capitalised word may
stand before the head). A candidate is a head word with at least one such word before it (at
most ``MAX_MODIFIERS``, leading stop words dropped). Each (label, head) is kept only if its
candidates in the training text are gold entities at least ``min_precision`` of the time, over
at least ``min_support`` candidates: the training text decides which heads are trustworthy.
Like the gazetteer it only fills: a candidate that overlaps an entity already found is dropped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.training import Example

from nerwb.components.filling import fill_free_tokens
from nerwb.components.training_labels import name_labels

FACTORY = "nerwb_head_phrases"
MAX_MODIFIERS = 5  # words before the head: the longest names in conflict3 have six tokens
CAPITALISED_SHARE = 0.5  # a label's names are capitalised when most of their modifiers are


def fold_plural(word: str) -> str:
    """``organizations`` -> ``organization``, ``militias`` -> ``militia``, ``entities`` ->
    ``entity``: a head is counted whatever its number ("s" kept in short words: "ISIS")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _capitalised(token: Token) -> bool:
    return token.is_alpha and (token.is_title or token.is_upper)


class HeadPhrases:
    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        labels: list[str] | None,
        min_precision: float,
        min_support: int,
    ) -> None:
        self.name = name
        self.requested = list(labels) if labels else None
        self.min_precision = min_precision
        self.min_support = min_support
        # label -> {"heads": {head: precision}, "modifiers": [...], "capitalised": bool}
        self.rules: dict[str, dict[str, Any]] = {}
        self.facts: dict[str, Any] = {}

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None
    ) -> None:
        """Learn each label's heads and modifiers, then keep the heads the text bears out."""
        examples = list(get_examples())
        labels, _ = name_labels(FACTORY, self.requested, examples)
        heads: dict[str, Counter[str]] = {lab: Counter() for lab in labels}
        modifiers: dict[str, set[str]] = {lab: set() for lab in labels}
        capitalised: dict[str, list[int]] = {lab: [0, 0] for lab in labels}
        for eg in examples:
            for ent in eg.reference.ents:
                if ent.label_ not in heads or len(ent) < 2:
                    continue
                heads[ent.label_][fold_plural(ent[-1].lower_)] += 1
                modifiers[ent.label_].update(t.lower_ for t in ent[:-1])
                capitalised[ent.label_][0] += all(_capitalised(t) for t in ent[:-1])
                capitalised[ent.label_][1] += 1
        self.rules = {
            lab: {
                "heads": {h: None for h in sorted(heads[lab])},
                "modifiers": sorted(modifiers[lab]),
                "capitalised": capitalised[lab][0] >= CAPITALISED_SHARE * capitalised[lab][1],
            }
            for lab in labels
            if heads[lab]
        }
        hits: dict[tuple[str, str], list[bool]] = {}
        for eg in examples:
            gold = {(e.start, e.end, e.label_) for e in eg.reference.ents}
            for start, end, label in self._candidates(eg.reference):
                head = fold_plural(eg.reference[end - 1].lower_)
                hits.setdefault((label, head), []).append((start, end, label) in gold)
        listed = sum(len(rule["heads"]) for rule in self.rules.values())
        for label, rule in self.rules.items():
            kept = {}
            for head in rule["heads"]:
                found = hits.get((label, head), [])
                if len(found) >= self.min_support:
                    precision = sum(found) / len(found)
                    if precision >= self.min_precision:
                        kept[head] = round(precision, 3)
            rule["heads"] = kept
        self.rules = {lab: rule for lab, rule in self.rules.items() if rule["heads"]}
        self.facts = {
            "labels": labels,
            "heads_listed": listed,
            "heads_kept": {lab: sorted(rule["heads"]) for lab, rule in self.rules.items()},
        }

    def _candidates(self, doc: Doc) -> Iterator[tuple[int, int, str]]:
        """(start, end, label) of every head word with words of its label before it."""
        modifier_sets = {lab: set(rule["modifiers"]) for lab, rule in self.rules.items()}
        for i, token in enumerate(doc):
            head = fold_plural(token.lower_)
            for label, rule in self.rules.items():
                if head not in rule["heads"]:
                    continue
                start = i
                while (
                    start > 0
                    and i - start < MAX_MODIFIERS
                    and not doc[start - 1].is_sent_end
                    and (
                        doc[start - 1].lower_ in modifier_sets[label]
                        or (rule["capitalised"] and _capitalised(doc[start - 1]))
                    )
                ):
                    start -= 1
                while start < i and doc[start].is_stop:
                    start += 1  # "the", "a": a name's own words, not its determiner
                if start < i:
                    yield start, i + 1, label

    def __call__(self, doc: Doc) -> Doc:
        if not self.rules:
            return doc
        ranked = sorted(
            self._candidates(doc),
            key=lambda c: (
                c[0] - c[1],  # longest first
                -self.rules[c[2]]["heads"][fold_plural(doc[c[1] - 1].lower_)],
                c[0],
            ),
        )
        return fill_free_tokens(doc, ranked)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"rules": self.rules, "facts": self.facts}).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> HeadPhrases:
        loaded = json.loads(data.decode("utf-8"))
        self.rules, self.facts = loaded["rules"], loaded["facts"]
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "rules.json").write_bytes(self.to_bytes())

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> HeadPhrases:
        return self.from_bytes((Path(path) / "rules.json").read_bytes())


@Language.factory(
    FACTORY,
    default_config={"labels": None, "min_precision": 0.5, "min_support": 2},
    requires=["doc.ents"],
    assigns=["doc.ents"],
)
def make_head_phrases(
    nlp: Language,
    name: str,
    labels: list[str] | None,
    min_precision: float,
    min_support: int,
) -> HeadPhrases:
    """spaCy factory ``nerwb_head_phrases`` (an entry point of nerwb's package)."""
    return HeadPhrases(
        nlp, name, labels=labels, min_precision=min_precision, min_support=min_support
    )
