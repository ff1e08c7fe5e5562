"""A pretrained pipeline's NER, carried over to the workspace's labels (issue 32).

en_core_web_sm's ``ner`` was trained on OntoNotes to find names from their context (ORG, NORP,
GPE, CARDINAL, ...): "the Taliban said", "Maoists attacked" look like names to it, seen or not.
Sourcing only the shared ``tok2vec`` of such a pipeline carries its word features over but not
that knowledge: in en_core_web_sm and _md the ``ner`` has its own internal tok2vec, and its
hidden layer is where "this is a name" lives.

``nerwb.transfer_ner.v1`` runs after ``nlp.initialize`` (``[initialize] after_init``): the
workspace's ``ner`` has been built from the config with the base's architecture and its labels
from the training data; the callback copies every weight of the base's ``ner`` into it (its
internal tok2vec, the hidden layer and the output row of "outside"), and gives each new
label's output rows those of a base label where ``label_map`` says so (ARMED_GROUP starting as
ORG), zero otherwise. The base's own labels are never added: they have no row in the output
layer, so OntoNotes' 18 types can reach neither ``doc.ents`` nor a report. Training then
fine-tunes everything. The trained model is a plain ``ner``: ``spacy.load`` needs neither the
base pipeline nor nerwb for it (``after_init`` runs only in ``initialize``).

With ``base_entities`` (stacking), the base's own ``ner`` also stays in the pipeline, frozen,
as ``base_entities`` (see ``nerwb.components.base_entities``): its ORG/NORP/... predictions
reach the new NER as a token feature (an extra hash-embedding column). That column has no
counterpart in the base, so its weights start at zero: the transferred features are
unchanged at the first step and the new feature's contribution is learned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import spacy
from spacy.language import Language
from thinc.api import Model

from nerwb.errors import ErrorKind, TrainingError

CALLBACK = "nerwb.transfer_ner.v1"
OUTSIDE = "O"


def move_names(ner: Any) -> list[str]:
    """The output layer's rows, in order: "B-ORG", ..., "O" (one per transition)."""
    moves = ner.moves
    return [moves.get_class_name(i) for i in range(moves.n_moves)]


def _label_of(move: str) -> str:
    return move.split("-", 1)[1] if "-" in move else ""


def _rows(new: list[str], base: list[str], label_map: Mapping[str, str]) -> list[int | None]:
    """For each new output row, the base row it starts from (None: zero)."""
    index = {name: i for i, name in enumerate(base)}
    rows: list[int | None] = []
    for name in new:
        if name == OUTSIDE:
            rows.append(index.get(OUTSIDE))
            continue
        action, _, label = name.partition("-")
        source = label_map.get(label)
        rows.append(index.get(f"{action}-{source}") if source else None)
    return rows


def _pairs(ours: Model, theirs: Model, where: str) -> list[tuple[Model, Model]]:
    """The two models' layers in step; refuses architectures that differ in structure."""
    a, b = list(ours.walk()), list(theirs.walk())
    if len(a) != len(b) or any(x.name != y.name for x, y in zip(a, b, strict=True)):
        raise TrainingError(
            f"{CALLBACK}: the config's {where} architecture differs from the base pipeline's "
            "(copy the base's [components.ner.model] settings into the config)",
            kind=ErrorKind.BAD_CONFIG,
        )
    return list(zip(a, b, strict=True))


def copy_weights(ours: Model, theirs: Model, where: str, *, widen: bool = False) -> None:
    """Every parameter of ``theirs`` into ``ours``, layer by layer.

    With ``widen``, a parameter of ``ours`` larger than its counterpart along its last axis
    (a mixing layer that reads one more embedding column) gets the base's values in its first
    columns and zeros in the rest.
    """
    for mine, base in _pairs(ours, theirs, where):
        for key in ("seed", "column"):  # hash embeddings: the same rows for the same keys
            if key in base.attrs:
                mine.attrs[key] = base.attrs[key]
        for param in base.param_names:
            if not base.has_param(param):
                continue
            value = base.get_param(param)
            if not mine.has_param(param):
                raise TrainingError(
                    f"{CALLBACK}: {where} layer {mine.name} has no {param}",
                    kind=ErrorKind.BAD_CONFIG,
                )
            target = mine.get_param(param)
            if target.shape == value.shape:
                mine.set_param(param, value.copy())
            elif widen and target.shape[:-1] == value.shape[:-1]:
                wider = mine.ops.alloc(target.shape, dtype=target.dtype)
                wider[..., : value.shape[-1]] = value
                mine.set_param(param, wider)
            else:
                raise TrainingError(
                    f"{CALLBACK}: {where} layer {mine.name} {param} has shape {target.shape}, "
                    f"the base pipeline's {value.shape}",
                    kind=ErrorKind.BAD_CONFIG,
                )


