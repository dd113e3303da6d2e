"""The background maintenance loop: periodic sweeps run under a database lease, so that with
several workers or hosts exactly one runner does each sweep."""
from __future__ import annotations

import asyncio
import logging

from agentdeck import leases
from agentdeck.storage.db import release_connection

log = logging.getLogger("agentdeck.maintenance")
LEASE_NAME = "maintenance"


def run_sweeps_once(sweeps) -> bool:
    """Run every sweep if this process holds the maintenance lease; True when it ran them."""
    try:
        if not leases.acquire(LEASE_NAME, ttl_seconds=60):
            return False
        for sweep in sweeps:
            try:
                sweep()
            except Exception:  # one failing sweep must not stop the others
                log.exception("maintenance sweep %r failed", sweep)
        return True
    finally:
        release_connection()


async def maintenance_loop(sweeps, interval: float) -> None:
    """Run ``run_sweeps_once`` every ``interval`` seconds until cancelled."""
    while True:
        await asyncio.to_thread(run_sweeps_once, sweeps)
        await asyncio.sleep(interval)
