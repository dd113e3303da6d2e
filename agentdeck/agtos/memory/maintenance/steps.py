"""The sweep's bookkeeping steps over conclusions: stale detection, confidence decay, orphans
and dangling sources, low-confidence pruning.

- **stale**: a conclusion not updated within the retention window (``AGTOS_MEMORY_RETENTION_DAYS``,
  30) none of whose source episodes is newer than that window;
- **decayed**: each stale conclusion's confidence is multiplied by ``DECAY`` (0.9);
- **danglingSources**: source ids naming no live episode are removed from their conclusion;
- **orphans**: conclusions left with no source at all are flagged;
- **pruned**: conclusions whose confidence is below ``PRUNE_BELOW`` (0.2) are soft-deleted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from agentdeck.timeutil import utcnow

DECAY = 0.9
PRUNE_BELOW = 0.2


@dataclass
class SweepState:
    """What the steps work on (live rows, read once) and what they found."""

    episode_model: type
    conclusion_model: type
    episodes: dict  # id -> episode row
    conclusions: list
    summary: dict = field(default_factory=lambda: dict.fromkeys(
        ("contradictions", "stale", "orphans", "redundant", "pruned", "decayed", "danglingSources"), 0))
    issues: list = field(default_factory=list)
    vectors: dict = field(default_factory=dict)  # conclusion id -> embedding
    embed_ms: int = 0  # time the embeddings took (counted in the contradiction pipeline's stage 1)

    def issue(self, type_: str, conclusion, action: str, description: str) -> None:
        """Record one issue of the report."""
        self.issues.append({"type": type_, "conclusionId": str(conclusion.id), "action": action,
                            "description": description})

    def live_conclusions(self) -> list:
        """The conclusions no step has deleted yet."""
        return [c for c in self.conclusions if c.deleted_at is None]


def detect_stale_and_decay(state: SweepState, retention_days: int) -> None:
    """Steps 1 and 2: flag stale conclusions and decay their confidence."""
    horizon = utcnow() - timedelta(days=retention_days)
    for conclusion in state.live_conclusions():
        sources = [state.episodes.get(str(s)) for s in conclusion.sources or []]
        recent = any(e is not None and e.created_at > horizon for e in sources)
        if (conclusion.updated_at or conclusion.created_at) > horizon or recent:
            continue
        state.summary["stale"] += 1
        before = conclusion.confidence
        conclusion.confidence = round(before * DECAY, 4)
        conclusion.save()
        state.summary["decayed"] += 1
        state.issue("stale", conclusion, "decayed",
                    f"No supporting episode in {retention_days} days; confidence {before:.2f} -> {conclusion.confidence:.2f}")


def flag_orphans_and_dangling(state: SweepState) -> None:
    """Step 4: drop source ids naming no live episode; flag conclusions with no source left."""
    for conclusion in state.live_conclusions():
        sources = list(conclusion.sources or [])
        kept = [s for s in sources if str(s) in state.episodes]
        if len(kept) != len(sources):
            state.summary["danglingSources"] += len(sources) - len(kept)
            conclusion.sources = kept
            conclusion.save()
            state.issue("dangling_source", conclusion, "cleaned",
                        f"Removed {len(sources) - len(kept)} source(s) naming no episode")
        if not kept:
            state.summary["orphans"] += 1
            state.issue("orphan", conclusion, "flagged", "No source episode supports this conclusion")


def prune_low_confidence(state: SweepState) -> None:
    """Step 6: soft-delete conclusions whose confidence fell below ``PRUNE_BELOW``."""
    for conclusion in state.live_conclusions():
        if conclusion.confidence < PRUNE_BELOW:
            conclusion.deleted_at = utcnow()
            conclusion.save()
            state.summary["pruned"] += 1
            state.issue("low_confidence", conclusion, "pruned",
                        f"Confidence {conclusion.confidence:.2f} below {PRUNE_BELOW}")
