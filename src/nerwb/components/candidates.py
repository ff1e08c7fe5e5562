"""Name candidates judged by their context, not their string.

The NER recalls names it was trained on and finds few it never saw (docs/benchmarks.md, accuracy). Names
are capitalised, so every run of capitalised words ("Achik National Liberation Army", "ANLA",
"Norte del Valle cartel") is a candidate, with its sub-runs and with one trailing lower-case
word; a logistic regression over features that do not name the candidate (the words around it,
its last word when it has several, its shape, whether it defines or is an acronym defined in
the same document, whether it opens a sentence) decides which is an entity and of which label.
Its spans are added only where the NER found nothing (``fill``), so the names the NER knows are
left as they are.

Why capitalised runs and not the base pipeline's entities or noun chunks: nerwb's pipelines
hold only the base pipeline's ``tok2vec`` (no tagger, parser or ``ner``), so those would need
a second copy of the base pipeline's network run on every text, and en_core_web_sm's ORG and
NORP entities outside ours are ARMED_GROUP only 3 % of the time (docs/benchmarks.md); capitalisation costs
nothing and works with the dependency-free ``ner-accuracy.cfg`` too.

Fitted in ``initialize`` from the gold (seconds), saved as JSON (no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example

from nerwb.components.numbers import Linear, choose
from nerwb.components.training_labels import name_labels
from nerwb.errors import ErrorKind, TrainingError

FACTORY = "nerwb_name_candidates"
# Lower-case words and marks that may join capitalised words inside one name
# ("Islamic State of Iraq and the Levant", "Amigos dos Amigos", "al-Qaida", "Jalisco Cartel - New").
CONNECTORS = frozenset(
    [
        "of",
        "and",
        "the",
        "for",
        "de",
        "del",
        "la",
        "los",
        "las",
        "dos",
        "do",
        "da",
        "e",
        "i",
        "y",
        "al",
        "el",
        "bin",
        "ibn",
        "-",
        "’s",
        "'s",
    ]
)
MIN_SPANS = 5
MAX_TOKENS = 8
# a capitalised word after these may be capitalised only because it opens a sentence or quote
SENTENCE_OPENERS = frozenset({".", "!", "?", ":", '"', "“", "‘", "'", "("})


def _capitalised(token: Any) -> bool:
    text = token.text
    return text[:1].isupper() and any(c.isalpha() for c in text)


def candidate_spans(doc: Doc, max_tokens: int = MAX_TOKENS) -> list[tuple[int, int]]:
    """(start, end) of every candidate: sub-runs of a capitalised run that begin and end on a
    capitalised word, each also with the lower-case word after it."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        if not _capitalised(doc[i]):
            i += 1
            continue
        end = i + 1
        j = end
        while j < len(doc):
            if _capitalised(doc[j]):
                end = j + 1
            elif doc[j].lower_ not in CONNECTORS or doc[j].is_space:
                break
            j += 1
        runs.append((i, end))
        i = end
    out: set[tuple[int, int]] = set()
    for s0, e0 in runs:
        caps = [k for k in range(s0, e0) if _capitalised(doc[k])]
        for a in caps:
            for b in caps:
                if a <= b and b + 1 - a <= max_tokens:
                    out.add((a, b + 1))
                    nxt = b + 1
                    if (
                        nxt < len(doc)
                        and doc[nxt].is_alpha
                        and doc[nxt].is_lower
                        and doc[nxt].lower_ not in CONNECTORS
                        and nxt + 1 - a <= max_tokens
                    ):
                        out.add((a, nxt + 1))
    return sorted(out)


def _word(doc: Doc, i: int) -> str:
    return doc[i].lower_ if 0 <= i < len(doc) else ("<s>" if i < 0 else "</s>")


def _shape(text: str) -> str:
    if text.isupper():
        return "CAPS"
    if text[:1].isupper():
        return "Cap"
    return "low" if text.isalpha() else "other"


def acronym_links(doc: Doc, spans: list[tuple[int, int]]) -> tuple[set, set]:
    """Candidates followed by "(ACRONYM)" and the acronyms they define: (expansions, acronyms)."""
    expansions: set[tuple[int, int]] = set()
    defined: set[str] = set()
    for s, e in spans:
        if e + 2 < len(doc) and doc[e].text == "(" and doc[e + 2].text == ")":
            acronym = doc[e + 1].text
            if acronym.isupper() and len(acronym) >= 2 and e - s >= 2:
                expansions.add((s, e))
                defined.add(acronym)
    return expansions, defined


def evidence_spans(doc: Doc, key: str | None) -> dict[tuple[int, int], str]:
    """(start, end) -> label of the entities another model put in ``doc.spans[key]`` (the base
    pipeline's NER, nerwb.components.base_entities); empty without a key or group."""
    if not key or key not in doc.spans:
        return {}
    return {(span.start, span.end): span.label_ for span in doc.spans[key]}


