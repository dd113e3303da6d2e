"""Request rate limits, counted in the database so that every worker and host shares them.

A limit has a name, a number of requests and a window (``Limit("owlette-auth", 10, 60)``); each
client (usually its address) gets its own fixed window starting at its first request. A request
past the limit raises ``RateLimited``, which every surface's error layer answers with 429,
``Retry-After`` and ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (the reset as a Unix time,
or as seconds from now for a limit made with ``reset_as_seconds``, as agtOS documents it); the
body carries ``retryAfter`` and a ``message`` for surfaces whose shape has room for them.

``agentdeck.throttle`` is the other counter: it counts *failed* credential checks, where this
counts every request.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta, timezone

from peewee import Case

from agentdeck.errors import TooManyRequests
from agentdeck.storage.db import writing
from agentdeck.storage.models.ratelimit import RateLimitWindow
from agentdeck.timeutil import utcnow


@dataclass(frozen=True)
class Limit:
    """``requests`` per ``window_seconds`` for each client, under ``name``."""

    name: str
    requests: int
    window_seconds: float
    reset_as_seconds: bool = False


class RateLimited(TooManyRequests):
    """A rate limit was hit; ``retry_after`` is the seconds until its window ends."""

    def __init__(self, limit: Limit, retry_after: int, reset_epoch: int):
        message = f"Rate limit exceeded. Try again in {retry_after} seconds."
        super().__init__("Too many requests", headers={
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": str(limit.requests),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(retry_after if limit.reset_as_seconds else reset_epoch),
        }, details=[{"retryAfter": retry_after, "message": message}])
        self.retry_after = retry_after


def hit(limit: Limit, client: str | None) -> int:
    """Count one request of ``client`` against ``limit``; returns the requests left.

    Raises ``RateLimited`` once the window holds ``limit.requests`` requests already.
    """
    bucket = f"{limit.name}:{client or 'unknown'}"
    now = utcnow()
    window = timedelta(seconds=limit.window_seconds)
    live = RateLimitWindow.window_started_at > now - window
    with writing():
        # One statement, so that concurrent first requests on PostgreSQL count each other: a
        # live window counts one more, an ended one starts again.
        (RateLimitWindow.insert(bucket=bucket, window_started_at=now, count=1)
         .on_conflict(conflict_target=[RateLimitWindow.bucket], update={
             RateLimitWindow.count: Case(None, [(live, RateLimitWindow.count + 1)], 1),
             RateLimitWindow.window_started_at: Case(None, [(live, RateLimitWindow.window_started_at)], now)})
         .execute())
        row = RateLimitWindow.get_by_id(bucket)
    if row.count > limit.requests:
        ends = row.window_started_at + window
        retry_after = max(1, math.ceil((ends - now).total_seconds()))
        raise RateLimited(limit, retry_after, int(ends.replace(tzinfo=timezone.utc).timestamp()))
    return limit.requests - row.count


def prune() -> None:
    """Drop windows that ended more than a day ago (a maintenance sweep)."""
    with writing():
        RateLimitWindow.delete().where(RateLimitWindow.window_started_at < utcnow() - timedelta(days=1)).execute()
