"""Evaluation data: the held-out DocBin, or a Doccano JSONL / CoNLL file converted with the
same code as ``labels convert``."""

from __future__ import annotations

from pathlib import Path

from spacy.tokens import Doc, DocBin

from nerwb.errors import ErrorKind, EvaluationError
from nerwb.evaluate.inputs import check_gold_data
from nerwb.labels.annotations import AnnotatedArticle, LabeledSpan
from nerwb.labels.docbin import ConversionReport, article_doc
from nerwb.labels.policies import SpanPolicies
from nerwb.labels.readers import format_of, read_annotated
from nerwb.text import blank


def load_gold_docs(
    path: Path,
    *,
    lang: str,
    policies: SpanPolicies = SpanPolicies(),
) -> tuple[list[Doc], ConversionReport]:
    """Gold docs from ``path`` by its suffix, and what converting a .jsonl/CoNLL file changed
    or skipped (an empty report for a .spacy file).

    Raises:
        EvaluationError: missing, unknown format, or no documents.
        LabelsError: a span the policies do not allow.
    """
    report = ConversionReport()
    check_gold_data(path)
    fmt = format_of(path)
    if fmt == "spacy":  # a DocBin is evaluated as it is, not re-made from its text
        try:
            docs = list(DocBin().from_disk(path).get_docs(blank(lang).vocab))
        except Exception as err:  # spaCy raises several types for a file that is not a DocBin
            raise EvaluationError(
                f"{path} is not a spaCy DocBin ({type(err).__name__})",
                kind=ErrorKind.BAD_INPUT,
                path=path,
            ) from None
    elif fmt is not None:
        docs = []
        for index, raw in enumerate(read_annotated(path, fmt, lang=lang)):
            article = AnnotatedArticle(
                raw.id or f"{path.stem}-{index}",
                raw.text,
                [LabeledSpan(*s) for s in raw.spans or []],
            )
            found = article_doc(
                article,
                lang=lang,
                split="eval",
                policies=policies,
            )
            report.add("eval", found)
            docs.append(found.doc)
    else:  # check_gold_data refused it
        raise AssertionError(f"no reader for {path}")
    if not docs:
        raise EvaluationError(
            f"evaluation data {path} holds no documents", kind=ErrorKind.NOTHING_TO_DO, path=path
        )
    return docs, report
