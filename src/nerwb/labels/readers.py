"""Reading existing annotations: Doccano JSONL, CoNLL / IOB2 / BILUO, spaCy DocBin.

Each reader yields ``RawArticle`` records with spans, so the import use case treats every
format alike: articles go to the corpus, spans to ``labels/imports/<annotator>.jsonl``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from nerwb.corpus.model import RawArticle
from nerwb.corpus.readers import ReadOptions
from nerwb.corpus.readers import read_jsonl as read_doccano_jsonl
from nerwb.errors import ErrorKind, InputError, LabelsError
from nerwb.io import read_text, split_lines
from nerwb.labels.annotations import doc_spans

_DOCSTART = "-DOCSTART-"
_TAG = re.compile(r"^(?:O|[BIELSU]-.+)$")


def _tag_scheme(tags: list[str]) -> str:
    return "biluo" if any(t[:2] in ("L-", "U-", "E-", "S-") for t in tags) else "iob"


def _spans_from_tags(
    tags: list[tuple[int, str]], offsets: list[tuple[int, int]], path: Path
) -> list[tuple[int, int, str]]:
    """Spans from IOB2 or BILUO tags; an impossible sequence names its line."""
    scheme = _tag_scheme([t for _, t in tags])
    spans: list[tuple[int, int, str]] = []
    open_start: int | None = None
    open_label: str | None = None

    def close(end_index: int) -> None:
        nonlocal open_start, open_label
        if open_start is not None:
            spans.append((offsets[open_start][0], offsets[end_index][1], str(open_label)))
        open_start = open_label = None

    for index, (line, tag) in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if tag == "O":
            if scheme == "biluo" and open_start is not None:
                raise InputError(
                    f"tag O inside an unfinished {open_label} entity (BILUO needs L-)",
                    path=path,
                    line=line,
                )
            close(index - 1)
            continue
        if prefix in ("B",):
            if scheme == "biluo" and open_start is not None:
                raise InputError(
                    f"tag {tag} before the {open_label} entity ended with L-", path=path, line=line
                )
            close(index - 1)
            open_start, open_label = index, label
        elif prefix == "I":
            if open_start is None or open_label != label:
                after = "O" if open_start is None else f"an entity of type {open_label}"
                raise InputError(
                    f"tag {tag} follows {after}; an entity must start with B-{label}",
                    path=path,
                    line=line,
                )
        elif prefix in ("L", "E"):
            if open_start is None or open_label != label:
                raise InputError(
                    f"tag {tag} ends an entity that was never begun with B-{label}",
                    path=path,
                    line=line,
                )
            close(index)
        elif prefix in ("U", "S"):
            if open_start is not None:
                raise InputError(
                    f"tag {tag} inside an unfinished {open_label} entity", path=path, line=line
                )
            spans.append((offsets[index][0], offsets[index][1], label))
    if scheme == "biluo" and open_start is not None:
        raise InputError(
            f"the {open_label} entity at the end is never closed with L-",
            path=path,
            line=tags[-1][0],
        )
    close(len(tags) - 1)
    return spans


def read_conll(path: Path, options: ReadOptions | None = None) -> Iterator[RawArticle]:
    """Token-per-line files: token first, tag last, tab- or space-separated.

    A blank line ends a sentence. Without ``-DOCSTART-`` lines every sentence becomes an
    article; with them, the sentences between two markers form one article (one per line).
    """
    lines = split_lines(read_text(path))
    rows: list[tuple[int, list[str]]] = []
    width: int | None = None
    has_docstart = any(line.split()[:1] == [_DOCSTART] for line in lines)
    documents: list[list[list[tuple[int, str, str]]]] = [[]]
    sentence: list[tuple[int, str, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if sentence:
                documents[-1].append(sentence)
                sentence = []
            continue
        columns = line.split("\t") if "\t" in line else line.split()
        columns = [c.strip() for c in columns]
        if columns[0] == _DOCSTART:
            if sentence:
                documents[-1].append(sentence)
                sentence = []
            documents.append([])
            continue
        if width is None:
            width = len(columns)
            if width < 2:
                raise InputError("expected a token and a tag on each line", path=path, line=number)
        if len(columns) != width:
            raise InputError(
                f"expected {width} columns like the first line, found {len(columns)}",
                path=path,
                line=number,
            )
        tag = columns[-1]
        if not _TAG.match(tag):
            raise InputError(
                f"{tag!r} is not an IOB2/BILUO tag (O, B-X, I-X, L-X, U-X)", path=path, line=number
            )
        sentence.append((number, columns[0], tag))
        rows.append((number, columns))
    if sentence:
        documents[-1].append(sentence)
    units = (
        [doc for doc in documents if doc]
        if has_docstart
        else [[s] for doc in documents for s in doc]
    )
    for unit in units:
        text, offsets, tags = "", [], []
        for s_index, sent in enumerate(unit):
            if s_index:
                text += "\n"
            for t_index, (number, token, tag) in enumerate(sent):
                if t_index:
                    text += " "
                offsets.append((len(text), len(text) + len(token)))
                text += token
                tags.append((number, tag))
        spans = _spans_from_tags(tags, offsets, path)
        yield RawArticle(text=text, origin=f"{path}:{unit[0][0][0]}", spans=spans)


def read_docbin(
    path: Path, options: ReadOptions | None = None, *, lang: str = "en"
) -> Iterator[RawArticle]:
    """Docs of a spaCy DocBin; one made with another language's tokenizer is refused."""
    import spacy  # here: the CLI imports this module and must start quickly
    from spacy.tokens import DocBin

    nlp = spacy.blank(lang)
    try:
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    except Exception as err:  # spaCy raises several types for a file that is not a DocBin
        raise InputError(f"not a spaCy DocBin ({type(err).__name__}: {err})", path=path) from None
    for index, doc in enumerate(docs):
        made_with = (doc.user_data or {}).get(("._.", "nerwb_lang", None, None)) or (
            doc.user_data or {}
        ).get("nerwb_lang")
        if made_with and made_with != lang:
            raise InputError(
                f"doc {index} was made for language {made_with!r}, this workspace is {lang!r}",
                path=path,
            )
        ours = [t.text for t in nlp.make_doc(doc.text)]
        theirs = [t.text for t in doc]
        if ours != theirs:
            first = next(
                i
                for i, (a, b) in enumerate(zip([*ours, ""], [*theirs, ""], strict=False))
                if a != b
            )
            raise InputError(
                f"doc {index}: its tokens differ from the {lang!r} tokenizer's at token {first} "
                f"({theirs[first] if first < len(theirs) else 'end'!r} vs "
                f"{ours[first] if first < len(ours) else 'end'!r}); was it made for another language?",
                path=path,
            )
        article_id = (doc.user_data or {}).get("nerwb_article_id")
        yield RawArticle(
            text=doc.text,
            origin=f"{path}:doc{index}",
            id=article_id,
            spans=doc_spans(doc),
        )


