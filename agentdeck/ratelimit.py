"""Request rate limits, counted in the database so that every worker and host shares them.

A limit has a name, a number of requests and a window (``Limit("owlette-auth", 10, 60)``); each
client (usually its address) gets its own fixed window starting at its first request. A request
past the limit raises ``RateLimited``, which every surface's error layer answers with 429,
``Retry-After`` and ``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (the reset as a Unix time,
or as seconds from now for a limit made with ``reset_as_seconds``, as agtOS documents it); the
body carries ``retryAfter`` and a ``message`` for surfaces whose shape has room for them.

With ``REDIS_URL`` set the windows are counted in Redis instead (one atomic script per request:
increment, and start the window's expiry on its first request), shared by every host using that
Redis. Should Redis stop answering, requests are counted in the database until it answers again,
so a Redis outage neither refuses nor waves through everything.

``agentdeck.throttle`` is the other counter: it counts *failed* credential checks, where this
counts every request.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta

import redis
from peewee import Case
from starlette.concurrency import run_in_threadpool

from agentdeck import redisconn
from agentdeck.errors import TooManyRequests
from agentdeck.storage.db import writing
from agentdeck.storage.models.ratelimit import RateLimitWindow
from agentdeck.timeutil import utcnow


log = logging.getLogger(__name__)

REDIS_PREFIX = "agentdeck:ratelimit:"
# KEYS[1] the window; ARGV[1] its length in ms. Returns {requests in the window, ms until it ends}.
_REDIS_COUNT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


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
    counted = _count_in_redis(bucket, limit.window_seconds)
    count, seconds_left = counted if counted is not None else _count_in_database(bucket, limit.window_seconds)
    if count > limit.requests:
        retry_after = max(1, math.ceil(seconds_left))
        raise RateLimited(limit, retry_after, math.ceil(time.time() + seconds_left))
    return limit.requests - count


def _count_in_redis(bucket: str, window_seconds: float) -> tuple[int, float] | None:
    """(requests in the window, seconds until it ends) counted in Redis; None without a usable Redis."""
    connection = redisconn.client()
    if connection is None:
        return None
    try:
        count, ms_left = connection.eval(_REDIS_COUNT, 1, REDIS_PREFIX + bucket, max(1, int(window_seconds * 1000)))
    except redis.RedisError as error:
        log.warning("rate limits counted in the database: Redis did not answer (%s)", error)
        return None
    return int(count), int(ms_left) / 1000


def _count_in_database(bucket: str, window_seconds: float) -> tuple[int, float]:
    """(requests in the window, seconds until it ends) counted in the database."""
    now = utcnow()
    window = timedelta(seconds=window_seconds)
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
    return row.count, (row.window_started_at + window - now).total_seconds()


def prune() -> None:
    """Drop windows that ended more than a day ago (a maintenance sweep)."""
    with writing():
        RateLimitWindow.delete().where(RateLimitWindow.window_started_at < utcnow() - timedelta(days=1)).execute()


class MountRateLimit:
    """ASGI middleware: every request below ``<mount><prefix>`` of one of ``mounts`` counts against
    ``limit`` for its client address, unless ``exempt(scope)`` says it is counted elsewhere.

    Installed inside Connexion's exception handling, so the 429 takes the surface's error shape.
    """

    def __init__(self, app, mounts: list[str], limit: Limit, prefix: str = "/api", exempt=None):
        self.app = app
        self.prefixes = tuple(mount.rstrip("/") + prefix for mount in mounts)
        self.limit = limit
        self.exempt = exempt or (lambda scope: False)

    def _counted(self, scope) -> bool:
        if scope["type"] != "http":
            return False
        path = scope["path"]
        return (any(path == p or path.startswith(p + "/") for p in self.prefixes)
                and not self.exempt(scope))

    async def __call__(self, scope, receive, send):
        if self._counted(scope):
            client = scope["client"][0] if scope.get("client") else None
            await run_in_threadpool(hit, self.limit, client)
        await self.app(scope, receive, send)
