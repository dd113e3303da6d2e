"""agtOS slots: the router's slot registry as ``GET``/``PUT /api/slots``, auto-configure and reset.

The router reads the slots from the database on every call, so a change takes effect at once on
every worker: ``restartRequired`` is always false.
"""
from __future__ import annotations

import asyncio

from agentdeck.errors import InvalidInput
from agentdeck.router import BUILT_IN, DeprecatedModel, Slot, get_router
from agentdeck.storage.db import gives_back_connection


def _slot_documents(slots: dict[str, Slot]) -> dict[str, dict]:
    return {name: slot.to_dict() for name, slot in slots.items()}


def _totals(stats: dict[str, dict]) -> dict:
    return {key: sum(s.get(key, 0) for s in stats.values()) for key in ("requests", "errors", "fallbackCount")}


async def slots_document() -> dict:
    """The live registry: slots, stats summed over slots (and per slot), built-in and active names."""
    router = get_router()
    slots = await asyncio.to_thread(router.get_slots)
    stats = router.stats()
    return {"slots": _slot_documents(slots), "stats": {**_totals(stats), "bySlot": stats},
            "builtInSlotNames": list(BUILT_IN), "activeSlotNames": list(slots)}


async def replace_slots(body: dict) -> dict:
    """Replace the slot configuration; a retired model is the reference's 400 and writes nothing."""
    router = get_router()
    try:
        warnings = await router.put_slots(body)
    except DeprecatedModel as exc:
        raise InvalidInput("Deprecated model(s)", details=[{"message": "Cannot use retired models",
                                                             "deprecated": exc.deprecated}]) from None
    slots = await asyncio.to_thread(router.get_slots)
    document = {"slots": _slot_documents(slots), "restartRequired": False,
                "message": "Slot configuration updated"}
    if warnings:
        document["warnings"] = warnings
    return document


async def auto_configure(body: dict) -> dict:
    """Slots from a mode preset (``cloud``, ``local``, ``hybrid``) and the fallback strategy."""
    mode = body["mode"]
    slots = await get_router().auto_configure(mode, body.get("fallbackStrategy"),
                                              cloud_provider=body.get("cloudProvider"),
                                              ollama_model=body.get("ollamaModel"))
    return {"slots": _slot_documents(slots), "restartRequired": False, "mode": mode,
            "message": f"Auto-configured {len(slots)} slots in {mode} mode."}


@gives_back_connection
def reset_slots() -> dict:
    """Forget custom slots: the built-in defaults apply again."""
    slots = get_router().reset()
    return {"slots": _slot_documents(slots), "restartRequired": False,
            "message": "Slot config reset to the built-in defaults."}
