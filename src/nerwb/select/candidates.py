"""Name candidates in unlabelled text, and which of them the labelled data has not named yet.

A model learns a name best from seeing it labelled; one that has seen many different names
finds unseen ones better. So a segment is worth labelling for the names it holds that no
labelled segment holds. Without a tagger (``spacy.blank`` has no POS), a candidate is:

* a run of capitalised tokens ("Syrian Democratic Forces", "Gen. Joseph Votel", "SDF"), joined
  across a few small words ("Islamic State of Iraq"); a capitalised word that opens a sentence
  is dropped when it is a common word (a stop word, one the texts write in lowercase, or whose
  stem they write in lowercase, or a plural noun of people, and that they never capitalise
  elsewhere: "The", "Fighting", "Investigators"), so "Daesh" and "Al-Shabaab" stay;
  weekdays and months are left out;
* a number phrase: a number token (as the number component reads one: "608", "five",
  "dozens") and the lowercase word after it ("five soldiers", "300 fighters"); a number
  followed by no such word ("in 2016,") is left out;
* with a model, each entity it predicts.

A candidate is *unseen* when its normalised text (``labels.gold_names.normalise_name``) is not among
the gold names of the labelled data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from nerwb.components.numbers import NUMBER_WORDS, is_number
from nerwb.labels.annotations import load_annotated
from nerwb.labels.gold_names import normalise_name
from nerwb.text import blank

# Small words a name may hold between capitalised tokens; never at its edges. Not "of" or
# "and": "Joseph Votel of U.S. Central Command" is two names, and parts match gold names better.
JOINERS = frozenset({"de", "al", "el", "bin", "ibn", "-"})
# Capitalised, but no name a team labels.
CALENDAR = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
# A token after one of these opens a sentence (or a quote, or a line).
OPENERS = frozenset({".", "!", "?", '"', "“", "”", ":", ";", "(", "'", "‘"})
NUMBER_WORD_SET = frozenset(NUMBER_WORDS)
# Suffixes `_stem` strips, longest first, leaving at least MIN_STEM letters.
STEM_SUFFIXES = (
    *("ations", "ators", "ating", "ation"),
    *("ated", "ates", "ator", "ings", "ions", "ists"),
    *("ate", "ers", "ing", "ion", "ist", "ive", "ors"),
    *("ed", "er", "es", "ly", "or", "s", "e"),
)
MIN_STEM = 5
# Plural nouns of people or roles that open sentences in news ("Investigators said ..."):
# common words wherever the texts never capitalise them mid-sentence.
PEOPLE_PLURAL = re.compile(r"[a-z]{4,}(?:ors|ers|ists|ants|ents|ees)")
MAX_NUMBER_TAIL = 1  # lowercase words kept after a number ("five soldiers", "300 fighters")


def _capitalised(text: str) -> bool:
    return text[:1].isupper() and any(c.isalpha() for c in text)


def _opens_sentence(doc: Doc, i: int) -> bool:
    if i == 0:
        return True
    before = doc[i - 1]
    return before.text in OPENERS or before.is_space or "\n" in before.text


def _stem(word: str) -> str:
    """``word`` less its longest inflection or derivation suffix, kept to ``MIN_STEM`` letters:
    "investigators", "investigation" and "investigating" all give "investig"."""
    for suffix in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def common_words(docs: Iterable[Doc]) -> set[str]:
    """Words that are no name when they open a sentence, unless the texts also capitalise them
    other than at a sentence's start: stop words, words the texts write in lowercase, words
    whose stem the texts write in lowercase ("Investigators" beside "investigation"), and
    plural nouns of people ("Investigators", "Protesters", "Residents")."""
    lower, capitalised, openers = set(), set(), set()
    for doc in docs:
        for i, token in enumerate(doc):
            if token.is_lower or token.is_stop:
                lower.add(token.lower_)
            elif _capitalised(token.text):
                (openers if _opens_sentence(doc, i) else capitalised).add(token.lower_)
    lower_stems = {_stem(word) for word in lower}
    common = lower | {
        word for word in openers if _stem(word) in lower_stems or PEOPLE_PLURAL.fullmatch(word)
    }
    return common - capitalised


def _capitalised_runs(doc: Doc, common: set[str]) -> list[str]:
    runs: list[str] = []
    i = 0
    while i < len(doc):
        if not _capitalised(doc[i].text):
            i += 1
            continue
        start, end = i, i + 1
        while end < len(doc):
            if _capitalised(doc[end].text):
                end += 1
            elif (
                doc[end].lower_ in JOINERS
                and end + 1 < len(doc)
                and _capitalised(doc[end + 1].text)
            ):
                end += 2
            else:
                break
        i = end
        # "The Taliban" at a sentence's start: "the" is a common word, so "The" goes.
        if _opens_sentence(doc, start) and doc[start].lower_ in common:
            start += 1
            while start < end and doc[start].lower_ in JOINERS:
                start += 1
        if start < end and not (end - start == 1 and doc[start].lower_ in CALENDAR):
            runs.append(doc[start:end].text)
    return runs


def _number_phrases(doc: Doc) -> list[str]:
    phrases = []
    for i, token in enumerate(doc):
        if not is_number(token, NUMBER_WORD_SET):
            continue
        end = i + 1
        while (
            end < len(doc)
            and end - i <= MAX_NUMBER_TAIL
            and doc[end].is_lower
            and doc[end].is_alpha
            and not doc[end].is_stop  # "five of them" is no count of anything
        ):
            end += 1
        if end > i + 1:  # "in 2016," is a date, not a count of anything
            phrases.append(doc[i:end].text)
    return phrases


def candidate_names(
    texts: Sequence[str], *, nlp: Language | None = None, lang: str = "en"
) -> list[set[str]]:
    """Per text, the normalised texts of its name candidates (see the module's docstring)."""
    make = nlp.make_doc if nlp is not None else blank(lang).make_doc
    docs = [make(t) for t in texts]
    common = common_words(docs)
    out = [
        {normalise_name(c) for c in (*_capitalised_runs(d, common), *_number_phrases(d))}
        for d in docs
    ]
    if nlp is not None and "ner" in nlp.pipe_names:
        for names, doc in zip(out, nlp.pipe(texts), strict=True):
            names.update(normalise_name(e.text) for e in doc.ents)
    for names in out:
        names.discard("")
    return out


def unseen_candidates(
    texts: Sequence[str],
    known: set[str],
    batch: Sequence[bool],
    *,
    nlp: Language | None = None,
    lang: str = "en",
) -> tuple[int, int]:
    """How many different name candidates of ``texts`` the labelled data has not named: in all
    of them, and in those outside ``batch`` (True for a text about to be labelled) that the
    batch does not hold either, i.e. what is left once the batch is labelled."""
    names = candidate_names(texts, nlp=nlp, lang=lang)
    unseen = set().union(*names) - known
    taken = set().union(*(n for n, b in zip(names, batch, strict=True) if b))
    rest = set().union(*(n for n, b in zip(names, batch, strict=True) if not b))
    return len(unseen), len(rest - known - taken)


def labelled_names(gold_path: Path) -> set[str]:
    """The normalised gold names of a workspace's labelled data (``gold.jsonl``, written by
    ``nerwb labels merge``); none before the first merge."""
    if not gold_path.exists():
        return set()
    return {
        normalise_name(a.text[s.start : s.end])
        for a in load_annotated(gold_path).values()
        for s in a.spans
    }
