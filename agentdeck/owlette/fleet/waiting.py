"""Waking held requests: agents' command long-polls (by machine) and ``wait: true`` senders (by
command), in this process and across processes.

A held request keeps neither a database connection nor a thread: it waits on an ``asyncio.Event``
on its event loop. Writes in this process set the events at once. For writes in other processes
(a command sent on another worker), one watcher task per event loop runs while anything is held:
every ``AGENTDECK_OWLETTE_COMMAND_CHECK_SECONDS`` (default 0.2) it reads which held machines have
pending commands and which held commands have changed, in one short query each, and wakes those.
So the database sees a few queries a second per worker however many polls are held.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from datetime import timedelta

from starlette.concurrency import run_in_threadpool

from agentdeck.storage.db import gives_back_connection
from agentdeck.storage.models.owlette_fleet import Command
from agentdeck.timeutil import utcnow

log = logging.getLogger("agentdeck.owlette.fleet")
CHECK_ENV, DEFAULT_CHECK = "AGENTDECK_OWLETTE_COMMAND_CHECK_SECONDS", 0.2


def check_seconds() -> float:
    """How often a worker holding requests looks for other workers' writes (default 0.2 s)."""
    try:
        value = float(os.environ.get(CHECK_ENV) or DEFAULT_CHECK)
    except ValueError:
        return DEFAULT_CHECK
    return min(max(value, 0.01), 5.0) if value == value else DEFAULT_CHECK


class _Held:
    """Events of held requests by key: ("machine", site, machine) or ("command", id)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_key: dict[tuple, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._watchers: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}

    @contextlib.contextmanager
    def watching(self, key: tuple):
        loop = asyncio.get_running_loop()
        entry = (loop, asyncio.Event())
        with self._lock:
            self._by_key.setdefault(key, set()).add(entry)
            task = self._watchers.get(loop)
            if task is None or task.done():
                self._watchers[loop] = loop.create_task(self._watch(loop))
        try:
            yield entry[1]
        finally:
            with self._lock:
                entries = self._by_key.get(key, set())
                entries.discard(entry)
                if not entries:
                    self._by_key.pop(key, None)

    def wake(self, key: tuple) -> None:
        """Wake every request held for ``key``; callable from any thread."""
        with self._lock:
            entries = list(self._by_key.get(key, ()))
        for loop, event in entries:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    def _keys(self, loop) -> list[tuple]:
        with self._lock:
            return self._keys_locked(loop)

    def _keys_locked(self, loop) -> list[tuple]:
        """``_keys`` for a caller already holding the lock (it is not re-entrant)."""
        return [key for key, entries in self._by_key.items() if any(l is loop for l, _ in entries)]

    async def _watch(self, loop) -> None:
        since = utcnow() - timedelta(seconds=1)
        while True:
            await asyncio.sleep(check_seconds())
            keys = self._keys(loop)
            if not keys:
                with self._lock:
                    if not self._keys_locked(loop):
                        self._watchers.pop(loop, None)
                        return
                continue
            try:
                since, woken = await run_in_threadpool(_changed, keys, since)
            except Exception:  # the database is briefly away: the next round tries again
                log.warning("command watcher: read failed", exc_info=True)
                continue
            for key in woken:
                self.wake(key)


@gives_back_connection
def _changed(keys: list[tuple], since):
    """Which of ``keys`` have news: machines with pending commands, commands changed since ``since``."""
    now = utcnow()
    woken: list[tuple] = []
    machines = {(k[1], k[2]) for k in keys if k[0] == "machine"}
    commands = [k[1] for k in keys if k[0] == "command"]
    if machines:
        sites = {site for site, _ in machines}
        rows = (Command.select(Command.site, Command.machine_id)
                .where((Command.status == "pending") & Command.site.in_(list(sites))
                       & Command.machine_id.in_([m for _, m in machines]))
                .distinct().tuples())
        woken += [("machine", site, machine) for site, machine in rows if (site, machine) in machines]
    if commands:
        rows = (Command.select(Command.id)
                .where(Command.id.in_(commands) & (Command.updated_at >= since - timedelta(seconds=1))).tuples())
        woken += [("command", cid) for (cid,) in rows]
    return now, woken


held = _Held()
