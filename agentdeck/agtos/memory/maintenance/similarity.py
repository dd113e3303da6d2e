"""The sweep's steps that compare conclusions by meaning: redundancy merge (step 3) and the
contradiction pipeline (step 5).

Conclusions are embedded with the memory's embedder (``agentdeck.agtos.memory.embedding``).
- **redundant**: two live conclusions of one type whose cosine similarity is at least
  ``REDUNDANT_AT`` (0.92) are one: the more confident keeps both's sources, the other is
  soft-deleted.
- **contradictions**, in three stages reported as ``contradictionPipeline``: stage 1 selects
  candidate pairs whose similarity is at least ``CANDIDATE_AT`` (0.6) (same subject matter);
  stage 2 keeps the ``JUDGE_AT_MOST`` (20) most similar of them (agentdeck has no NLI model: its
  count is reported as ``nliConfirmed``); stage 3 asks the model of the ``maintenance`` slot to
  judge each pair, and a pair it calls a contradiction with confidence ≥ 0.5 is flagged on the
  less confident conclusion (``llmConfirmed``).
"""
from __future__ import annotations

import importlib
import json
import logging
import re
import time

import numpy as np

from agentdeck.timeutil import utcnow

log = logging.getLogger(__name__)
REDUNDANT_AT = 0.92
CANDIDATE_AT = 0.6
JUDGE_AT_MOST = 20
SLOT = "maintenance"
JUDGE_PROMPT = ("Do these two statements about the same user contradict each other (both cannot be true "
                "at once)? Answer with JSON only: {\"contradiction\": true|false, \"confidence\": 0-1}.")
_JSON = re.compile(r"\{.*\}", re.DOTALL)


def _embedding_module():
    try:
        return importlib.import_module("agentdeck.agtos.memory.embedding")
    except ImportError:
        return None


def embed_conclusions(conclusions: list) -> dict:
    """``{conclusion id: unit vector}`` from the memory's embedder; empty when none is installed.
    Done once per sweep, before its write transaction (which should not wait on a model)."""
    module = _embedding_module()
    if module is None or len(conclusions) < 2:
        return {}
    return dict(zip((str(c.id) for c in conclusions), module.embed_matrix([c.content for c in conclusions])))


def similar_pairs(conclusions: list, vectors: dict, at_least: float) -> list[tuple[float, object, object]]:
    """Pairs of ``conclusions`` with cosine similarity ≥ ``at_least``, most similar first (one
    matrix product: the vectors are unit length)."""
    known = [c for c in conclusions if str(c.id) in vectors]
    if len(known) < 2:
        return []
    matrix = np.stack([vectors[str(c.id)] for c in known])
    scores = np.triu(matrix @ matrix.T, k=1)
    pairs = [(float(scores[i, j]), known[i], known[j]) for i, j in np.argwhere(scores >= at_least)]
    return sorted(pairs, key=lambda p: -p[0])


def merge_redundant(state) -> None:
    """Step 3: merge near-duplicate conclusions of the same type."""
    for score, first, second in similar_pairs(state.live_conclusions(), state.vectors, REDUNDANT_AT):
        if first.deleted_at is not None or second.deleted_at is not None or first.type != second.type:
            continue
        keep, drop = (first, second) if first.confidence >= second.confidence else (second, first)
        keep.sources = list(dict.fromkeys([*(keep.sources or []), *(drop.sources or [])]))
        keep.save()
        drop.deleted_at = utcnow()
        drop.save()
        state.summary["redundant"] += 1
        state.issue("redundant", drop, "merged", f"Same as {keep.id} (similarity {score:.2f})")


def contradiction_candidates(state) -> tuple[list, dict]:
    """Stages 1 and 2: the pairs to judge and the pipeline counts and latencies so far."""
    started = time.perf_counter()
    pairs = [p for p in similar_pairs(state.live_conclusions(), state.vectors, CANDIDATE_AT) if p[0] < REDUNDANT_AT]
    stage1 = time.perf_counter()
    judged = pairs[:JUDGE_AT_MOST]
    stage2 = time.perf_counter()
    return judged, {"candidatesSelected": len(pairs), "nliConfirmed": len(judged), "llmConfirmed": 0,
                    "stageLatencyMs": {"stage1": state.embed_ms + round((stage1 - started) * 1000),
                                       "stage2": round((stage2 - stage1) * 1000), "stage3": 0}}


def parse_verdict(text: str) -> tuple[bool, float]:
    """``(contradiction, confidence)`` from the judge's answer; ``(False, 0.0)`` if unreadable."""
    match = _JSON.search(text or "")
    try:
        data = json.loads(match.group(0)) if match else {}
    except ValueError:
        return False, 0.0
    if not isinstance(data, dict):
        return False, 0.0
    confidence = data.get("confidence")
    confidence = float(confidence) if isinstance(confidence, (int, float)) and not isinstance(confidence, bool) else 0.0
    return data.get("contradiction") is True, min(1.0, max(0.0, confidence))


async def judge_pairs(router, pairs: list) -> tuple[list, int]:
    """Stage 3: ``([(pair, confidence)] judged contradictory, milliseconds)``. A provider that
    fails leaves the rest unjudged (logged), rather than failing the sweep."""
    started = time.perf_counter()
    confirmed = []
    for pair in pairs:
        _, first, second = pair
        messages = [{"role": "system", "content": JUDGE_PROMPT},
                    {"role": "user", "content": json.dumps({"a": first.content, "b": second.content})}]
        try:
            routed = await router.complete(SLOT, messages, options={"temperature": 0})
        except Exception:  # noqa: BLE001 - any provider failure ends the judging, not the sweep
            log.warning("contradiction judge unavailable; %d pair(s) unjudged", len(pairs), exc_info=True)
            break
        verdict, confidence = parse_verdict(routed.completion.text)
        if verdict and confidence >= 0.5:
            confirmed.append((pair, confidence))
    return confirmed, round((time.perf_counter() - started) * 1000)


def flag_contradictions(state, confirmed: list) -> None:
    """Flag the less confident conclusion of each confirmed pair."""
    for (_, first, second), confidence in confirmed:
        flagged, other = (first, second) if first.confidence <= second.confidence else (second, first)
        state.summary["contradictions"] += 1
        state.issue("contradiction", flagged, "flagged",
                    f"Conflicts with {other.id} (model verdict: contradiction, confidence {confidence:.2f})")
