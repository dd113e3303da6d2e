"""Throttling of failed credential checks (sign-in), counted in the database so that every
worker and host sees the same count.

A bucket names what is being guessed at: an account (``augur-login:account:<email>``) or a client
address. Each failure adds one to its bucket's count for a window that starts at the first
failure; once the count reaches the bucket's limit, checks against that bucket are refused with
429 and ``Retry-After`` until the window ends, whether or not the credentials are right. A success
clears the account's bucket (not the address's).
"""
from __future__ import annotations

import math
from datetime import timedelta, timezone

from agentdeck.errors import TooManyRequests
from agentdeck.storage.db import writing
from agentdeck.storage.models.core import FailedAttempts
from agentdeck.timeutil import utcnow


def refuse_if_throttled(limits: dict[str, int], window_seconds: float) -> None:
    """Raise ``TooManyRequests`` when any bucket in ``limits`` ({bucket: max failures}) is full."""
    now = utcnow()
    rows = FailedAttempts.select().where(FailedAttempts.bucket.in_(list(limits)))
    full = [(row.window_started_at + timedelta(seconds=window_seconds), limits[row.bucket])
            for row in rows if row.failures >= limits[row.bucket]]
    full = [(ends, limit) for ends, limit in full if ends > now]
    if full:
        ends, limit = max(full)
        seconds = math.ceil((ends - now).total_seconds())
        message = f"Too many failed sign-in attempts; try again in {seconds} s"
        # Surfaces whose 429 body has room for them add `retryAfter` and `message` (owlette).
        raise TooManyRequests(message, headers={
            "Retry-After": str(seconds), "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(ends.replace(tzinfo=timezone.utc).timestamp()))},
            details=[{"retryAfter": seconds, "message": message}])


def record_failure(buckets: list[str], window_seconds: float) -> None:
    """Count one failure in each bucket, starting a new window where the last one has ended."""
    now = utcnow()
    window_start = now - timedelta(seconds=window_seconds)
    with writing():
        for bucket in buckets:
            counted = (FailedAttempts
                       .update(failures=FailedAttempts.failures + 1)
                       .where((FailedAttempts.bucket == bucket)
                              & (FailedAttempts.window_started_at > window_start))
                       .execute())
            if counted:
                continue
            (FailedAttempts.insert(bucket=bucket, window_started_at=now, failures=1)
             .on_conflict(conflict_target=[FailedAttempts.bucket],
                          update={FailedAttempts.window_started_at: now, FailedAttempts.failures: 1})
             .execute())


def clear(bucket: str) -> None:
    """Forget the failures counted in ``bucket`` (after a successful check)."""
    FailedAttempts.delete().where(FailedAttempts.bucket == bucket).execute()
