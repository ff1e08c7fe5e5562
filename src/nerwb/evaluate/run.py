"""``nerwb evaluate`` and ``nerwb compare``: score a model on held-out data and write the report."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix
from spacy.language import Language
from spacy.tokens import Doc

from nerwb.errors import ErrorKind, EvaluationError, InputError, PredictError, recast
from nerwb.evaluate.bootstrap import count_matrix, intervals, resample_weights, resampled_f
from nerwb.evaluate.data import load_gold_docs
from nerwb.evaluate.error_analysis import KINDS, NONE, ErrorCase, confusion_pairs, find_errors
from nerwb.evaluate.held_out import articles_in_training
from nerwb.evaluate.metrics import (
    BootstrapFacts,
    ComparisonRow,
    ConversionSummary,
    EvalMetrics,
    LabelMetrics,
    RecallComparisonRow,
    TrainingFacts,
)
from nerwb.evaluate.novelty import (
    Novelty,
    NoveltySplit,
    SeenNames,
    group_scores,
    novelty_counts,
    novelty_of,
    novelty_split,
    resampled_recall,
    seen_names_of,
)
from nerwb.evaluate.options import (
    CompareOptions,
    EvaluateContext,
    EvaluateOptions,
    check_run,
)
from nerwb.evaluate.report import confusion_png, html_report, markdown, per_label_png
from nerwb.evaluate.scoring import DocCounts, Scores, doc_counts, score
from nerwb.io import atomic_write_jsonl, new_staging_folder, sha256_of
from nerwb.labels.annotations import LabeledSpan, doc_spans
from nerwb.labels.docbin import ConversionReport
from nerwb.labels.gold_names import names_sha256
from nerwb.labels.policies import SpanPolicies
from nerwb.predict.model import load_pipeline, model_name
from nerwb.progress import OnProgress, ProgressEvent, emit
from nerwb.records.lines import write_lines
from nerwb.records.metrics import DocCountsLine, MetricsFile
from nerwb.records.training import TrainingManifest, manifest_path
from nerwb.scores import prf
from nerwb.workspace import utc_stamp

REPORT_FILES = (
    "metrics.json",
    "report.md",
    "report.html",
    "errors.jsonl",
    "confusion.png",
    "per_label.png",
)


@dataclass
class EvalRun:
    folder: Path
    metrics: EvalMetrics
    # "train"/"dev" -> ids of evaluated documents the model's run trained or selected on
    in_training: dict[str, list[str]] = field(default_factory=dict)


def load_model(model: Path) -> Language:
    """The trained pipeline to evaluate (nerwb.predict's loader, errors as EvaluationError)."""
    try:
        return load_pipeline(model)
    except PredictError as err:
        # the same fact under this stage's error type: its kind and fields go with it
        raise recast(err, EvaluationError) from None


def output_folder(base: Path, requested: Path | None, name: str) -> Path:
    """A fresh folder: never one that already holds a report."""
    stamp = utc_stamp()
    folder = requested or base / f"{name}-{stamp}"
    if folder.exists() and any((folder / f).exists() for f in REPORT_FILES):
        folder = folder.with_name(f"{folder.name}-{stamp}")
    suffix = 1
    candidate = folder
    while candidate.exists() and any(candidate.iterdir()):
        candidate = folder.with_name(f"{folder.name}-{suffix}")
        suffix += 1
    return candidate


def training_facts(model: Path) -> TrainingFacts | None:
    """How the model was trained, from the run's ``manifest.json`` beside it (``nerwb train``)."""
    path = manifest_path(Path(model).parent)
    try:
        manifest = TrainingManifest.load(path)
    except (InputError, OSError):  # none, or not one nerwb can read: the report says so
        return None
    return TrainingFacts(
        manifest=str(path),
        config_file=manifest.config_file,
        config_sha256=manifest.config_sha256,
        steps=manifest.steps,
        seed=manifest.seed,
        train_docs=manifest.docs("train"),
        dev_docs=manifest.docs("dev"),
        best_dev_f=manifest.best_dev.ents_f,
        finished=manifest.finished,
    )


def conversion_summary(conversion: ConversionReport, policies: SpanPolicies) -> ConversionSummary:
    """What converting the gold data changed or dropped (nothing for a .spacy file)."""
    totals = conversion.totals().values()
    return ConversionSummary(
        on_misaligned=policies.on_misaligned,
        on_overlap=policies.on_overlap,
        spans_in=sum(c.spans_in for c in totals),
        changed=sum(c.changed for c in totals),
        skipped=sum(c.skipped for c in totals),
        events=[e.to_json() for e in conversion.events],
    )


@dataclass
class Predictions:
    """The model's output on the gold texts, and how fast it came."""

    docs: list[Doc]
    words_per_second: float


def predict_all(nlp: Language, texts: list[str], on_progress: OnProgress | None) -> Predictions:
    start = time.perf_counter()
    predicted = []
    for i, doc in enumerate(nlp.pipe(texts, batch_size=64)):
        predicted.append(doc)
        emit(on_progress, ProgressEvent("Predicting", i + 1, len(texts), "doc"))
    seconds = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)
    return Predictions(predicted, words / seconds if seconds else 0.0)


