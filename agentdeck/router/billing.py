"""Exhausted providers: a provider that answered "out of credit" is skipped by every worker.

The mark is a database row, so all workers see it at once. It lasts until ``retry`` clears it or,
when a cooldown is configured, until the cooldown has passed (the next call then tries the
provider again). A cooldown of 0 means "until retried".
"""
from __future__ import annotations

from datetime import timedelta

from agentdeck.storage.db import writing
from agentdeck.storage.models.router import ProviderExhaustion, upsert
from agentdeck.timeutil import utcnow


def mark_exhausted(provider: str, reason: str, cooldown_seconds: float) -> None:
    """Record that ``provider`` is out of credit now (again, when already marked)."""
    now = utcnow()
    until = now + timedelta(seconds=cooldown_seconds) if cooldown_seconds > 0 else None
    with writing():
        upsert(ProviderExhaustion, provider=provider, since=now, until=until, reason=reason[:500])


def exhausted_now() -> set[str]:
    """Providers to skip now: marked, and their cooldown (if any) not yet over."""
    now = utcnow()
    return {row.provider for row in ProviderExhaustion.select()
            if row.until is None or row.until > now}


def retry(provider: str) -> bool:
    """Clear ``provider``'s mark; True when it was marked."""
    with writing():
        return bool(ProviderExhaustion.delete()
                    .where(ProviderExhaustion.provider == provider).execute())


def marks() -> dict[str, ProviderExhaustion]:
    """Every mark, expired or not, by provider."""
    return {row.provider: row for row in ProviderExhaustion.select()}
