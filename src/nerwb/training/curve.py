"""Learning curve: dev F on growing shares of the training articles, per label, and an estimate
of how many more labelled articles each label needs to reach a target F.

The fit is F = a + b·ln(n) over the mean F at each training size n (articles). It is a simple,
stated model: learning curves flatten, and a log fit over a small range is honest about little
more than the trend, so estimates past 10× the current data are reported as such.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import DocBin

from nerwb.errors import ErrorKind, TrainingError
from nerwb.evaluate.dev import dev_evaluation
from nerwb.evaluate.novelty import Novelty, NoveltyScore, NoveltySplit, novelty_split
from nerwb.io import atomic_write_json
from nerwb.labels.gold_names import gold_names
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.text import blank
from nerwb.training.options import CurveOptions, TrainOptions
from nerwb.training.run import train
from nerwb.workspace import Workspace

MIN_SLOPE = 0.01  # F gained per doubling of data below which the curve is "too flat to tell"
MAX_EXTRAPOLATION = 10.0  # times the current data


@dataclass
class CurvePoint:
    fraction: float
    articles: int
    overall: list[float] = field(default_factory=list)  # one dev F per seed
    per_label: dict[str, list[float]] = field(default_factory=dict)
    # one per seed: dev recall/precision on names seen / unseen in that run's training sample
    names: list[NoveltySplit] = field(default_factory=list)

    def names_summary(self, which: Novelty, label: str | None = None) -> dict[str, Any]:
        """Mean gold count, and recall and precision over seeds (None where undefined in every
        seed) of one group, pooled or for one label."""

        def pick(split: NoveltySplit) -> NoveltyScore | None:
            group = split.group(which)
            return group.pooled if label is None else group.per_label.get(label)

        scores = [s for s in map(pick, self.names) if s is not None]
        recalls = [s.recall for s in scores if s.recall is not None]
        precisions = [s.precision for s in scores if s.precision is not None]
        return {
            "gold": statistics.fmean(s.gold for s in scores) if scores else 0.0,
            "recall": _summary(recalls) if recalls else None,
            "precision": _summary(precisions) if precisions else None,
        }


@dataclass
class LabelEstimate:
    label: str
    current_f: float
    slope_per_doubling: float
    articles_needed: int | None  # more articles to reach the target; None when not estimable
    note: str


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "stdev": statistics.pstdev(values),
        "min": min(values),
        "max": max(values),
    }


@dataclass
class CurveReport:
    points: list[CurvePoint]
    estimates: list[LabelEstimate]
    target: float
    train_articles: int

    def labels(self) -> list[str]:
        return sorted({label for p in self.points for label in p.per_label})

    def to_json(self) -> dict[str, Any]:
        summary = _summary
        labels = self.labels()
        return {
            "target": self.target,
            "train_articles": self.train_articles,
            "points": [
                {
                    "fraction": p.fraction,
                    "articles": p.articles,
                    "overall": summary(p.overall),
                    "per_label": {k: summary(v) for k, v in sorted(p.per_label.items())},
                    "seen_unseen": {
                        str(which): {
                            "pooled": p.names_summary(which),
                            "per_label": {k: p.names_summary(which, k) for k in labels},
                        }
                        for which in Novelty
                    },
                }
                for p in self.points
            ],
            "estimates": [e.__dict__ for e in self.estimates],
        }


def fit_log(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares of y = a + b·ln(x)."""
    lx = [math.log(x) for x in xs]
    mx, my = statistics.fmean(lx), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in lx)
    b = sum((x - mx) * (y - my) for x, y in zip(lx, ys, strict=True)) / sxx if sxx else 0.0
    return my - b * mx, b


def estimate(label: str, sizes: list[int], means: list[float], target: float) -> LabelEstimate:
    current = means[-1]
    if len(set(sizes)) < 2:
        return LabelEstimate(label, current, 0.0, None, "needs at least two training sizes")
    a, b = fit_log([float(s) for s in sizes], means)
    per_doubling = b * math.log(2)
    if current >= target:
        return LabelEstimate(label, current, per_doubling, 0, f"already at or above {target:.2f}")
    if per_doubling < MIN_SLOPE:
        return LabelEstimate(label, current, per_doubling, None, "curve too flat to tell")
    needed = math.exp((target - a) / b)
    if needed > MAX_EXTRAPOLATION * sizes[-1]:
        return LabelEstimate(
            label, current, per_doubling, None, f"beyond {MAX_EXTRAPOLATION:.0f}× the current data"
        )
    return LabelEstimate(
        label, current, per_doubling, max(0, math.ceil(round(needed - sizes[-1], 6))), "log fit"
    )


