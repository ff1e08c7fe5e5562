"""The evaluation report: Markdown, self-contained HTML with displaCy, and two PNG charts."""

from __future__ import annotations

import base64
import html
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay
from spacy import displacy
from spacy.tokens import Doc, Span

from nerwb.evaluate.error_analysis import KINDS, NONE, ErrorCase
from nerwb.evaluate.metrics import (
    NO_SUPPORT,
    EvalMetrics,
    LabelMetrics,
    TrainingFacts,
    few_docs_note,
)
from nerwb.evaluate.novelty import Novelty, NoveltyScore, novelty_of
from nerwb.labels.annotations import LabeledSpan

ERROR_MARK = " ✗"
# Striped, so an error reads as an error whatever the label colour (displaCy takes any CSS background).
ERROR_COLOUR = "repeating-linear-gradient(45deg, #ffd6d6, #ffd6d6 6px, #ffffff 6px, #ffffff 12px)"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _label_cells(s: LabelMetrics) -> list[str]:
    """P, R, F, F interval, exact F, partial F, type F of one label, as shown in the tables."""
    if not s.support:
        return [NO_SUPPORT] * 7
    lo, hi = s.f_ci95
    return [
        _pct(s.p),
        _pct(s.r),
        _pct(s.f),
        f"[{_pct(lo)}, {_pct(hi)}]",
        _pct(s.exact.f),
        _pct(s.partial.f),
        _pct(s.type.f),
    ]


def _training_line(training: TrainingFacts | None) -> str:
    if not training:
        return "Model: no manifest.json beside it (not trained by `nerwb train`)."
    best = training.best_dev_f
    return (
        f"Model trained with {training.config_file} for {training.steps} steps on "
        f"{training.train_docs} train / {training.dev_docs} dev documents; "
        f"best dev F {'?' if best is None else _pct(best)} (from {training.manifest})."
    )


SEEN_UNSEEN_HEADER = [
    "label",
    "seen gold",
    "seen R",
    "seen R 95 % CI",
    "seen P",
    "unseen gold",
    "unseen R",
    "unseen R 95 % CI",
    "unseen P",
]


def _novelty_cells(s: NoveltyScore) -> list[str]:
    """Gold count, recall, its interval and precision of one group (— where undefined)."""
    ci = s.recall_ci95
    return [
        str(s.gold),
        NO_SUPPORT if s.recall is None else _pct(s.recall),
        NO_SUPPORT if ci is None else f"[{_pct(ci[0])}, {_pct(ci[1])}]",
        NO_SUPPORT if s.precision is None else _pct(s.precision),
    ]


def seen_unseen_rows(metrics: EvalMetrics) -> list[list[str]]:
    """The seen/unseen table's rows: all labels pooled, then each label (empty without a split)."""
    split = metrics.seen_unseen
    if split is None:
        return []
    rows = [["all", *_novelty_cells(split.seen.pooled), *_novelty_cells(split.unseen.pooled)]]
    for label in split.seen.per_label:
        rows.append(
            [
                label,
                *_novelty_cells(split.seen.per_label[label]),
                *_novelty_cells(split.unseen.per_label[label]),
            ]
        )
    return rows


def seen_unseen_line(metrics: EvalMetrics) -> str:
    """What "seen" means here, or why the split is left out."""
    split = metrics.seen_unseen
    if split is None:
        return f"Seen and unseen names: {metrics.seen_unseen_note or 'not measured'}."
    return (
        "A gold entity is *seen* when its text (case- and whitespace-folded) is a gold entity "
        f"of the model's training data ({split.train_data}; {split.train_names} distinct "
        "names), *unseen* otherwise. Recall is over gold entities of the group, precision over "
        "predicted spans whose text is in the group; strict matches. A model that remembers "
        "names has high seen and low unseen recall."
    )


