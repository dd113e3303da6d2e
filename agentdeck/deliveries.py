"""Outbound webhook deliveries that matter: signed, recorded with their outcome, and retried with
exponential backoff by the maintenance sweep until they succeed or run out of attempts.

One runner at a time attempts a delivery: it claims the row first (``claimed_until``, one
conditional UPDATE, atomic on SQLite and PostgreSQL alike) and keeps the claim across its inline
tries, so a sweep on any worker skips a delivery whose retry is still running.

Signature: ``X-Agentdeck-Timestamp: <unix seconds>`` and ``X-Agentdeck-Signature: sha256=<hex>``,
where hex is HMAC-SHA256 over ``<timestamp>.<raw body>`` keyed with the delivery's secret.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Callable
from datetime import timedelta

import httpx

from agentdeck import outbound, secretbox
from agentdeck.settings import get_settings
from agentdeck.storage.models.core import Delivery
from agentdeck.timeutil import utcnow

log = logging.getLogger("agentdeck.deliveries")
TIMESTAMP_HEADER = "X-Agentdeck-Timestamp"
SIGNATURE_HEADER = "X-Agentdeck-Signature"
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 3600.0
CLAIM_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class DeliveryOutcome:
    """The result of the attempts made so far."""

    delivery_id: str
    delivered: bool
    status: str
    attempts: int
    status_code: int | None
    error: str | None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` is what ``sign`` gives (receivers use this; so do the tests)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True)
class SourceStyle:
    """How one source's deliveries are signed and timed, for receivers that expect another shape
    than agentdeck's own (owlette's webhooks keep upstream's headers so receivers verify unchanged).

    ``sign(secret, body, payload)`` gives the headers to add; ``timeout`` the seconds one attempt
    may take; ``after_attempt(delivery, ok)`` is told each attempt's outcome.
    """

    sign: Callable[[str, bytes, dict], dict] | None = None
    timeout: float | None = None
    after_attempt: Callable[[Delivery, bool], None] | None = None


_styles: dict[str, SourceStyle] = {}


def register_source_style(source: str, style: SourceStyle) -> None:
    """Use ``style`` for every delivery of ``source`` (and of ``source:<anything>``), first tries and retries."""
    _styles[source] = style


def backoff_seconds(attempts: int) -> float:
    """Delay before the next try after ``attempts`` failed tries: 2, 4, 8 … seconds, capped."""
    return min(BACKOFF_BASE_SECONDS * (2 ** max(attempts - 1, 0)), BACKOFF_MAX_SECONDS)


def claim_seconds() -> float:
    """How long a claim lasts: longer than one attempt can take (every redirect hop timing out)."""
    return get_settings().outbound_timeout * (outbound.MAX_REDIRECTS + 1) + CLAIM_MARGIN_SECONDS


def claim(delivery_id: str) -> bool:
    """Claim a pending delivery for this runner; False when another runner holds it."""
    now = utcnow()
    free = Delivery.claimed_until.is_null() | (Delivery.claimed_until < now)
    return bool(Delivery.update(claimed_until=now + timedelta(seconds=claim_seconds()))
                .where((Delivery.id == delivery_id) & (Delivery.status == "pending") & free)
                .execute())


def _release(delivery: Delivery) -> None:
    delivery.claimed_until = None
    Delivery.update(claimed_until=None).where(Delivery.id == delivery.id).execute()


def _attempt(delivery: Delivery) -> None:
    style = _styles.get(delivery.source.split(":", 1)[0], SourceStyle())
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if delivery.secret and style.sign is not None:
        headers.update(style.sign(secretbox.unseal(delivery.secret), body, delivery.payload))
    elif delivery.secret:
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = sign(secretbox.unseal(delivery.secret), timestamp, body)
    delivery.attempts += 1
    delivery.updated_at = utcnow()
    try:
        response = outbound.request("POST", delivery.target_url, content=body, headers=headers,
                                    timeout=style.timeout)
        delivery.last_status_code = response.status_code
        ok = 200 <= response.status_code < 300
        delivery.last_error = None if ok else f"HTTP {response.status_code}"
    except (httpx.HTTPError, outbound.OutboundRefused) as exc:
        ok = False
        delivery.last_status_code = None
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
    elif delivery.attempts >= delivery.max_attempts:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(delivery.attempts))
    # The claim column is the claimer's alone to write (it renews and releases it explicitly).
    delivery.save(only=[f for f in Delivery._meta.sorted_fields if f is not Delivery.claimed_until])
    if style.after_attempt is not None:
        try:
            style.after_attempt(delivery, ok)
        except Exception:  # the source's bookkeeping must not undo the attempt's record
            log.exception("delivery %s: the %s source's after_attempt failed", delivery.id, delivery.source)


def _outcome(delivery: Delivery) -> DeliveryOutcome:
    return DeliveryOutcome(delivery.id, delivery.status == "delivered", delivery.status,
                           delivery.attempts, delivery.last_status_code, delivery.last_error)


def deliver(source: str, url: str, payload: dict, *, secret: str | None = None,
            max_attempts: int = 5, inline_attempts: int = 1, inline_delay: float = 1.0) -> DeliveryOutcome:
    """Record a delivery and try it ``inline_attempts`` times now; the rest is left to retries.

    With ``max_attempts == inline_attempts`` nothing is retried later (callers that answer
    their client with the outcome, such as AugmentOS session requests, do that).
    """
    # Created claimed: the sweep must not take it up between (or during) the inline tries.
    delivery = Delivery.create(source=source, target_url=url, payload=payload,
                               secret=secretbox.seal(secret) if secret else None,
                               max_attempts=max_attempts,
                               claimed_until=utcnow() + timedelta(seconds=claim_seconds()))
    try:
        for attempt in range(inline_attempts):
            if attempt:
                time.sleep(inline_delay)
                Delivery.update(claimed_until=utcnow() + timedelta(seconds=claim_seconds())).where(
                    Delivery.id == delivery.id).execute()
            _attempt(delivery)
            if delivery.status != "pending":
                break
    finally:
        _release(delivery)
    return _outcome(delivery)


def retry_due_deliveries(limit: int = 100) -> int:
    """Try each pending delivery whose retry is due and that no other runner holds; returns how
    many were tried (a sweep)."""
    now = utcnow()
    due = list(Delivery.select(Delivery.id)
               .where((Delivery.status == "pending") & (Delivery.next_attempt_at <= now)
                      & (Delivery.claimed_until.is_null() | (Delivery.claimed_until < now)))
               .order_by(Delivery.next_attempt_at).limit(limit))
    tried = 0
    for row in due:
        if not claim(row.id):
            continue
        delivery = Delivery.get_by_id(row.id)  # re-read: its attempts may have moved on meanwhile
        try:
            _attempt(delivery)
        finally:
            _release(delivery)
        tried += 1
        log.info("delivery %s to %s: %s after %d attempts", delivery.id, delivery.source,
                 delivery.status, delivery.attempts)
    return tried


def list_deliveries(source: str | None = None, limit: int = 100) -> list[DeliveryOutcome]:
    """The newest deliveries, optionally of one source (the delivery log)."""
    query = Delivery.select().order_by(Delivery.created_at.desc()).limit(limit)
    if source:
        query = query.where(Delivery.source == source)
    return [_outcome(d) for d in query]
