"""Dev scores: spaCy's strict entity scores of a pipeline on the dev data.

``ents_p``/``ents_r``/``ents_f`` and ``ents_per_type``; they reach the training manifest's
``best_dev``, each evaluation step's progress event, and the CLI's tables.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class LabelScores(BaseModel):
    model_config = ConfigDict(extra="forbid")

    p: float = 0.0
    r: float = 0.0
    f: float = 0.0


class DevScores(BaseModel):
    """The ``ents_*`` scores of spaCy's NER scorer; ``None`` where spaCy had none to give."""

    model_config = ConfigDict(extra="forbid")

    ents_f: float | None = None
    ents_p: float | None = None
    ents_r: float | None = None
    ents_per_type: dict[str, LabelScores] | None = None

    @classmethod
    def from_spacy(cls, scores: dict[str, Any] | None) -> DevScores:
        """The entity scores among spaCy's ``performance`` or ``other_scores`` (the rest, such
        as a tagger's, are not nerwb's to carry)."""
        picked = {k: v for k, v in (scores or {}).items() if k in cls.model_fields}
        if not isinstance(picked.get("ents_per_type"), dict | None):
            # spaCy's scorer gives a bare 0.0 here when the dev data holds no entity
            picked["ents_per_type"] = None
        return cls.model_validate(picked)