def markdown(metrics: EvalMetrics, confusion: dict[str, Any]) -> str:
    lines = [
        f"# Evaluation of `{metrics.model}`",
        "",
        f"Data: `{metrics.data}` (sha256 `{metrics.data_sha256[:12]}…`), {metrics.n_docs} documents, "
        f"{metrics.n_gold} gold spans, {metrics.n_pred} predicted. "
        f"{metrics.words_per_second:,.0f} words/s. Intervals: 95 % bootstrap over documents "
        f"({metrics.bootstrap.resamples} resamples, seed {metrics.bootstrap.seed}).",
        "",
        _training_line(metrics.training),
        "",
        *([f"Note: {note}.", ""] if (note := few_docs_note(metrics.n_docs)) else []),
        "## Summary (micro)",
        "",
        "| schema | P | R | F |",
        "|---|---:|---:|---:|",
    ]
    for schema, s in metrics.micro.items():
        ci = (
            f" [{_pct(metrics.micro_f_ci95[0])}, {_pct(metrics.micro_f_ci95[1])}]"
            if schema == "strict"
            else ""
        )
        lines.append(f"| {schema} | {_pct(s.p)} | {_pct(s.r)} | {_pct(s.f)}{ci} |")
    lines += [
        "",
        "strict = exact boundaries and type (spaCy's ents_p/r/f); exact = boundaries only; partial = "
        "overlap earns half; type = overlap with the right type (SemEval-2013, as nervaluate).",
        "",
        "## Per label (strict)",
        "",
        "| label | support | P | R | F | F 95 % CI | exact F | partial F | type F |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for label, s in metrics.per_label.items():
        lines.append(f"| {label} | {s.support} | " + " | ".join(_label_cells(s)) + " |")
    if metrics.unseen_labels:
        lines += [
            "",
            f"Labels in the data that the model never saw: {', '.join(metrics.unseen_labels)}.",
        ]
    lines += ["", "## Seen and unseen names (strict)", "", seen_unseen_line(metrics)]
    rows = seen_unseen_rows(metrics)
    if rows:
        lines += ["", "| " + " | ".join(SEEN_UNSEEN_HEADER) + " |", "|---|" + "---:|" * 8]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    labels = confusion["labels"]
    lines += ["", "## Confusion (rows: gold, columns: predicted; (none) = missed / spurious)", ""]
    lines.append("| gold \\ pred | " + " | ".join(labels) + " |")
    lines.append("|---|" + "---:|" * len(labels))
    for label, row in zip(labels, confusion["matrix"], strict=True):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "## Errors by kind", ""]
    for kind, n in metrics.errors_by_kind.items():
        lines.append(f"- {kind}: {n}")
    return "\n".join(lines) + "\n"


def _marked(doc: Doc, spans: list[LabeledSpan], wrong: set[LabeledSpan]) -> Doc:
    """A copy of ``doc`` whose ents are ``spans``, error spans relabelled with a mark."""
    copy = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    ents = []
    for start, end, label in spans:
        span = copy.char_span(
            start,
            end,
            label=label + (ERROR_MARK if (start, end, label) in wrong else ""),
            alignment_mode="expand",
        )
        if span is not None:
            ents.append(span)
    copy.ents = [e for e in ents if isinstance(e, Span)]
    return copy


def _names_attr(text: str, error: ErrorCase, seen: set[str] | None) -> str:
    """The error's ``data-names`` attribute: seen or unseen, by its gold span's text (the
    predicted span's for a spurious one); nothing without the training names."""
    if seen is None:
        return ""
    span = error.gold or error.pred
    assert span is not None  # an error has a gold or a predicted span
    return f" data-names='{novelty_of(text, span, seen)}'"