def with_intervals(
    scores: Scores, per_doc: list[DocCounts], labels: list[str], n_bootstrap: int, seed: int
) -> tuple[dict[str, LabelMetrics], tuple[float, float]]:
    """Each label's scores with the 95 % bootstrap interval of its F, and micro F's interval."""
    weights = resample_weights(len(per_doc), n_bootstrap, seed)
    label_f, micro_f = resampled_f(count_matrix(per_doc, labels), weights)
    label_ci = intervals(label_f)
    micro_ci = intervals(micro_f)
    per_label = {
        label: LabelMetrics.from_scores(
            scores.per_label[label], (float(label_ci[0][j]), float(label_ci[1][j]))
        )
        for j, label in enumerate(labels)
    }
    return per_label, (float(micro_ci[0]), float(micro_ci[1]))


def find_all_errors(
    doc_ids: list[str],
    texts: list[str],
    gold: list[list[LabeledSpan]],
    pred: list[list[LabeledSpan]],
) -> list[ErrorCase]:
    return [
        e
        for i, (g, p) in enumerate(zip(gold, pred, strict=True))
        for e in find_errors(i, doc_ids[i], texts[i], g, p)
    ]


def confusion_table(
    labels: list[str], gold: list[list[LabeledSpan]], pred: list[list[LabeledSpan]]
) -> dict[str, Any]:
    """Gold label by predicted label, with (none) for missed and spurious spans."""
    pairs = [pair for g, p in zip(gold, pred, strict=True) for pair in confusion_pairs(g, p)]
    axis = [*labels, NONE]
    matrix = (
        confusion_matrix([a for a, _ in pairs], [b for _, b in pairs], labels=axis)
        if pairs
        else np.zeros((len(axis), len(axis)), int)
    )
    matrix[-1, -1] = 0  # (none) predicted for (none) is not a thing
    return {"labels": axis, "matrix": matrix.tolist()}


def seen_unseen(
    seen: SeenNames,
    texts: list[str],
    gold: list[list[LabeledSpan]],
    pred: list[list[LabeledSpan]],
    labels: list[str],
    weights: np.ndarray,
) -> tuple[NoveltySplit | None, list[dict[Novelty, DocCounts]] | None]:
    """Recall and precision on seen and unseen names, and each document's counts (None when the
    training names are unknown)."""
    if seen.names is None:
        return None, None
    counts = [
        novelty_counts(t, g, p, seen.names) for t, g, p in zip(texts, gold, pred, strict=True)
    ]
    split = novelty_split(
        counts,
        labels,
        train_data=seen.source,
        train_names=len(seen.names),
        weights=weights,
        train_names_sha256=names_sha256(seen.names),
    )
    return split, counts