def _doccano(path: Path, options: ReadOptions | None = None) -> Iterator[RawArticle]:
    for raw in read_doccano_jsonl(path, options or ReadOptions()):
        raw.spans = raw.spans or []
        yield raw


ANNOTATION_READERS: dict[str, Callable[..., Iterator[RawArticle]]] = {
    "doccano": _doccano,
    "conll": read_conll,
    "iob": read_conll,
    "biluo": read_conll,
    "spacy": read_docbin,
}
CONLL_SUFFIXES = (".conll", ".iob", ".iob2", ".bio", ".biluo", ".txt", ".tsv")
# The format a file's suffix says, where none is given.
SUFFIX_FORMATS = {".jsonl": "doccano", ".spacy": "spacy", **dict.fromkeys(CONLL_SUFFIXES, "conll")}


def format_of(path: Path) -> str | None:
    """The annotation format ``path``'s suffix says (``None``: a suffix of no format)."""
    return SUFFIX_FORMATS.get(path.suffix.lower())


def read_annotated(
    path: Path, format: str | None = None, *, lang: str = "en"
) -> Iterator[RawArticle]:
    """The annotated articles of ``path``, in ``format`` (default: by the file's suffix), read
    as they are consumed (the format is checked at once).

    Raises:
        LabelsError: an unknown format, or a suffix of no known format.
        InputError: the file is bad (line or document named).
    """
    fmt = format or format_of(path)
    if fmt is None:
        raise LabelsError(
            f"{path}: no annotation format for the suffix {path.suffix!r}; "
            f"choose from {', '.join(ANNOTATION_READERS)}",
            kind=ErrorKind.BAD_INPUT,
            path=path,
        )
    if fmt not in ANNOTATION_READERS:
        raise LabelsError(
            f"unknown format {fmt!r}; choose from {', '.join(ANNOTATION_READERS)}",
            kind=ErrorKind.BAD_SETTING,
            setting="fmt",
        )
    reader = ANNOTATION_READERS[fmt]
    return read_docbin(path, lang=lang) if reader is read_docbin else reader(path)
