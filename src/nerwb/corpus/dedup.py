"""Near-duplicate detection: wire copies and light rewrites of the same article.

Articles are compared by the Jaccard similarity of their word 5-gram sets. To avoid comparing
every pair, each article is indexed by a deterministic sample of its shingles (those whose hash
falls in one residue class, plus its smallest few): two near-duplicates share many shingles and
so, with high probability, at least one sampled one.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from nerwb.progress import OnProgress, ProgressEvent, emit

SHINGLE_WORDS = 5
SAMPLE_MODULUS = 4  # keep about a quarter of the shingles in the index
MIN_SAMPLED = 4  # short texts still get a few index keys

_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        grams = [" ".join(words)] if words else []
    else:
        grams = [
            " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
        ]
    return {
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams
    }


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


INDEXING_STAGE = "Indexing texts for near-duplicates"


def near_duplicate_groups(
    texts: Iterable[tuple[str, str]],
    threshold: float,
    *,
    on_progress: OnProgress | None = None,
) -> list[list[str]]:
    """Groups (of two or more ids) of articles whose texts are near-duplicates.

    Args:
        texts: ``(article_id, text)`` pairs.
        threshold: Jaccard similarity of 5-gram sets at or above which two articles are linked;
            groups are the connected components of that relation.
        on_progress: hears of each text indexed (the costly part), for a progress bar.
    """
    sets: dict[str, set[int]] = {}
    index: dict[int, list[str]] = defaultdict(list)
    for done, (article_id, text) in enumerate(texts, start=1):
        grams = shingles(text)
        sets[article_id] = grams
        sampled = {g for g in grams if g % SAMPLE_MODULUS == 0} | set(sorted(grams)[:MIN_SAMPLED])
        for g in sampled:
            index[g].append(article_id)
        emit(on_progress, ProgressEvent(INDEXING_STAGE, done, None, "text"))

    parent = {article_id: article_id for article_id in sets}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    checked: set[tuple[str, str]] = set()
    for ids in index.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pair = (a, b) if a < b else (b, a)
                if pair in checked or find(a) == find(b):
                    continue
                checked.add(pair)
                if jaccard(sets[a], sets[b]) >= threshold:
                    parent[find(a)] = find(b)

    groups: dict[str, list[str]] = defaultdict(list)
    for article_id in sets:
        groups[find(article_id)].append(article_id)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])
