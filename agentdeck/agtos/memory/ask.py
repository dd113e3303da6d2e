"""``ask``: a question about the user, answered by the reasoning slot from what memory holds.

The context given to the model is the profile, the 20 most confident conclusions and the 8 best
episodes for the question (hybrid search), each episode and conclusion under its id. The model is
asked for ``{"answer", "confidence", "sources"}``; sources it names that were not in the context
are dropped, and when it names none, the sources are the episodes of the context the answer was
drawn from. So every id returned is a stored episode's. A reply that is not JSON is taken as the
answer, with confidence 0.5.
"""
from __future__ import annotations

import asyncio
import json

from agentdeck.agtos.memory import conclusions, profile, search
from agentdeck.agtos.memory.modeljson import ask_json
from agentdeck.storage.db import gives_back_connection
from agentdeck.storage.models.agtos_memory import Episode

SLOT = "reasoning"
EPISODES = 8
CONCLUSIONS = 20
SYSTEM = ("You answer questions about the user from their memory records only. Reply with one JSON "
          "object: {\"answer\": string, \"confidence\": number 0..1, \"sources\": [ids of the episodes "
          "and conclusions you used]}. Say you do not know when the records do not tell.")


def _context(question: str) -> tuple[str, list[str], dict[str, list[str]]]:
    hits = search.search(question, EPISODES)
    found = {e.id: e for e in Episode.select().where(Episode.id.in_([h.episode_id for h in hits]))}
    episode_ids = [h.episode_id for h in hits if h.episode_id in found]
    drawn = conclusions.listed(limit=CONCLUSIONS)
    lines = ["Profile: " + json.dumps(profile.get(), ensure_ascii=False), "Conclusions:"]
    lines += [f"- [{c.id}] ({c.type}, confidence {c.confidence:.2f}) {c.content}" for c in drawn]
    lines.append("Episodes:")
    lines += [f"- [{i}] {found[i].created_at:%Y-%m-%d} {found[i].topic}: {found[i].summary[:600]}" for i in episode_ids]
    lines.append(f"Question: {question}")
    return "\n".join(lines), episode_ids, {c.id: list(c.sources or []) for c in drawn}


async def ask(question: str) -> dict:
    """``{answer, confidence, sources}`` for ``question``; sources are stored episodes' ids."""
    text, episode_ids, conclusion_sources = await asyncio.to_thread(gives_back_connection(_context), question)
    parsed, raw = await ask_json(SLOT, SYSTEM, text)
    if parsed is None or not isinstance(parsed.get("answer"), str):
        return {"answer": raw.strip(), "confidence": 0.5, "sources": episode_ids}
    cited = parsed.get("sources") if isinstance(parsed.get("sources"), list) else []
    sources: list[str] = []
    for ident in map(str, cited):
        if ident in episode_ids:
            sources.append(ident)
        elif ident in conclusion_sources:  # a conclusion cited: the episodes it rests on
            sources.extend(conclusion_sources[ident])
    sources = list(dict.fromkeys(sources)) or episode_ids
    try:
        confidence = min(1.0, max(0.0, float(parsed.get("confidence", 0.5))))
    except (TypeError, ValueError):
        confidence = 0.5
    return {"answer": parsed["answer"], "confidence": confidence, "sources": sources}
