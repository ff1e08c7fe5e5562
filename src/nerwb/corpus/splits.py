"""Train/dev/test split by article, with near-duplicate groups kept together and the test set frozen.

``corpus/splits.json`` records every article's split. Once an article has a split it keeps it:
splitting again only places articles that have none. Moving a test article needs
``reset_test=True`` (the CLI asks for confirmation first), so a published held-out set cannot
drift.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nerwb.choices import SPLIT_NAMES
from nerwb.corpus.dedup import near_duplicate_groups
from nerwb.corpus.store import load_articles
from nerwb.errors import ErrorKind, SplitError, bad_setting
from nerwb.lock import writes_workspace
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.articles import Article
from nerwb.records.splits import SplitsFile
from nerwb.workspace import SplitRatios, Workspace


@dataclass
class Splits:
    assignments: dict[str, str] = field(default_factory=dict)
    seed: int = 0
    ratios: dict[str, float] = field(default_factory=dict)
    created: str = ""
    updated: str = ""

    def ids(self, split: str) -> set[str]:
        return {a for a, s in self.assignments.items() if s == split}

    def counts(self) -> dict[str, int]:
        return {name: len(self.ids(name)) for name in SPLIT_NAMES}


NEAR_DUPLICATE_STAGE = "Indexing articles for near-duplicates"


def load_splits(path: Path) -> Splits | None:
    """The stored splits, or ``None`` if the corpus was never split.

    Raises:
        InputError: not a splits file (corrupt, foreign, or of a newer nerwb).
        SplitError: an article has a split nerwb does not know.
    """
    if not path.exists():
        return None
    record = SplitsFile.load(path)
    bad = record.unknown_split()
    if bad:
        raise SplitError(f"{path}: article {bad[0]!r} has unknown split {bad[1]!r}")
    return Splits(
        assignments=dict(record.assignments),
        seed=record.seed,
        ratios=record.ratios,
        created=record.created,
        updated=record.updated,
    )


def save_splits(path: Path, splits: Splits) -> None:
    SplitsFile(
        seed=splits.seed,
        ratios=splits.ratios,
        created=splits.created,
        updated=splits.updated,
        assignments=dict(sorted(splits.assignments.items())),
    ).save(path)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SplitReport:
    splits: Splits
    newly_assigned: dict[str, int]
    groups: list[list[str]]


def assign_splits(
    articles: list[Article],
    previous: Splits | None,
    *,
    ratios: SplitRatios,
    seed: int,
    near_duplicate_threshold: float,
    reset_test: bool = False,
    on_progress: OnProgress | None = None,
) -> SplitReport:
    """Give every article without a split one; articles with a split keep it.

    Near-duplicate groups are placed as a unit; a new article near-duplicating an already
    placed one joins that one's split (so wire copies never straddle train and test). New
    groups are shuffled with ``seed`` and each goes to the split furthest below its target
    share of the whole corpus.
    """
    now = _now()
    kept = dict(previous.assignments) if previous else {}
    if reset_test:
        kept = {}  # every article is placed afresh
    known = {a.id for a in articles}
    kept = {a: s for a, s in kept.items() if a in known}
    done = [0]

    def tick() -> None:
        done[0] += 1
        emit(
            on_progress,
            ProgressEvent(NEAR_DUPLICATE_STAGE, done[0], len(articles), "article"),
        )

    groups = near_duplicate_groups(
        ((a.id, a.text) for a in articles), near_duplicate_threshold, on_progress=lambda _: tick()
    )
    group_of = {member: tuple(g) for g in groups for member in g}

    units: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for article in articles:
        unit = group_of.get(article.id, (article.id,))
        if unit[0] in seen:
            continue
        seen.add(unit[0])
        placed = {kept[m] for m in unit if m in kept}
        if placed:
            # A group touching the test split stays in test; otherwise the first placement wins.
            split = "test" if "test" in placed else sorted(placed)[0]
            for member in unit:
                kept.setdefault(member, split)
            continue
        units.append(unit)

    rng = random.Random(seed)
    rng.shuffle(units)
    target = {"train": ratios.train, "dev": ratios.dev, "test": ratios.test}
    counts = {name: sum(1 for s in kept.values() if s == name) for name in SPLIT_NAMES}
    newly = dict.fromkeys(SPLIT_NAMES, 0)
    total = len(kept) + sum(len(u) for u in units)
    for unit in units:
        placed_total = sum(counts.values()) + len(unit)
        # Deficit after placing: how far each split would be below its share.
        split = max(
            SPLIT_NAMES,
            key=lambda s: (
                (target[s] * placed_total - counts[s], target[s]) if target[s] > 0 else (-total, 0)
            ),
        )
        for member in unit:
            kept[member] = split
        counts[split] += len(unit)
        newly[split] += len(unit)

    created = previous.created if previous and not reset_test else now
    splits = Splits(kept, seed, target, created or now, now)
    return SplitReport(splits, newly, groups)


def pin_split(
    splits: Splits | None, article_ids: list[str], split: str, *, keep_existing: bool = False
) -> tuple[Splits, list[str]]:
    """Put ``article_ids`` in ``split`` (for imported, already split data such as a published test set).

    Args:
        keep_existing: Leave articles that already have another split where they are (returned),
            instead of refusing. Used for train/dev imports whose sentences repeat elsewhere.

    Returns:
        The splits and the ids left in another split.

    Raises:
        SplitError: an article is already in another split and ``keep_existing`` is off, or it is
            already in the test split (frozen) or pinned to test while elsewhere (a leak).
    """
    if split not in SPLIT_NAMES:
        raise SplitError(f"unknown split {split!r}; choose one of {', '.join(SPLIT_NAMES)}")
    now = _now()
    splits = splits or Splits(created=now)
    kept = []
    for article_id in article_ids:
        current = splits.assignments.get(article_id)
        if current is not None and current != split:
            if keep_existing and "test" not in (current, split):
                kept.append(article_id)
                continue
            raise SplitError(
                f"article {article_id!r} is already in the {current} split; "
                f"it cannot be pinned to {split}"
            )
    for article_id in article_ids:
        if article_id not in kept:
            splits.assignments[article_id] = split
    splits.updated = now
    return splits, kept


def pin_held_out(splits: Splits | None, article_ids: list[str]) -> tuple[Splits, list[str]]:
    """Put ``article_ids`` in the test split, moving those now in train or dev.

    A held-out set the user declares (a published test set) wins over where its documents were
    placed before: training on a test document would inflate every score measured on it.

    Returns:
        The splits and the ids moved from train or dev to test, in the order given.
    """
    now = _now()
    splits = splits or Splits(created=now)
    moved = []
    for article_id in article_ids:
        current = splits.assignments.get(article_id)
        if current is not None and current != "test" and article_id not in moved:
            moved.append(article_id)
        splits.assignments[article_id] = "test"
    splits.updated = now
    return splits, moved


@dataclass(frozen=True)
class SplitOptions:
    """What ``corpus split`` is asked beyond the workspace's own settings (nerwb.toml's
    ``[corpus]`` ratios, seed and near-duplicate threshold, checked when the workspace loads):
    whether to re-split the frozen test set too (``reset_test``). Checked once, when made,
    before the corpus is read or the lock taken.

    Raises:
        SplitError: ``reset_test`` is not a yes or no (kind ``BAD_SETTING``).
    """

    reset_test: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.reset_test, bool):  # "no" would be truthy: refuse, not guess
            raise bad_setting(
                SplitError, "reset_test", f"must be true or false, not {self.reset_test!r}"
            )


@writes_workspace("corpus split")
def split_workspace(
    ws: Workspace,
    options: SplitOptions = SplitOptions(),
    *,
    on_progress: OnProgress | None = None,
) -> SplitReport:
    """Split the workspace's articles with its settings and save ``corpus/splits.json``.

    ``options``: what else it is asked (``SplitOptions``); ``on_progress`` hears of each
    article indexed for near-duplicates.

    Raises:
        SplitError: the corpus has no articles yet.
    """
    articles = load_articles(ws.articles_path)
    if not articles:
        raise SplitError(
            f"{ws.articles_path}: no articles yet",
            kind=ErrorKind.NO_ARTICLES,
            path=ws.articles_path,
        )
    settings = ws.config.corpus
    report = assign_splits(
        articles,
        load_splits(ws.splits_path),
        ratios=settings.split,
        seed=settings.seed,
        near_duplicate_threshold=settings.near_duplicate_threshold,
        reset_test=options.reset_test,
        on_progress=on_progress,
    )
    save_splits(ws.splits_path, report.splits)
    return report