def train_curve(
    ws: Workspace, options: CurveOptions, *, on_progress: OnProgress | None = None
) -> CurveReport:
    """Train on each fraction of the training articles with each seed; score on the same dev set,
    overall and on dev names seen / unseen in that run's training sample.

    Raises:
        TrainingError: missing or empty training data; or what ``train`` raises. (The shares,
            seeds and target were checked when the options were made.)
    """
    train_path = options.train_data or ws.docbin_path("train")
    dev_path = options.dev_data or ws.docbin_path("dev")
    fractions, seeds, target = options.fractions, options.seeds, options.target
    vocab = blank(ws.language).vocab
    docs = list(DocBin().from_disk(train_path).get_docs(vocab)) if train_path.is_file() else []
    if not docs:
        raise TrainingError(
            f"training data {train_path} is missing or empty",
            kind=ErrorKind.NO_DOCBIN,
            path=train_path,
        )
    points = []
    with tempfile.TemporaryDirectory(prefix="nerwb-curve-") as tmp:
        for fraction in sorted(fractions):
            n = max(1, round(len(docs) * fraction))
            point = CurvePoint(fraction, n)
            for seed in range(seeds):
                sample = random.Random(seed).sample(docs, n)
                subset = Path(tmp) / f"train-{fraction}-{seed}.spacy"
                DocBin(docs=sample, store_user_data=True).to_disk(subset)
                out = Path(tmp) / f"run-{fraction}-{seed}"
                run = TrainOptions(
                    config=options.config or ws.default_config_path,
                    output=out,
                    train_data=subset,
                    dev_data=dev_path,
                    overrides={**options.overrides, "training.seed": seed, "system.seed": seed},
                    base_model=options.base_model,
                )
                result = train(ws, run)
                seen = gold_names(sample)
                scored = dev_evaluation(result.output / "model-best", dev_path, ws.language, seen)
                overall, per_label = scored.f, scored.per_label
                assert scored.novelty is not None  # seen names were given
                dev_labels = sorted({k for c in scored.counts for k in (*c.n_gold, *c.n_pred)})
                point.names.append(
                    novelty_split(
                        scored.novelty,
                        dev_labels,
                        train_data=f"{n} sampled training articles, seed {seed}",
                        train_names=len(seen),
                    )
                )
                point.overall.append(overall)
                for label, f in per_label.items():
                    point.per_label.setdefault(label, []).append(f)
                emit(
                    on_progress,
                    ProgressEvent(
                        "Learning curve",
                        sum(len(q.overall) for q in (*points, point)),
                        len(fractions) * seeds,
                        "run",
                        item=f"{fraction:g} seed {seed}",
                    ),
                )
            points.append(point)
    labels = sorted({label for p in points for label in p.per_label})
    sizes = [p.articles for p in points]
    estimates = [
        estimate(
            label, sizes, [statistics.fmean(p.per_label.get(label, [0.0])) for p in points], target
        )
        for label in labels
    ]
    return CurveReport(points, estimates, target, len(docs))


def write_curve(report: CurveReport, folder: Path) -> tuple[Path, Path]:
    """``curve.json`` and ``curve.png`` in ``folder``; returns their paths.

    Both are made in a staging folder first: a curve that fails to write leaves no folder (or,
    in a folder that existed, no half of it).
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
    )
    try:
        atomic_write_json(staging / "curve.json", report.to_json())
        plot_curve(report, staging / "curve.png")
        if not folder.exists():
            os.replace(staging, folder)
        else:
            for name in ("curve.json", "curve.png"):
                os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / "curve.json", folder / "curve.png"


def plot_curve(report: CurveReport, path: Path) -> None:
    """Per-label and overall dev F against training articles (mean ± spread over seeds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    sizes = [p.articles for p in report.points]
    series = {"overall": [p.overall for p in report.points]}
    for label in sorted({k for p in report.points for k in p.per_label}):
        series[label] = [p.per_label.get(label, [0.0]) for p in report.points]
    for name, values in series.items():
        means = [statistics.fmean(v) for v in values]
        spread = [statistics.pstdev(v) for v in values]
        ax.errorbar(
            sizes,
            means,
            yerr=spread,
            marker="o",
            capsize=3,
            label=name,
            linewidth=2.5 if name == "overall" else 1.5,
        )
    ax.axhline(
        report.target,
        color="grey",
        linestyle="--",
        linewidth=1,
        label=f"target {report.target:.2f}",
    )
    ax.set_xlabel("training articles")
    ax.set_ylabel("dev F")
    ax.set_ylim(0, 1)
    ax.set_title("Learning curve")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
