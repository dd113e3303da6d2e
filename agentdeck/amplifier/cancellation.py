"""Stopping replies in progress, from this worker or any other.

Each event loop keeps a ``RunRegistry`` of the replies it is running. ``/cancel`` records the
request in the database and signals the local registry; a watcher task, alive while this worker
runs replies, polls the database every ``POLL_INTERVAL`` seconds (one query for all of them) and
stops those cancelled, deleted or lost elsewhere, and refreshes their heartbeats.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass

from agentdeck.amplifier.sessions import refresh_heartbeats, runs_to_stop

log = logging.getLogger(__name__)
POLL_INTERVAL = 0.25
HEARTBEAT_INTERVAL = 5.0


@dataclass
class LocalRun:
    """A reply task running in this worker."""

    run_id: str
    task: asyncio.Task
    cancel_sent: bool = False

    def cancel(self) -> bool:
        """Cancel the task once (a second cancel could interrupt it while it saves the reply)."""
        if self.cancel_sent or self.task.done():
            return False
        self.cancel_sent = True
        self.task.cancel()
        return True


class RunRegistry:
    """The replies running on one event loop, by session id."""

    def __init__(self):
        self.runs: dict[str, LocalRun] = {}
        self._watcher: asyncio.Task | None = None

    def add(self, session_id: str, run_id: str, task: asyncio.Task) -> LocalRun:
        """Track a reply task; starts the watcher if it is not running."""
        run = self.runs[session_id] = LocalRun(run_id, task)
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        return run

    def discard(self, session_id: str, run_id: str) -> None:
        """Stop tracking a finished reply."""
        run = self.runs.get(session_id)
        if run is not None and run.run_id == run_id:
            del self.runs[session_id]

    def cancel(self, session_id: str) -> bool:
        """Cancel the session's reply if it runs here; True when one was cancelled."""
        run = self.runs.get(session_id)
        return run.cancel() if run is not None else False

    async def _watch(self) -> None:
        last_beat = time.monotonic()
        while self.runs:
            await asyncio.sleep(POLL_INTERVAL)
            snapshot = {sid: run.run_id for sid, run in self.runs.items()}
            try:
                for session_id in await asyncio.to_thread(runs_to_stop, snapshot):
                    self.cancel(session_id)
                if time.monotonic() - last_beat >= HEARTBEAT_INTERVAL:
                    await asyncio.to_thread(refresh_heartbeats, list(snapshot.values()))
                    last_beat = time.monotonic()
            except Exception:  # a database hiccup must not end the watch; the next poll retries
                log.exception("checking Amplifier cancellation requests failed")


_registries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def registry() -> RunRegistry:
    """The registry of the running event loop."""
    loop = asyncio.get_running_loop()
    found = _registries.get(loop)
    if found is None:
        found = _registries[loop] = RunRegistry()
    return found
