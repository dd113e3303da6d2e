"""Recording facts between entities: a fact that replaces an earlier one closes it.

A relationship is *exclusive* when its subject can have one object for that predicate at a time
(``works-at``, ``lives-in`` ...): the model says so per fact, and the predicates in
``EXCLUSIVE_PREDICATES`` always are. A new exclusive fact with another object ends the open
facts of the same subject and predicate at its ``valid_from`` and names itself their
``superseded_by``; nothing is erased.
"""
from __future__ import annotations

from agentdeck.storage.models.agtos_entities import Relationship

EXCLUSIVE_PREDICATES = frozenset({"works-at", "lives-in", "located-in", "married-to", "reports-to",
                                  "employed-by", "based-in", "ceo-of", "partner-of"})


def normalised_predicate(predicate: str) -> str:
    """Lower case, words joined by ``-`` (``Works at`` → ``works-at``), at most 100 characters."""
    return "-".join(predicate.strip().lower().replace("_", " ").split())[:100]


def record_relationship(subject_id: str, predicate: str, object_id: str, *, confidence: float,
                        valid_from_ms: int, episode_id: str | None, exclusive: bool = False) -> Relationship:
    """Store the fact (call inside ``writing()``). The same open fact again is kept once (its
    confidence raised to the higher); an exclusive one supersedes the open facts it replaces."""
    predicate = normalised_predicate(predicate)
    same = Relationship.get_or_none((Relationship.subject_id == subject_id) & (Relationship.predicate == predicate)
                                    & (Relationship.object_id == object_id) & Relationship.valid_to_ms.is_null())
    if same is not None:
        if confidence > same.confidence:
            same.confidence = confidence
            same.save()
        return same
    fact = Relationship.create(subject_id=subject_id, predicate=predicate, object_id=object_id,
                               confidence=confidence, valid_from_ms=valid_from_ms, episode_id=episode_id)
    if exclusive or predicate in EXCLUSIVE_PREDICATES:
        (Relationship.update(valid_to_ms=valid_from_ms, superseded_by=fact.id)
         .where((Relationship.subject_id == subject_id) & (Relationship.predicate == predicate)
                & (Relationship.object_id != object_id) & Relationship.valid_to_ms.is_null()
                & (Relationship.valid_from_ms <= valid_from_ms))
         .execute())
    return fact
