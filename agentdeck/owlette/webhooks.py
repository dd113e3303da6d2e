"""A site's webhooks: registered with a secret shown once, fired for the events they asked for.

Deliveries go through ``agentdeck.deliveries`` (recorded, retried with backoff) in upstream's
shape, so existing receivers verify them unchanged: ``X-owlette-Event: <event>`` and
``X-owlette-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``; the body carries its
``timestamp`` so a receiver can refuse replays. One attempt may take 5 seconds; after 10 straight
failed attempts the webhook is disabled.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlparse

from agentdeck import deliveries, outbound, secretbox
from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteSite
from agentdeck.storage.models.owlette_alerts import OwletteWebhook
from agentdeck.timeutil import to_iso, utcnow

DELIVERY_SOURCE = "owlette.webhook"
EVENT_HEADER = "X-owlette-Event"
SIGNATURE_HEADER = "X-owlette-Signature"
TIMEOUT_SECONDS = 5.0
MAX_ATTEMPTS = 3
DISABLE_AFTER = 10
MAX_WEBHOOKS_PER_SITE = 25
# Upstream's events, and the alert names its dashboard also stores in a webhook's list.
EVENTS = ("process.crashed", "process.restarted", "process.start_failed", "machine.offline",
          "machine.online", "connection.failure", "threshold.breached", "webhook.test")
ALIASES = {"process_crash": "process.crashed", "process_crashed": "process.crashed",
           "process_restarted": "process.restarted", "process_start_failed": "process.start_failed",
           "machine_offline": "machine.offline", "machine_online": "machine.online",
           "connection_failure": "connection.failure", "threshold_breached": "threshold.breached"}


def canonical_event(name: str) -> str:
    """The dotted event name for ``name`` (``process_crash`` → ``process.crashed``)."""
    return ALIASES.get(name, name)


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the signature header value upstream's receivers check."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` is ``sign(secret, body)`` (what a receiver does)."""
    return hmac.compare_digest(sign(secret, body), signature or "")


def _headers(secret: str, body: bytes, payload: dict) -> dict:
    return {EVENT_HEADER: str(payload.get("event", "")), SIGNATURE_HEADER: sign(secret, body),
            "User-Agent": "owlette-webhooks (agentdeck)"}


def _after_attempt(delivery, ok: bool) -> None:
    webhook_id = delivery.source.partition(":")[2]
    with writing():
        if ok:
            OwletteWebhook.update(failures=0, last_status=delivery.last_status_code).where(
                OwletteWebhook.id == webhook_id).execute()
            return
        OwletteWebhook.update(failures=OwletteWebhook.failures + 1, last_status=delivery.last_status_code).where(
            OwletteWebhook.id == webhook_id).execute()
        OwletteWebhook.update(enabled=False, disabled_at=utcnow()).where(
            (OwletteWebhook.id == webhook_id) & (OwletteWebhook.failures >= DISABLE_AFTER)
            & OwletteWebhook.enabled).execute()


deliveries.register_source_style(DELIVERY_SOURCE, deliveries.SourceStyle(
    sign=_headers, timeout=TIMEOUT_SECONDS, after_attempt=_after_attempt))


def check_url(url: str) -> str:
    """``url`` when a webhook may target it: https, or http to a private or loopback address where
    the outbound setting allows those; ``InvalidInput`` otherwise."""
    try:
        parsed = urlparse(url)
        valid = parsed.scheme in ("https", "http") and bool(parsed.hostname)
    except ValueError:  # such as an unclosed IPv6 bracket: "https://[::1/x"
        valid = False
    if not valid:
        raise InvalidInput("Webhook URL must be a valid https URL")
    try:
        outbound.validate_url(url, resolve=False)
    except outbound.OutboundRefused as exc:
        raise InvalidInput(f"Webhook URL refused: {exc}") from exc
    if parsed.scheme == "http":
        host = parsed.hostname.lower()
        try:
            private = not ipaddress.ip_address(host).is_global
        except ValueError:
            private = host in ("localhost", "localhost.localdomain")
        if not private:
            raise InvalidInput("Webhook URL must use https")
    return url


def _check_events(events: list) -> list[str]:
    if not events:
        raise InvalidInput("events must name at least one event")
    unknown = sorted({e for e in events if canonical_event(e) not in EVENTS})
    if unknown:
        raise InvalidInput(f"Unknown event(s): {', '.join(unknown)}; known: {', '.join(EVENTS)}")
    return list(dict.fromkeys(events))