def _evidence_features(s: int, e: int, evidence: dict[tuple[int, int], str]) -> list[str]:
    """What the base NER said of this stretch: the same span (its label), a span around it, or
    one that crosses it. The label of a base entity is evidence, not identity: ORG or NORP
    around "Maoists attacked" says "a group", whatever the group is called."""
    if (s, e) in evidence:
        return [f"base={evidence[(s, e)]}"]
    out = []
    for (a, b), label in evidence.items():
        if a <= s and e <= b:
            out.append(f"base_within={label}")
        elif a < e and s < b:
            out.append(f"base_crosses={label}")
    return out or ["base=none"]


def candidate_features(
    doc: Doc,
    s: int,
    e: int,
    expansions: set,
    defined: set[str],
    evidence: dict[tuple[int, int], str] | None = None,
) -> list[str]:
    """What decides a candidate's label, without its identity."""
    tokens = doc[s:e]
    n = e - s
    opens = s == 0 or doc[s - 1].is_space or doc[s - 1].text in SENTENCE_OPENERS
    out = [
        f"len={min(n, 5)}",
        f"shape={'|'.join(_shape(t.text) for t in tokens[:4])}",
        f"p1={_word(doc, s - 1)}",
        f"p2={_word(doc, s - 2)}|{_word(doc, s - 1)}",
        f"n1={_word(doc, e)}",
        f"n2={_word(doc, e)}|{_word(doc, e + 1)}",
        f"sent_start={opens}",
        f"prev_cap={s > 0 and _capitalised(doc[s - 1])}",
        f"next_cap={e < len(doc) and _capitalised(doc[e])}",
    ]
    if n > 1:  # the head of a multi-word name says what it is ("Brigades", "Front", "cartel")
        out.append(f"head={tokens[-1].lower_}")
        out += [f"inner={t.lower_}" for t in tokens if t.lower_ in CONNECTORS]
    elif len(tokens[0]) >= 5:  # an ending ("-ists", "-ah") says something; a short word's is itself
        out.append(f"suffix={tokens[0].lower_[-2:]}")
    if "-" in tokens.text:
        out.append("hyphen")
    if (s, e) in expansions:
        out.append("defines_acronym")
    if n == 1 and tokens.text in defined:
        out.append("defined_acronym")
    out += [f"before={_word(doc, i)}" for i in range(s - 5, s)]
    out += [f"after={_word(doc, i)}" for i in range(e, e + 5)]
    if evidence is not None:
        out += _evidence_features(s, e, evidence)
    return out


def spans_to_judge(doc: Doc, evidence: dict[tuple[int, int], str]) -> list[tuple[int, int]]:
    """The capitalised candidates, and each entity of the evidence that is not one of them."""
    spans = set(candidate_spans(doc))
    spans.update(span for span in evidence if span[1] - span[0] <= MAX_TOKENS)
    return sorted(spans)


@dataclass
class CandidateModel:
    labels: list[str]
    threshold: float
    classifier: Linear | None = None
    training: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CandidateModel:
        linear = Linear(**data["classifier"]) if data.get("classifier") else None
        return cls(**{**data, "classifier": linear})


