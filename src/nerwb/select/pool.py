"""The pool to choose from: the workspace's segments that no push has uploaded yet.

The pool is read from the push ledger alone, so ``nerwb select`` needs no server;
``doccano push --select`` ranks what the server lacks with the same strategies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nerwb.choices import SPLIT_NAMES
from nerwb.corpus.model import Segment
from nerwb.corpus.segments import segment_article
from nerwb.corpus.splits import load_splits
from nerwb.corpus.store import load_articles
from nerwb.errors import ErrorKind, NerwbError
from nerwb.io import atomic_write_jsonl
from nerwb.labels.annotations import labelled_names
from nerwb.records.candidates import NameCandidatesFile
from nerwb.records.doccano import PushLedger
from nerwb.select.strategies import Ranked, Selection, rank_segments
from nerwb.workspace import Workspace, utc_stamp


@dataclass
class SelectReport:
    ranked: list[Ranked]
    pool: int  # unpushed segments the strategy chose from
    asked_for: int
    path: Path  # the ranked list, JSONL
    # different name candidates the labelled data has not named, in the whole unpushed pool and
    # in the rest once the ranked batch is labelled (without a model's entities, so the count
    # is the same with or without --model)
    unseen_in_pool: int = 0
    unseen_left: int = 0


def check_splits(splits: Iterable[str]) -> None:
    """Raises NerwbError: a split that is not one of ``SPLIT_NAMES`` (kind ``BAD_SETTING``)."""
    bad = [s for s in splits if s not in SPLIT_NAMES]
    if bad:
        raise NerwbError(
            f"unknown split {bad[0]!r}; choose from {', '.join(SPLIT_NAMES)}",
            kind=ErrorKind.BAD_SETTING,
            setting="split",
        )


@dataclass(frozen=True)
class SelectOptions:
    """What ``nerwb select`` is asked: the ranking (``selection``: strategy, how many, the
    model, the seed; itself checked when made), the splits whose unpushed segments it ranks
    (``splits``) and where the ranked list goes (``output``; None: a new file in the
    workspace's selections folder). Checked once, when made, before anything is read.

    Raises:
        NerwbError: an unknown split (kind ``BAD_SETTING``).
    """

    selection: Selection
    splits: tuple[str, ...] = ("train",)
    output: Path | None = None

    def __post_init__(self) -> None:
        # a list is welcome; kept as a tuple so the options stay one immutable value
        object.__setattr__(self, "splits", tuple(self.splits))
        check_splits(self.splits)


def selected_segments(ws: Workspace, splits: list[str]) -> list[tuple[Segment, str, str | None]]:
    """``(segment, split, title)`` for every segment of the articles in ``splits``.

    Raises:
        NerwbError: an unknown split, or a corpus not split yet.
    """
    check_splits(splits)
    assignment = load_splits(ws.splits_path)
    if assignment is None:
        raise NerwbError(
            f"{ws.splits_path}: the corpus is not split yet",
            kind=ErrorKind.NO_SPLITS,
            path=ws.splits_path,
        )
    out = []
    for article in load_articles(ws.articles_path):
        split = assignment.assignments.get(article.id)
        if split in splits:
            for segment in segment_article(
                article.id, article.text, ws.config.corpus.segment_length
            ):
                out.append((segment, split, article.title))
    return out


def unpushed_segments(ws: Workspace, splits: list[str]) -> list[Segment]:
    """The segments of ``splits`` that no push has uploaded yet (by this workspace's ledger)."""
    pushed = PushLedger(ws.push_ledger_path).pushed()
    return [s for s, _, _ in selected_segments(ws, splits) if s.id not in pushed]


def pool_candidates(ws: Workspace, pool: list[Segment]) -> list[set[str]]:
    """The name candidates of each segment of ``pool`` (no model's), also kept in
    ``.nerwb/name-candidates.json`` for ``nerwb status``."""
    from nerwb.select.candidates import candidate_names  # spaCy

    names = candidate_names([s.text for s in pool], lang=ws.language)
    NameCandidatesFile(
        lang=ws.language,
        segment_length=ws.config.corpus.segment_length,
        counted_at=datetime.now(UTC).isoformat(timespec="seconds"),
        segments={s.id: sorted(n) for s, n in zip(pool, names, strict=True)},
    ).save(ws.name_candidates_path)
    return names


def unseen_in_unpushed(ws: Workspace, splits: list[str]) -> tuple[int, int]:
    """``(unseen name candidates, segments)`` of the unpushed pool: what a ``novel`` batch can
    still find (``train-curve`` prints it)."""
    from nerwb.select.candidates import count_unseen  # spaCy

    pool = unpushed_segments(ws, splits)
    names = pool_candidates(ws, pool)
    count, _ = count_unseen(names, labelled_names(ws.gold_path), [False] * len(pool))
    return count, len(pool)


def select_unpushed(ws: Workspace, options: SelectOptions) -> SelectReport:
    """``nerwb select``: rank the segments of ``options.splits`` that no push has uploaded yet
    (by this workspace's push ledger; no server needed) and write the ranked list."""
    from nerwb.select.candidates import count_unseen  # spaCy

    selection, output = options.selection, options.output
    pool = unpushed_segments(ws, list(options.splits))
    known = labelled_names(ws.gold_path)
    ranked = rank_segments(
        pool,
        selection.strategy,
        n=selection.n,
        nlp=selection.nlp,
        seed=selection.seed,
        near_duplicate_threshold=ws.config.corpus.near_duplicate_threshold,
        known_names=known,
        lang=ws.language,
    )
    chosen = {r.segment_id for r in ranked}
    unseen = count_unseen(pool_candidates(ws, pool), known, [s.id in chosen for s in pool])
    stamp = utc_stamp()
    path = output or ws.selections_dir / f"{selection.strategy}-{stamp}.jsonl"
    atomic_write_jsonl(
        path,
        (
            {**r.to_json(), "strategy": str(selection.strategy), "model": selection.model}
            for r in ranked
        ),
    )
    return SelectReport(ranked, len(pool), selection.n, path, *unseen)
