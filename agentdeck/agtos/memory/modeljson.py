"""Asking a router slot for a JSON object and reading it back, tolerant of prose around it."""
from __future__ import annotations

import json
import re

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_object(text: str) -> dict | None:
    """The first JSON object in a model's reply (bare, fenced, or inside prose), else None."""
    text = text or ""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for candidate in candidates:
        start = candidate.find("{")
        while start != -1:
            try:
                value, _ = json.JSONDecoder().raw_decode(candidate[start:])
            except ValueError:
                start = candidate.find("{", start + 1)
                continue
            if isinstance(value, dict):
                return value
            start = candidate.find("{", start + 1)
    return None


async def ask_json(slot: str, system: str, user: str) -> tuple[dict | None, str]:
    """Ask ``slot`` (through the process router); returns the parsed object (or None) and the text."""
    from agentdeck.router import get_router

    routed = await get_router().complete(slot, [{"role": "system", "content": system},
                                                {"role": "user", "content": user}],
                                         options={"temperature": 0})
    text = routed.completion.text or ""
    return parse_object(text), text