def write_report(
    folder: Path,
    metrics: EvalMetrics,
    confusion: dict[str, Any],
    errors: list[ErrorCase],
    per_doc: list[DocCounts],
    rendered: list[tuple[str, Doc, list[LabeledSpan], list[LabeledSpan], list[ErrorCase]]],
    colours: dict[str, str],
    novelty: list[dict[Novelty, DocCounts]] | None = None,
    seen: set[str] | None = None,
) -> None:
    """Write every artefact into a staging folder beside ``folder``, then rename it into place,
    so a failed run leaves no half-written report."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = new_staging_folder(folder.parent, prefix=f".{folder.name}.")
    doc_ids = [doc_id for doc_id, *_ in rendered]
    try:
        MetricsFile.model_validate(metrics.to_json()).save(staging / "metrics.json")
        texts = [doc.text for _, doc, *_ in rendered]

        def record(e: ErrorCase) -> dict[str, Any]:
            span = e.gold or e.pred
            if seen is None or span is None:
                return e.to_record()
            # seen or unseen, by the gold span's text (the predicted one's for a spurious span)
            return {**e.to_record(), "names": str(novelty_of(texts[e.doc_index], span, seen))}

        atomic_write_jsonl(staging / "errors.jsonl", (record(e) for e in errors))
        # with the split: each document's seen and unseen counts too, for `nerwb compare`
        split_keys = novelty or [{}] * len(per_doc)
        write_lines(
            staging / "per_doc.jsonl",
            (
                DocCountsLine.model_validate(
                    {"doc": i, **c.to_json(), **{str(g): n.to_json() for g, n in extra.items()}}
                )
                for i, c, extra in zip(doc_ids, per_doc, split_keys, strict=True)
            ),
        )
        (staging / "report.md").write_text(markdown(metrics, confusion), encoding="utf-8")
        confusion_png(confusion, staging / "confusion.png")
        per_label_png(metrics, staging / "per_label.png")
        images = {
            name: (staging / name).read_bytes() for name in ("per_label.png", "confusion.png")
        }
        (staging / "report.html").write_text(
            html_report(metrics, confusion, rendered, colours, images, seen=seen),
            encoding="utf-8",
        )
        if folder.exists():
            folder.rmdir()  # empty by construction of output_folder
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def evaluate(
    options: EvaluateOptions,
    context: EvaluateContext,
    *,
    on_progress: OnProgress | None = None,
) -> EvalRun:
    """Predict on ``options.data`` with ``options.model``, score, and write the five artefacts
    plus per-document counts (in ``options.output``, else a new folder in
    ``context.evaluate_dir``). ``context`` holds the workspace's facts (language, folder,
    label colours): what the run is asked is all in ``options``.

    Recall on seen and unseen names needs the model's training names: those of ``train_data``,
    else those its run manifest records (``novelty.seen_names_of``); without them the split is
    left out and ``metrics.seen_unseen_note`` says why.

    Raises:
        EvaluationError: a non-spaCy model, a model without ``ner``, empty data, an unreadable
            ``train_data`` (what is missing was refused when the options were made).
    """
    model, data, output = options.model, options.data, options.output
    n_bootstrap, seed, policies = options.bootstrap, options.seed, options.policies
    nlp = load_model(model)
    seen = seen_names_of(model, options.train_data, context.lang)
    gold_docs, conversion = load_gold_docs(data, lang=context.lang, policies=policies)
    model_labels = set(nlp.get_pipe("ner").labels)
    gold_labels = {e.label_ for d in gold_docs for e in d.ents}
    labels = sorted(gold_labels | model_labels)

    texts = [d.text for d in gold_docs]
    predictions = predict_all(nlp, texts, on_progress)
    gold_spans = [doc_spans(d) for d in gold_docs]
    pred_spans = [doc_spans(d) for d in predictions.docs]
    per_doc = [doc_counts(g, p) for g, p in zip(gold_spans, pred_spans, strict=True)]
    scores = score(per_doc, labels, gold_spans, pred_spans)

    per_label, micro_ci = with_intervals(scores, per_doc, labels, n_bootstrap, seed)
    doc_ids = [
        str((d.user_data or {}).get("nerwb_article_id") or f"doc-{i}")
        for i, d in enumerate(gold_docs)
    ]
    errors = find_all_errors(doc_ids, texts, gold_spans, pred_spans)
    weights = resample_weights(len(per_doc), n_bootstrap, seed)  # the same draws as F's intervals
    split, novelty = seen_unseen(seen, texts, gold_spans, pred_spans, labels, weights)
    metrics = EvalMetrics(
        model=str(model),
        data=str(data),
        data_sha256=sha256_of(data),
        n_docs=len(gold_docs),
        n_gold=scores.n_gold,
        n_pred=scores.n_pred,
        micro=scores.micro,
        micro_f_ci95=micro_ci,
        per_label=per_label,
        words_per_second=predictions.words_per_second,
        unseen_labels=sorted(gold_labels - model_labels),
        bootstrap=BootstrapFacts(resamples=n_bootstrap, seed=seed),
        errors_by_kind={k: sum(e.kind == k for e in errors) for k in KINDS},
        conversion=conversion_summary(conversion, policies),
        training=training_facts(model),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seen_unseen=split,
        seen_unseen_note=seen.note,
    )

    by_doc: dict[int, list[ErrorCase]] = {}
    for e in errors:
        by_doc.setdefault(e.doc_index, []).append(e)
    rendered = [
        (doc_ids[i], gold_docs[i], gold_spans[i], pred_spans[i], by_doc.get(i, []))
        for i in range(len(gold_docs))
    ]
    folder = output_folder(context.evaluate_dir, output, model_name(model))
    confusion = confusion_table(labels, gold_spans, pred_spans)
    colours = dict(context.colours)
    write_report(
        folder, metrics, confusion, errors, per_doc, rendered, colours, novelty, seen.names
    )
    return EvalRun(folder, metrics, articles_in_training(model, doc_ids))


@dataclass
class Comparison:
    a: str
    b: str
    rows: dict[str, ComparisonRow]  # "micro", then each label
    resamples: int
    # recall on seen and unseen names: group -> "all", then each label; None when either run
    # has no split (the note says why)
    seen_unseen: dict[str, dict[str, RecallComparisonRow]] | None = None
    seen_unseen_note: str | None = None
    # why every difference is 0: A and B are one folder, or score alike on every document
    same_note: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "a": self.a,
            "b": self.b,
            "resamples": self.resamples,
            "rows": {k: v.to_json() for k, v in self.rows.items()},
        }
        if self.same_note is not None:
            data["same_note"] = self.same_note
        if self.seen_unseen is not None:
            data["seen_unseen"] = {
                group: {k: v.to_json() for k, v in rows.items()}
                for group, rows in self.seen_unseen.items()
            }
        if self.seen_unseen_note is not None:
            data["seen_unseen_note"] = self.seen_unseen_note
        return data


def load_run(folder: Path) -> tuple[EvalMetrics, list[DocCounts]]:
    """The metrics and per-document counts of an evaluation folder.

    Raises:
        EvaluationError: the folder has no metrics.json or per_doc.jsonl.
    """
    check_run(folder)  # CompareOptions checked it when made; a direct caller is checked here
    metrics_path, per_doc_path = folder / "metrics.json", folder / "per_doc.jsonl"
    record = MetricsFile.load(metrics_path)
    metrics = EvalMetrics.from_json({k: v for k, v in record.to_json().items() if k != "format"})
    docs = [DocCounts.from_json(line.to_json()) for _, line in DocCountsLine.read(per_doc_path)]
    return metrics, docs


def load_novelty(folder: Path) -> list[dict[Novelty, DocCounts]] | None:
    """Each document's seen/unseen counts from an evaluation folder's per_doc.jsonl; None when
    the run has no split (made without the training names, or before the split existed)."""
    out = []
    for _, line in DocCountsLine.read(folder / "per_doc.jsonl"):
        if line.seen is None or line.unseen is None:
            return None
        groups = {Novelty.SEEN: line.seen, Novelty.UNSEEN: line.unseen}
        out.append({g: DocCounts.from_json(groups[g].model_dump()) for g in Novelty})
    return out


def compare_seen_unseen(
    novelty_a: list[dict[Novelty, DocCounts]],
    novelty_b: list[dict[Novelty, DocCounts]],
    labels: list[str],
    weights: np.ndarray,
) -> dict[str, dict[str, RecallComparisonRow]]:
    """Per group (seen, unseen): pooled and per-label recall of A and B on the same resampled
    documents."""
    out: dict[str, dict[str, RecallComparisonRow]] = {}
    for group in Novelty:
        docs_a = [d[group] for d in novelty_a]
        docs_b = [d[group] for d in novelty_b]
        scores_a, scores_b = group_scores(docs_a, labels), group_scores(docs_b, labels)
        label_a, pooled_a = resampled_recall(docs_a, labels, weights)
        label_b, pooled_b = resampled_recall(docs_b, labels, weights)
        samples = {"all": (pooled_a, pooled_b)}
        samples.update({label: (label_a[:, j], label_b[:, j]) for j, label in enumerate(labels)})
        rows = {}
        for key, (sample_a, sample_b) in samples.items():
            a = scores_a.pooled if key == "all" else scores_a.per_label[key]
            b = scores_b.pooled if key == "all" else scores_b.per_label[key]
            diff = sample_a - sample_b
            diff = diff[~np.isnan(diff)]
            ci = None
            if a.recall is not None and b.recall is not None and len(diff):
                lo, hi = intervals(diff)
                ci = (float(lo), float(hi))
            rows[key] = RecallComparisonRow(
                gold_a=a.gold,
                gold_b=b.gold,
                recall_a=a.recall,
                recall_b=b.recall,
                diff=None if ci is None else a.recall - b.recall,  # type: ignore[operator]
                ci95=ci,
                p_a_beats_b=None if ci is None else float(np.mean(diff > 0)),
                precision_a=a.precision,
                precision_b=b.precision,
            )
        out[str(group)] = rows
    return out


def compare(options: CompareOptions) -> Comparison:
    """Paired bootstrap: both runs scored on the same resampled documents.

    Raises:
        EvaluationError: the runs were made on different data (their data hashes differ; the
            rest was checked when the options were made).
    """
    run_a, run_b = options.run_a, options.run_b
    n_bootstrap, seed = options.bootstrap, options.seed
    metrics_a, docs_a = load_run(run_a)
    metrics_b, docs_b = load_run(run_b)
    if metrics_a.data_sha256 != metrics_b.data_sha256 or len(docs_a) != len(docs_b):
        raise EvaluationError(
            f"the runs were made on different data ({metrics_a.data} sha256 {metrics_a.data_sha256[:12]} vs "
            f"{metrics_b.data} sha256 {metrics_b.data_sha256[:12]}); a paired comparison needs the same documents",
            kind=ErrorKind.DIFFERENT_DATA,
        )
    labels = sorted(set(metrics_a.per_label) | set(metrics_b.per_label))
    weights = resample_weights(len(docs_a), n_bootstrap, seed)
    fa_label, fa_micro = resampled_f(count_matrix(docs_a, labels), weights)
    fb_label, fb_micro = resampled_f(count_matrix(docs_b, labels), weights)

    def row(
        point_a: float, point_b: float, sample_a: np.ndarray, sample_b: np.ndarray
    ) -> ComparisonRow:
        diff = sample_a - sample_b
        lo, hi = intervals(diff)
        return ComparisonRow(
            f_a=point_a,
            f_b=point_b,
            diff=point_a - point_b,
            ci95=(float(lo), float(hi)),
            p_a_beats_b=float(np.mean(diff > 0)),
        )

    def point(docs: list[DocCounts], label: str | None) -> float:
        if label is None:
            return prf(
                sum(sum(d.tp.values()) for d in docs),
                sum(sum(d.n_pred.values()) for d in docs),
                sum(sum(d.n_gold.values()) for d in docs),
            ).f
        return prf(
            sum(d.tp.get(label, 0) for d in docs),
            sum(d.n_pred.get(label, 0) for d in docs),
            sum(d.n_gold.get(label, 0) for d in docs),
        ).f

    rows = {"micro": row(point(docs_a, None), point(docs_b, None), fa_micro, fb_micro)}
    for j, label in enumerate(labels):
        rows[label] = row(
            point(docs_a, label), point(docs_b, label), fa_label[:, j], fb_label[:, j]
        )
    comparison = Comparison(str(run_a), str(run_b), rows, n_bootstrap)
    if run_a.resolve() == run_b.resolve():
        comparison.same_note = (
            f"A and B are the same evaluation folder ({run_a}): every difference is 0"
        )
    elif docs_a == docs_b:
        comparison.same_note = (
            "A and B score alike on every document (the same predictions, or ones as right "
            "and as wrong): every difference is 0"
        )
    novelty_a, novelty_b = load_novelty(run_a), load_novelty(run_b)
    if novelty_a is None or novelty_b is None:
        missing = " and ".join(
            str(r) for r, n in ((run_a, novelty_a), (run_b, novelty_b)) if n is None
        )
        comparison.seen_unseen_note = (
            f"{missing} has no seen/unseen split (evaluated without the model's training names)"
        )
        return comparison
    comparison.seen_unseen = compare_seen_unseen(novelty_a, novelty_b, labels, weights)
    split_a, split_b = metrics_a.seen_unseen, metrics_b.seen_unseen
    if split_a and split_b and split_a.train_names_sha256 != split_b.train_names_sha256:
        comparison.seen_unseen_note = (
            "the two models were trained on different names: each run's seen and unseen "
            "groups are its own"
        )
    return comparison