def html_report(
    metrics: EvalMetrics,
    confusion: dict[str, Any],
    docs: list[tuple[str, Doc, list[LabeledSpan], list[LabeledSpan], list[ErrorCase]]],
    colours: dict[str, str],
    images: dict[str, bytes] | None = None,
    *,
    seen: set[str] | None = None,
) -> str:
    """Self-contained HTML: the tables and plots, then each document with errors, gold above
    prediction. ``images`` (name to PNG bytes) are embedded as data URIs. With the training
    names (``seen``) each error is marked seen or unseen, and the browser can filter by it."""
    options = {"colors": {**colours, **{label + ERROR_MARK: ERROR_COLOUR for label in colours}}}
    for label in {e.label for _, _, _, _, errors in docs for e in errors}:
        options["colors"].setdefault(label + ERROR_MARK, ERROR_COLOUR)
    md_tables = markdown(metrics, confusion)
    micro_ci = metrics.micro_f_ci95
    summary_rows = "".join(
        f"<tr><td>{schema}</td><td>{_pct(s.p)}</td><td>{_pct(s.r)}</td><td>{_pct(s.f)}</td>"
        f"<td>{f'[{_pct(micro_ci[0])}, {_pct(micro_ci[1])}]' if schema == 'strict' else ''}</td></tr>"
        for schema, s in metrics.micro.items()
    )
    label_rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{s.support}</td>"
        + "".join(f"<td>{cell}</td>" for cell in _label_cells(s))
        + "</tr>"
        for label, s in metrics.per_label.items()
    )
    plots = "".join(
        f"<figure><img alt='{html.escape(name)}' src=\"data:image/png;base64,"
        f'{base64.b64encode(png).decode("ascii")}"><figcaption>{html.escape(name)}</figcaption></figure>'
        for name, png in (images or {}).items()
    )
    conf_head = "".join(f"<th>{html.escape(x)}</th>" for x in confusion["labels"])
    conf_rows = "".join(
        f"<tr><th>{html.escape(label)}</th>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
        for label, row in zip(confusion["labels"], confusion["matrix"], strict=True)
    )
    blocks = []
    for doc_id, doc, gold, pred, errors in docs:
        if not errors:
            continue
        wrong_gold = {e.gold for e in errors if e.gold}
        wrong_pred = {e.pred for e in errors if e.pred}
        with warnings.catch_warnings():  # a side with no entities is expected (all missed)
            warnings.simplefilter("ignore", UserWarning)
            gold_html = displacy.render(
                _marked(doc, gold, wrong_gold),
                style="ent",
                options=options,
                page=False,
                jupyter=False,
            )
            pred_html = displacy.render(
                _marked(doc, pred, wrong_pred),
                style="ent",
                options=options,
                page=False,
                jupyter=False,
            )
        kinds = sorted({e.kind for e in errors})
        labels = sorted({e.label for e in errors})
        items = "".join(
            f"<li class='err' data-kind='{e.kind}' data-label='{html.escape(e.label)}'"
            f"{_names_attr(doc.text, e, seen)}><b>{e.kind}</b> "
            f"{html.escape(e.label)}: {html.escape(e.context)}</li>"
            for e in errors
        )
        blocks.append(
            f"<section class='doc' data-kinds='{' '.join(kinds)}' data-labels='{html.escape(' '.join(labels))}'>"
            f"<h3>{html.escape(doc_id)}</h3><div class='pair'><div class='side'><h4>Gold</h4>{gold_html}</div>"
            f"<div class='side'><h4>Prediction</h4>{pred_html}</div></div><ul>{items}</ul></section>"
        )
    label_options = "".join(f"<option>{html.escape(x)}</option>" for x in metrics.per_label)
    kind_options = "".join(f"<option>{k}</option>" for k in KINDS)
    note = few_docs_note(metrics.n_docs)
    few_docs = f'<p id="few-docs">Note: {html.escape(note)}.</p>' if note else ""
    names_filter = (
        ""
        if seen is None
        else "Names <select id='f-names'><option value=''>all</option>"
        + "".join(f"<option value='{g}'>{g}</option>" for g in (Novelty.UNSEEN, Novelty.SEEN))
        + "</select> "
    )
    names_head = "".join(f"<th>{html.escape(h)}</th>" for h in SEEN_UNSEEN_HEADER)
    names_rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in seen_unseen_rows(metrics)
    )
    names_table = (
        f"<table id='seen-unseen'><tr>{names_head}</tr>{names_rows}</table>" if names_rows else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nerwb evaluation: {html.escape(metrics.model)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1100px; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.doc {{ border-top: 2px solid #ddd; margin-top: 1.5em; }} .side h4 {{ margin: .4em 0; color: #555; }}
.hidden {{ display: none; }} .filters {{ position: sticky; top: 0; background: #fff; padding: .5em 0; }}
</style></head><body>
<h1>Evaluation of <code>{html.escape(metrics.model)}</code></h1>
<p>Data <code>{html.escape(metrics.data)}</code>: {metrics.n_docs} documents, {metrics.n_gold} gold spans,
{metrics.n_pred} predicted (sha256 <code>{html.escape(metrics.data_sha256)}</code>); intervals are 95 % bootstrap over documents. Errors are marked {ERROR_MARK.strip()}.</p>
<p id="training">{html.escape(_training_line(metrics.training))}</p>
{few_docs}
<h2>Summary (micro)</h2>
<table id="summary"><tr><th>schema</th><th>P</th><th>R</th><th>F</th><th>F 95 % CI</th></tr>{summary_rows}</table>
<h2>Per label (strict)</h2>
<table id="per-label"><tr><th>label</th><th>support</th><th>P</th><th>R</th><th>F</th><th>F 95 % CI</th><th>exact F</th><th>partial F</th><th>type F</th></tr>{label_rows}</table>
<p>A label without gold spans in this data has no recall, F or interval ({NO_SUPPORT}).</p>
<h2>Seen and unseen names (strict)</h2>
<p id="seen-unseen-note">{html.escape(seen_unseen_line(metrics)).replace("*", "")}</p>
{names_table}
<div id="plots">{plots}</div>
<h2>Confusion (rows gold, columns predicted)</h2>
<table id="confusion"><tr><th>gold \\ pred</th>{conf_head}</tr>{conf_rows}</table>
<h2>Documents with errors ({len(blocks)})</h2>
<div class="filters">Label <select id="f-label"><option value="">all</option>{label_options}</select>
Kind <select id="f-kind"><option value="">all</option>{kind_options}</select>
{names_filter}<span id="shown"></span></div>
{"".join(blocks)}
<script>
function applyFilters() {{
  const label = document.getElementById('f-label').value, kind = document.getElementById('f-kind').value;
  const namesBox = document.getElementById('f-names'), names = namesBox ? namesBox.value : '';
  let shown = 0;
  document.querySelectorAll('section.doc').forEach(sec => {{
    let any = false;
    sec.querySelectorAll('li.err').forEach(li => {{
      const ok = (!label || li.dataset.label === label) && (!kind || li.dataset.kind === kind)
        && (!names || li.dataset.names === names);
      li.classList.toggle('hidden', !ok); any = any || ok;
    }});
    sec.classList.toggle('hidden', !any); if (any) shown++;
  }});
  document.getElementById('shown').textContent = shown + ' document(s) shown';
}}
document.getElementById('f-label').onchange = applyFilters;
document.getElementById('f-kind').onchange = applyFilters;
if (document.getElementById('f-names')) document.getElementById('f-names').onchange = applyFilters;
// a link may choose the filters: report.html#names=unseen&label=ARMED_GROUP&kind=missed
new URLSearchParams(location.hash.slice(1)).forEach((value, key) => {{
  const box = document.getElementById('f-' + key);
  if (box && [...box.options].some(o => o.value === value)) box.value = value;
}});
applyFilters();
</script>
<!-- metrics: {html.escape(json.dumps({k: v.to_json() for k, v in metrics.micro.items()}))} -->
<details><summary>Markdown version</summary><pre>{html.escape(md_tables)}</pre></details>
</body></html>
"""


def confusion_png(confusion: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = confusion["labels"]
    display = ConfusionMatrixDisplay(np.array(confusion["matrix"]), display_labels=labels)
    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * len(labels), 1.2 + 1.0 * len(labels)))
    display.plot(ax=ax, cmap="Blues", colorbar=False, xticks_rotation=30)
    ax.set_xlabel(f"predicted ({NONE} = missed)")
    ax.set_ylabel(f"gold ({NONE} = spurious)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def per_label_png(metrics: EvalMetrics, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_label = metrics.per_label
    labels = list(per_label)
    supported = [per_label[k].support > 0 for k in labels]
    f = [per_label[k].f if ok else 0.0 for k, ok in zip(labels, supported, strict=True)]
    lo = [
        max(0.0, v - per_label[k].f_ci95[0]) if ok else 0.0
        for k, v, ok in zip(labels, f, supported, strict=True)
    ]
    hi = [
        max(0.0, per_label[k].f_ci95[1] - v) if ok else 0.0
        for k, v, ok in zip(labels, f, supported, strict=True)
    ]
    ticks = [f"{k}\n(n={per_label[k].support})" for k in labels]
    fig, ax = plt.subplots(figsize=(1.5 + 1.3 * len(labels), 4.2))
    bars = ax.bar(ticks, f, yerr=[lo, hi], capsize=6, color="#4363d8", error_kw={"clip_on": False})
    for bar, ok in zip(bars, supported, strict=True):
        if not ok:  # no gold span: no F to draw
            bar.set_visible(False)
            ax.annotate(NO_SUPPORT, (bar.get_x() + bar.get_width() / 2, 0.02), ha="center")
    ax.set_ylim(0, 1.08)  # room above 1.0 for the upper error bars and their caps
    ax.set_ylabel("strict F (95 % bootstrap CI)")
    ax.set_title("F per label")
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