class NameCandidates:
    def __init__(
        self,
        name: str,
        *,
        labels: list[str] | None,
        threshold: float,
        regularization: float,
        evidence: str | None = None,
        evidence_from: list[str] | None = None,
    ) -> None:
        self.name = name
        self.requested = list(labels) if labels else None
        self.threshold = threshold
        self.regularization = regularization
        # the span group another model fills (base_entities' "base_ents"), and the components
        # that fill it: run on the gold texts in initialize, where the pipeline has not yet
        self.evidence = evidence or None
        self.evidence_from = list(evidence_from or [])
        self.model: CandidateModel | None = None

    @property
    def labels(self) -> list[str]:
        return list(self.model.labels) if self.model else []

    def _labels(self, examples: list[Example]) -> list[str]:
        return name_labels(FACTORY, self.requested, examples, min_spans=MIN_SPANS)[0]

    def initialize(
        self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None
    ) -> None:
        """Fit the classifier: every candidate in the gold documents, labelled with the gold
        entity it matches exactly, or none."""
        examples = list(get_examples())
        labels = self._labels(examples)
        rows, targets = [], []
        covered = 0
        gold_total = 0
        for eg in examples:
            doc = eg.reference
            gold = {(e.start, e.end): e.label_ for e in doc.ents if e.label_ in labels}
            evidence = self._evidence_of_gold(doc, nlp)
            spans = spans_to_judge(doc, evidence or {})
            expansions, defined = acronym_links(doc, spans)
            for s, e in spans:
                rows.append(candidate_features(doc, s, e, expansions, defined, evidence))
                targets.append(gold.get((s, e), ""))
            covered += len(set(gold) & set(spans))
            gold_total += len(gold)
        model = CandidateModel(labels, self.threshold)
        model.training = {
            "candidates": len(rows),
            "gold_spans": gold_total,
            "gold_spans_among_candidates": covered,
        }
        if labels and len(set(targets)) > 1:
            model.classifier = Linear.fit(rows, targets, self.regularization)
        self.model = model

    def _evidence_of_gold(self, doc: Doc, nlp: Language | None) -> dict | None:
        """The evidence for a gold document: its own span group, or the one the evidence
        components make from its text (a gold document has not been through the pipeline)."""
        if not self.evidence:
            return None
        if self.evidence in doc.spans or nlp is None or not self.evidence_from:
            return evidence_spans(doc, self.evidence)
        made = nlp.make_doc(doc.text)
        for name in self.evidence_from:
            made = nlp.get_pipe(name)(made)
        found = evidence_spans(made, self.evidence)
        if len(made) != len(doc):  # another tokenisation: map by characters
            by_char = {
                (made[s].idx, made[e - 1].idx + len(made[e - 1])): lab
                for (s, e), lab in found.items()
            }
            found = {}
            for (a, b), label in by_char.items():
                span = doc.char_span(a, b)
                if span is not None:
                    found[(span.start, span.end)] = label
        return found

    def scored(self, doc: Doc) -> list[tuple[float, int, int, str]]:
        """(probability, start, end, label) of every candidate's most probable entity label."""
        model = self.model
        if model is None or model.classifier is None:
            return []
        evidence = evidence_spans(doc, self.evidence) if self.evidence else None
        spans = spans_to_judge(doc, evidence or {})
        if not spans:
            return []
        expansions, defined = acronym_links(doc, spans)
        rows = [candidate_features(doc, s, e, expansions, defined, evidence) for s, e in spans]
        probs = model.classifier.probabilities(rows)
        classes = model.classifier.classes
        out = []
        for (s, e), row in zip(spans, probs, strict=True):
            best = max((i for i, c in enumerate(classes) if c), key=lambda i: row[i])
            out.append((float(row[best]), s, e, classes[best]))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            raise ValueError(f"{self.name} is not initialised: train the pipeline first")
        doc.ents = fill(doc, choose(self.scored(doc), self.model.threshold))
        return doc

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(asdict(self.model) if self.model else None).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> NameCandidates:
        loaded = json.loads(data.decode("utf-8"))
        self.model = CandidateModel.from_json(loaded) if loaded else None
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.json").write_bytes(self.to_bytes())

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> NameCandidates:
        return self.from_bytes((Path(path) / "model.json").read_bytes())


def fill(doc: Doc, chosen: list[tuple[int, int, str]]) -> list[Span]:
    """The NER's entities plus the chosen spans that overlap none of them."""
    ner = list(doc.ents)
    taken = {i for e in ner for i in range(e.start, e.end)}
    mine = [Span(doc, s, e, label=label) for s, e, label in chosen if taken.isdisjoint(range(s, e))]
    return sorted(ner + mine, key=lambda x: x.start)


@Language.factory(
    FACTORY,
    default_config={
        "labels": None,
        "threshold": 0.8,
        "regularization": 1.0,
        "evidence": None,
        "evidence_from": [],
    },
    requires=["doc.ents"],
    assigns=["doc.ents"],
)
def make_name_candidates(
    nlp: Language,
    name: str,
    labels: list[str] | None,
    threshold: float,
    regularization: float,
    evidence: str | None,
    evidence_from: list[str],
) -> NameCandidates:
    """spaCy factory ``nerwb_name_candidates`` (an entry point of nerwb's package).

    ``evidence``: a span group another model fills (``base_ents``, ner-stacked.cfg's base NER),
    read as features and as more candidates; ``evidence_from``: the components that fill it."""
    if not 0.0 < threshold <= 1.0:
        raise TrainingError(
            f"{FACTORY}: threshold must lie in (0, 1], not {threshold}", kind=ErrorKind.BAD_CONFIG
        )
    if regularization <= 0:
        raise TrainingError(
            f"{FACTORY}: regularization must be above 0, not {regularization}",
            kind=ErrorKind.BAD_CONFIG,
        )
    missing = [c for c in evidence_from if c not in nlp.component_names]
    if missing:
        raise TrainingError(
            f"{FACTORY}: evidence_from names no component {', '.join(missing)}",
            kind=ErrorKind.BAD_CONFIG,
        )
    return NameCandidates(
        name,
        labels=labels,
        threshold=threshold,
        regularization=regularization,
        evidence=evidence,
        evidence_from=evidence_from,
    )
