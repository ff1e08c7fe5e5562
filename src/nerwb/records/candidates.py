"""The name candidates of the unpushed pool, ``.nerwb/name-candidates.json``, as ``nerwb select``
(or ``train-curve``) last counted them: ``nerwb status`` reads them to say how many unseen names
are left without loading spaCy (the candidates need its tokenizer; comparing them with today's
gold names does not)."""

from __future__ import annotations

from pydantic import Field

from nerwb.records._base import Record


class NameCandidatesFile(Record):
    WHAT = "name candidates"

    lang: str = "en"
    segment_length: int | None = None  # the cut the segment ids belong to
    counted_at: str = ""  # ISO time
    # segment id -> its normalised name candidates (select.candidates, without a model), as
    # counted over the pool of that time
    segments: dict[str, list[str]] = Field(default_factory=dict)