def to_dict(webhook: OwletteWebhook) -> dict:
    """A webhook as listed: never its secret."""
    return {"id": webhook.id, "name": webhook.name, "url": webhook.url, "events": webhook.events,
            "enabled": webhook.enabled, "consecutiveFailures": webhook.failures,
            "createdAt": to_iso(webhook.created_at), "lastTriggeredAt": to_iso(webhook.last_triggered_at),
            "lastStatus": webhook.last_status}


def create(site_id: str, name: str, url: str, events: list[str], *, user_id: str | None = None) -> dict:
    """Register a webhook; the answer carries its secret, the one time it is shown."""
    check_url(url)
    events = _check_events(events)
    if not name.strip():
        raise InvalidInput("name must not be blank")
    secret = "whsec_" + secrets.token_hex(24)
    with writing():
        if OwletteWebhook.select().where(OwletteWebhook.site == site_id).count() >= MAX_WEBHOOKS_PER_SITE:
            raise InvalidInput(f"A site may have at most {MAX_WEBHOOKS_PER_SITE} webhooks")
        webhook = OwletteWebhook.create(id="wh_" + secrets.token_hex(8), site=site_id, name=name.strip(),
                                        url=url, events=events, secret=secretbox.seal(secret),
                                        created_by=user_id)
    from agentdeck.owlette import activity

    activity.record(site_id, "webhook_created", user_id=user_id, details={"webhookId": webhook.id, "name": webhook.name})
    return {"success": True, "webhookId": webhook.id, "secret": secret}


def list_webhooks(site_id: str) -> list[dict]:
    """A site's webhooks, oldest first."""
    query = OwletteWebhook.select().where(OwletteWebhook.site == site_id).order_by(OwletteWebhook.created_at)
    return [to_dict(w) for w in query]


def _get(site_id: str, webhook_id: str) -> OwletteWebhook:
    webhook = OwletteWebhook.get_or_none((OwletteWebhook.id == webhook_id) & (OwletteWebhook.site == site_id))
    if webhook is None:
        raise NotFound("Webhook not found")
    return webhook


def delete(site_id: str, webhook_id: str, *, user_id: str | None = None) -> None:
    """Remove a webhook of ``site_id``; ``NotFound`` when it has none of that id."""
    with writing():
        _get(site_id, webhook_id).delete_instance()
    from agentdeck.owlette import activity

    activity.record(site_id, "webhook_deleted", user_id=user_id, details={"webhookId": webhook_id})


def payload(event: str, site: OwletteSite, data: dict) -> dict:
    """Upstream's body: ``{event, timestamp, site: {id, name}, data}``."""
    return {"event": event, "timestamp": to_iso(utcnow()), "site": {"id": site.id, "name": site.name},
            "data": data}


def _send(webhook: OwletteWebhook, body: dict, *, max_attempts: int = MAX_ATTEMPTS) -> deliveries.DeliveryOutcome:
    outcome = deliveries.deliver(f"{DELIVERY_SOURCE}:{webhook.id}", webhook.url, body,
                                 secret=secretbox.unseal(webhook.secret), max_attempts=max_attempts)
    with writing():
        OwletteWebhook.update(last_triggered_at=utcnow()).where(OwletteWebhook.id == webhook.id).execute()
    return outcome


def fire(site_id: str, event: str, data: dict) -> int:
    """Deliver ``event`` to each enabled webhook of the site that asked for it; how many were fired.

    Each delivery is tried once now; failed ones are retried by the maintenance sweep.
    """
    site = OwletteSite.get_or_none(OwletteSite.id == site_id)
    if site is None:
        return 0
    wanted = canonical_event(event)
    body = payload(wanted, site, data)
    fired = 0
    for webhook in OwletteWebhook.select().where((OwletteWebhook.site == site_id) & OwletteWebhook.enabled):
        if wanted in {canonical_event(e) for e in webhook.events}:
            _send(webhook, body)
            fired += 1
    return fired


def test(site_id: str, webhook_id: str) -> dict:
    """Send a ``webhook.test`` event now, once: ``{success, status, error?}``."""
    webhook = _get(site_id, webhook_id)
    site = OwletteSite.get_by_id(site_id)
    outcome = _send(webhook, payload("webhook.test", site, {"message": "Test delivery from owlette"}),
                    max_attempts=1)
    answer = {"success": outcome.delivered, "status": outcome.status_code}
    if not outcome.delivered:
        answer["error"] = outcome.error or f"HTTP {outcome.status_code}"
    return answer
