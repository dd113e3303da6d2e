"""Password verification off the request threads.

argon2 takes tens of milliseconds of CPU and 64 MiB per check. Run on the shared worker-thread
pool, a burst of sign-ins would take every thread, and every plain-``def`` request behind them
would wait; so checks run on their own pool, one thread per core, and queue there.
"""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from agentdeck.security.tokens import verify_password

_pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="password-check")


async def verify(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``, checked on the password pool."""
    return await asyncio.get_running_loop().run_in_executor(_pool, verify_password, stored_hash, password)
