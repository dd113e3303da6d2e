"""The held-request watcher: it stops once nothing is held, without blocking its event loop."""
from __future__ import annotations

import asyncio
import threading

from agentdeck.owlette.fleet import waiting


def test_the_watcher_leaves_once_the_last_held_request_is_done(monkeypatch):
    monkeypatch.setenv(waiting.CHECK_ENV, "0.01")
    held = waiting._Held()
    outcome = {}

    async def hold_then_release():
        loop = asyncio.get_running_loop()
        with held.watching(("command", "none")):
            await asyncio.sleep(0)
        # released before the watcher's first look: its next round finds nothing held and leaves
        for _ in range(200):
            await asyncio.sleep(0.01)
            if loop not in held._watchers:
                outcome["left"] = True
                return

    thread = threading.Thread(target=lambda: asyncio.run(hold_then_release()), daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the watcher blocked its event loop"
    assert outcome.get("left")