def _embedding_pairs(ours: Model, theirs: Model) -> list[tuple[Model, Model]] | None:
    """For a tok2vec with more hash-embedding columns than the base's: the shared layers."""
    a = [n for n in ours.walk() if n.name == "hashembed"]
    b = [n for n in theirs.walk() if n.name == "hashembed"]
    if len(a) <= len(b):
        return None
    return list(zip(a[: len(b)], b, strict=True))


def transfer_ner(
    nlp: Language, base_nlp: Language, *, component: str, source: str, label_map: Mapping[str, str]
) -> dict[str, Any]:
    """Copy ``base_nlp``'s ``source`` NER into ``nlp``'s initialised ``component``.

    Returns what was done (rows started from base labels), for the run's log.
    """
    if component not in nlp.component_names:
        raise TrainingError(
            f"{CALLBACK}: the pipeline has no component {component!r}", kind=ErrorKind.BAD_CONFIG
        )
    if source not in base_nlp.component_names:
        raise TrainingError(
            f"{CALLBACK}: the base pipeline has no component {source!r}", kind=ErrorKind.BAD_CONFIG
        )
    ner, base = nlp.get_pipe(component), base_nlp.get_pipe(source)
    base_moves, new_moves = move_names(base), move_names(ner)
    known = {_label_of(m) for m in base_moves} - {""}
    ours = {_label_of(m) for m in new_moves} - {""}
    for label, start in label_map.items():
        if start not in known:
            raise TrainingError(
                f"{CALLBACK}: label_map {label} = {start}: the base NER has no label {start} "
                f"(it has {', '.join(sorted(known))})",
                kind=ErrorKind.BAD_CONFIG,
            )
        if label not in ours:
            raise TrainingError(
                f"{CALLBACK}: label_map names {label}, which the training data does not mark",
                kind=ErrorKind.BAD_CONFIG,
            )
    model, base_model = ner.model, base.model
    hashes = _embedding_pairs(model.get_ref("tok2vec"), base_model.get_ref("tok2vec"))
    if hashes is None:
        copy_weights(model.get_ref("tok2vec"), base_model.get_ref("tok2vec"), "ner tok2vec")
    else:  # stacking: one more feature column than the base reads
        for mine, theirs in hashes:
            copy_weights(mine, theirs, "ner tok2vec")
        _copy_after_embeddings(model.get_ref("tok2vec"), base_model.get_ref("tok2vec"))
    copy_weights(model.get_ref("lower"), base_model.get_ref("lower"), "ner hidden layer")
    upper, base_upper = model.get_ref("upper"), base_model.get_ref("upper")
    rows = _rows(new_moves, base_moves, label_map)
    W, b = upper.get_param("W"), upper.get_param("b")
    W_base, b_base = base_upper.get_param("W"), base_upper.get_param("b")
    if W.shape[1:] != W_base.shape[1:]:
        raise TrainingError(
            f"{CALLBACK}: the ner's hidden width {W.shape[1]} differs from the base's "
            f"{W_base.shape[1]} (set [components.ner.model] hidden_width to match)",
            kind=ErrorKind.BAD_CONFIG,
        )
    W, b = W.copy(), b.copy()
    for i, row in enumerate(rows):
        if row is None:
            W[i], b[i] = 0.0, 0.0
        else:
            W[i], b[i] = W_base[row], b_base[row]
    upper.set_param("W", W)
    upper.set_param("b", b)
    return {
        "base_rows": {
            m: base_moves[r] for m, r in zip(new_moves, rows, strict=True) if r is not None
        }
    }


def _copy_after_embeddings(ours: Model, theirs: Model) -> None:
    """Stacking: the layers after the embedding tables (mixer, encoder, projection), the
    mixer widened with zero columns for the extra feature."""
    a = [n for n in ours.walk() if n.name not in ("hashembed",) and not n.layers]
    b = [n for n in theirs.walk() if n.name not in ("hashembed",) and not n.layers]
    a = [n for n in a if n.param_names]
    b = [n for n in b if n.param_names]
    if len(a) != len(b):
        raise TrainingError(
            f"{CALLBACK}: the stacked tok2vec differs from the base's in structure",
            kind=ErrorKind.BAD_CONFIG,
        )
    for mine, base in zip(a, b, strict=True):
        copy_weights(mine, base, "ner tok2vec", widen=True)


def load_base(base: str) -> Language:
    try:
        return spacy.load(
            base, exclude=["tagger", "parser", "lemmatizer", "attribute_ruler", "senter"]
        )
    except OSError as err:
        raise TrainingError(
            f"{CALLBACK}: cannot load base pipeline {base!r} ({err})", kind=ErrorKind.BAD_MODEL
        ) from None


@spacy.registry.callbacks(CALLBACK)
def make_transfer_ner(
    base: str,
    component: str = "ner",
    source: str = "ner",
    label_map: dict[str, str] | None = None,
) -> Callable[[Language], Language]:
    """``[initialize.after_init]``: start the workspace's NER from the base pipeline's."""

    def after_init(nlp: Language) -> Language:
        transfer_ner(
            nlp, load_base(base), component=component, source=source, label_map=label_map or {}
        )
        return nlp

    return after_init
