"""What kind of unseen names a model still misses (issue 32's error analysis).

Reads the fold models that ``bench/crossval.py`` trained (bench/.cache/crossval-...), predicts each
held-out fold again, and sorts every gold entity whose name the fold's training part never marked
(an *unseen* name, as ``nerwb.evaluate.novelty`` defines it) and the model did not find exactly
into one kind, the first that applies:

  wrong label       the exact span was predicted with another label;
  boundary          a prediction overlaps it, with other boundaries (any label);
  number phrase     it holds a digit or a number word ("12 soldiers", "dozens of civilians");
  acronym           an acronym ("CJNG", "NLFT");
  plural/collective one capitalised word ending in s ("Maoists", "Houthis", "Zetas");
  foreign-language  a non-ASCII letter, or a function word of Spanish, French, Portuguese or
                    Arabic transliteration ("Cartel de Jalisco", "Jaish-e-Mohammed", "La Union");
  other, one word / other, several words.

Run: .venv/bin/python bench/unseen_misses.py --config transfer-sm [--cache DIR]
Results: bench/results/unseen-misses-<config>.json (counts per kind and label, examples).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from _util import add_results_option, save
from crossval import CACHE
from nerwb.components.acronyms import is_acronym
from nerwb.labels.gold_names import gold_names, normalise_name

FOREIGN_WORDS = {
    # Spanish, Portuguese, French
    "de", "del", "la", "las", "los", "el", "y", "da", "do", "dos", "das", "le", "les", "du",
    "des", "et", "nueva", "nuevo", "cartel", "frente", "fuerzas", "ejército", "ejercito",
    # Arabic, Urdu and Persian transliteration
    "al", "ul", "e", "i", "bin", "ibn", "abu", "jaish", "lashkar", "harakat", "tehreek", "tehrik",
    "jamaat", "jama'at", "kataib", "kata'ib", "hizb", "ansar", "ansar-ul", "sipah", "hezb",
}  # fmt: skip
NUMBER_WORDS = {"dozen", "dozens", "hundreds", "thousands", "scores", "tens", "millions"}
KINDS = (
    "wrong label",
    "boundary",
    "number phrase",
    "acronym",
    "plural/collective",
    "foreign-language",
    "other, one word",
    "other, several words",
)


def kind_of(span, predicted: list[tuple[int, int, str]]) -> str:
    """The first kind in KINDS that fits the missed gold entity ``span`` (a spaCy Span)."""
    start, end = span.start_char, span.end_char
    if any(s == start and e == end for s, e, _ in predicted):
        return "wrong label"
    if any(s < end and start < e for s, e, _ in predicted):
        return "boundary"
    words = [t.text for t in span]
    if any(t.like_num for t in span) or any(w.lower() in NUMBER_WORDS for w in words):
        return "number phrase"
    if len(words) == 1 and is_acronym(words[0], 2, 8):
        return "acronym"
    if len(words) == 1 and words[0][:1].isupper() and words[0].endswith("s"):
        return "plural/collective"
    parts = {p for w in words for p in w.lower().replace("-", " ").split()}
    if any(not c.isascii() for c in span.text if c.isalpha()) or parts & FOREIGN_WORDS:
        return "foreign-language"
    return "other, one word" if len(words) == 1 else "other, several words"


def analyse(config: str, cache: Path, folds: int) -> dict:
    import spacy
    from spacy.tokens import DocBin

    counts: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, Counter] = defaultdict(Counter)
    unseen_total: Counter = Counter()
    for k in range(folds):
        model = cache / f"{config}-{k}" / "model-best"
        if not model.is_dir():
            sys.exit(f"{model} is missing: run bench/crossval.py --configs {config} first")
        nlp = spacy.load(model)
        train = list(DocBin().from_disk(cache / f"fold{k}-train.spacy").get_docs(nlp.vocab))
        held = list(DocBin().from_disk(cache / f"fold{k}-held.spacy").get_docs(nlp.vocab))
        seen = gold_names(train)
        for gold, doc in zip(held, nlp.pipe(d.text for d in held), strict=True):
            predicted = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            found = set(predicted)
            for ent in gold.ents:
                if normalise_name(ent.text) in seen:
                    continue
                unseen_total[ent.label_] += 1
                if (ent.start_char, ent.end_char, ent.label_) in found:
                    continue
                kind = kind_of(ent, predicted)
                counts[kind][ent.label_] += 1
                examples[kind][ent.text] += 1
        print(f"fold {k}: done", flush=True)
    missed = sum(sum(c.values()) for c in counts.values())
    return {
        "config": config,
        "folds": folds,
        "unseen_gold": dict(unseen_total),
        "unseen_missed": missed,
        "kinds": {
            kind: {
                "missed": sum(counts[kind].values()),
                "share_of_missed": round(sum(counts[kind].values()) / missed, 3)
                if missed
                else None,
                "per_label": dict(counts[kind]),
                "examples": [t for t, _ in examples[kind].most_common(12)],
            }
            for kind in KINDS
        },
    }


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="a crossval config whose folds are trained")
    parser.add_argument("--cache", default="", help="default: bench/.cache/crossval-conflict3-s0-0")
    parser.add_argument("--folds", type=int, default=5)
    add_results_option(parser)
    args = parser.parse_args(argv)
    cache = Path(args.cache) if args.cache else CACHE / "crossval-conflict3-s0-0"
    result = analyse(args.config, cache, args.folds)
    for kind, row in result["kinds"].items():
        print(f"{kind:22} {row['missed']:4}  {row['per_label']}  e.g. {row['examples'][:5]}")
    return save(f"unseen-misses-{args.config}", result, args.results)


if __name__ == "__main__":
    main()
