"""The one alert path: every owlette alert — an agent's report, a simulated event, a machine
gone offline — goes through ``raise_alert``.

It applies the limits (agent alerts 5 an hour per client address; process alerts 3 an hour per
machine and process; beyond them the alert is logged and answered ``emailSent: false``), writes
the activity log, emails the site's admins (its owner and members) through the built-in
``email`` alert channel, and fires the site's webhooks that asked for the event.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from agentdeck import ratelimit
from agentdeck.alerts import Alert, ChannelConfigError, dispatch_alert
from agentdeck.errors import InvalidInput
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteSite, OwletteSiteMember, OwletteUser
from agentdeck.storage.models.owlette_alerts import OwletteAlertMark, OwletteAlertOptOut
from agentdeck.timeutil import utcnow

from agentdeck.owlette import activity, webhooks

log = logging.getLogger("agentdeck.owlette.alerting")
AGENT_ALERT_LIMIT = ratelimit.Limit("owlette-agent-alert", 5, 3600)
PROCESS_ALERT_LIMIT = ratelimit.Limit("owlette-process-alert", 3, 3600)
PROCESS_EVENTS = ("process_crash", "process_start_failed")
AGENT_EVENTS = ("connection_failure",) + PROCESS_EVENTS
SIMULATED_EVENTS = ("process_crash", "machine_offline", "connection_failure")
HEALTH_EVENTS = ("machine_offline",)
TITLES = {"process_crash": "Process crashed", "process_start_failed": "Process failed to start",
          "connection_failure": "Agent connection failure", "machine_offline": "Machine offline",
          "machine_online": "Machine back online", "test_email": "Test email"}


@dataclass
class AlertEvent:
    """One thing to alert about."""

    site_id: str
    event: str  # process_crash | process_start_failed | connection_failure | machine_offline | …
    machine_id: str | None = None
    machine_name: str | None = None
    process_name: str | None = None
    error_message: str | None = None
    error_code: str | None = None
    agent_version: str | None = None
    extra: dict = field(default_factory=dict)


def _limited(limit: ratelimit.Limit, client: str) -> bool:
    try:
        ratelimit.hit(limit, client)
        return False
    except ratelimit.RateLimited:
        return True


def check_agent_limits(event: AlertEvent, client_address: str | None) -> str | None:
    """``"rate_limited"`` when an agent's alert is past its limit, else None (and counted)."""
    if event.event in PROCESS_EVENTS:
        subject = f"{event.site_id}/{event.machine_id}/{event.process_name or ''}"
        return "rate_limited" if _limited(PROCESS_ALERT_LIMIT, subject) else None
    return "rate_limited" if _limited(AGENT_ALERT_LIMIT, client_address or "unknown") else None


def site_admins(site_id: str) -> list[OwletteUser]:
    """Whom a site's alert email goes to: its owner and members."""
    site = OwletteSite.get_by_id(site_id)
    users = {}
    if site.owner_id:
        owner = OwletteUser.get_or_none(OwletteUser.id == site.owner_id)
        if owner:
            users[owner.id] = owner
    members = (OwletteUser.select().join(OwletteSiteMember, on=(OwletteSiteMember.user == OwletteUser.id))
               .where(OwletteSiteMember.site == site_id))
    for user in members:
        users[user.id] = user
    return sorted(users.values(), key=lambda u: u.email)


def _unsubscribe_key() -> bytes:
    from agentdeck.owlette.access_tokens import _signing_key

    return hmac.new(_signing_key(), b"owlette-unsubscribe", hashlib.sha256).digest()


def unsubscribe_token(user_id: str) -> str:
    """``<base64url user id>.<hex HMAC>``: the token of a user's unsubscribe link."""
    encoded = base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")
    return encoded + "." + hmac.new(_unsubscribe_key(), user_id.encode(), hashlib.sha256).hexdigest()


def unsubscribe(token: str) -> str:
    """Turn health alert email off for the token's user; returns the user id.

    ``InvalidInput`` for a token that was not made by ``unsubscribe_token``.
    """
    encoded, _, mac = token.partition(".")
    try:
        user_id = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("Invalid unsubscribe token") from None
    expected = hmac.new(_unsubscribe_key(), user_id.encode(), hashlib.sha256).hexdigest()
    # compare_digest raises TypeError on non-ASCII text: such a MAC is not ours either.
    if not mac or not mac.isascii() or not hmac.compare_digest(expected, mac):
        raise InvalidInput("Invalid unsubscribe token")
    with writing():
        if OwletteUser.get_or_none(OwletteUser.id == user_id) is None:
            raise InvalidInput("Invalid unsubscribe token")
        if OwletteAlertOptOut.get_or_none(OwletteAlertOptOut.user == user_id) is None:
            OwletteAlertOptOut.create(user=user_id)
    return user_id


def public_base() -> str:
    """The surface's public base URL, for links in email."""
    settings = get_settings()
    return (settings.owlette_public_url or settings.owlette_expected_origin + "/owlette").rstrip("/")


def claim_mark(key: str, seconds: float) -> bool:
    """True (and the mark set) when no alert under ``key`` went out in the last ``seconds``."""
    now = utcnow()
    with writing():
        mark = OwletteAlertMark.get_or_none(OwletteAlertMark.key == key)
        if mark is not None and mark.sent_at > now - timedelta(seconds=seconds):
            return False
        if mark is None:
            OwletteAlertMark.create(key=key, sent_at=now)
        else:
            OwletteAlertMark.update(sent_at=now).where(OwletteAlertMark.key == key).execute()
    return True


def _describe(event: AlertEvent, site: OwletteSite) -> tuple[str, str]:
    what = TITLES.get(event.event, event.event.replace("_", " ").capitalize())
    machine = event.machine_name or event.machine_id or "a machine"
    title = f"[owlette] {what}: {event.process_name + ' on ' if event.process_name else ''}{machine}"
    lines = [f"{what} at site {site.name} ({site.id}).", "", f"Machine: {machine}"]
    if event.process_name:
        lines.append(f"Process: {event.process_name}")
    if event.error_code:
        lines.append(f"Error code: {event.error_code}")
    if event.error_message:
        lines.append(f"Error: {event.error_message}")
    if event.agent_version:
        lines.append(f"Agent version: {event.agent_version}")
    lines.append(f"Time: {utcnow().isoformat(timespec='seconds')}Z")
    return title, "\n".join(lines)


def send_email(site: OwletteSite, users: list[OwletteUser], title: str, text: str, *,
               unsubscribe: bool = False, severity: str = "warning", details: dict | None = None) -> dict:
    """Email each user (one message each, so each gets their own unsubscribe link).

    ``{emailSent, recipients, reason?}``: ``reason`` is ``email_not_configured``, ``no_recipients``
    or ``send_failed`` when nothing went out.
    """
    if not users:
        return {"emailSent": False, "recipients": [], "reason": "no_recipients"}
    sent, failed = [], []
    for user in users:
        body, extra = text, dict(details or {})
        if unsubscribe:
            link = f"{public_base()}/api/unsubscribe?token={unsubscribe_token(user.id)}"
            body += f"\n\nStop health alert email: {link}"
            extra["unsubscribe_url"] = link
        try:
            outcome = dispatch_alert("email", {"to": user.email},
                                     Alert(title=title, message=body, severity=severity, source="owlette",
                                           details=extra))
        except ChannelConfigError as exc:
            log.warning("owlette alert for %s not emailed: %s", site.id, exc)
            return {"emailSent": False, "recipients": [], "reason": "email_not_configured"}
        (sent if outcome.delivered else failed).append(user.email)
        if not outcome.delivered:
            log.warning("owlette alert email to a user of %s failed: %s", site.id, outcome.detail)
    answer = {"emailSent": bool(sent), "recipients": sent}
    if not sent:
        answer["reason"] = "send_failed"
    return answer


def raise_alert(event: AlertEvent, *, limited_reason: str | None = None, email: bool = True) -> dict:
    """Log, email and fire webhooks for ``event``: ``{success, emailSent, recipients,
    webhooksFired, reason?}``. With ``limited_reason`` the alert is only logged."""
    site = OwletteSite.get_or_none(OwletteSite.id == event.site_id)
    if site is None:
        raise InvalidInput("Unknown site")
    level = "warning" if event.event in ("machine_offline", "connection_failure") else "error"
    if event.event == "machine_online":
        level = "info"
    details = {k: v for k, v in {"processName": event.process_name, "machineName": event.machine_name,
                                 "errorMessage": event.error_message, "errorCode": event.error_code,
                                 "agentVersion": event.agent_version, **event.extra}.items() if v is not None}
    if limited_reason:
        details["suppressed"] = limited_reason
    activity.record(site.id, event.event, level=level, machine_id=event.machine_id, details=details)
    if limited_reason:
        return {"success": True, "emailSent": False, "reason": limited_reason, "recipients": [],
                "webhooksFired": 0}
    answer = {"success": True, "emailSent": False, "recipients": []}
    if email:
        users = site_admins(site.id)
        if event.event in HEALTH_EVENTS:
            opted_out = {row.user_id for row in OwletteAlertOptOut.select()}
            users = [u for u in users if u.id not in opted_out]
        title, text = _describe(event, site)
        answer.update(send_email(site, users, title, text, unsubscribe=event.event in HEALTH_EVENTS,
                                 severity="critical" if level == "error" else "warning"))
    machine = {"id": event.machine_id, "name": event.machine_name or event.machine_id}
    data = {"machine": machine}
    if event.process_name:
        data["process"] = {"name": event.process_name}
    data["alert"] = {"type": event.event, **{k: v for k, v in details.items() if k not in ("processName", "machineName")}}
    answer["webhooksFired"] = webhooks.fire(site.id, event.event, data)
    return answer


def test_email(site_id: str | None, user: OwletteUser) -> dict:
    """Send a test email to ``user``: ``{success, emailSent, recipients, reason?}``."""
    site = OwletteSite.get_or_none(OwletteSite.id == site_id) if site_id else None
    site = site or OwletteSite(id="-", name="owlette")
    answer = send_email(site, [user], "[owlette] Test email",
                        "This is a test email from owlette. Alert email reaches you.", severity="info")
    return {"success": answer["emailSent"], **answer}


def user_created(user: OwletteUser, send_welcome: bool) -> dict:
    """Tell the global admins that ``user`` registered, and welcome ``user`` when asked:
    ``{success, adminNotified, welcomeSent}``."""
    admins = list(OwletteUser.select().where(OwletteUser.is_admin & (OwletteUser.id != user.id)))
    site = OwletteSite(id="-", name="owlette")
    notified = send_email(site, admins, "[owlette] New user registered",
                          f"A new user registered: {user.email}", severity="info")
    welcome = {"emailSent": False}
    if send_welcome:
        welcome = send_email(site, [user], "Welcome to owlette",
                             "Your owlette account is ready. Sign in to the dashboard to see your machines.",
                             severity="info")
    return {"success": True, "adminNotified": notified["emailSent"], "welcomeSent": welcome["emailSent"]}


OFFLINE_ALERT_EVERY = 3600.0


def health_check() -> dict:
    """Find machines gone silent (their agent last said online, but no heartbeat for three
    minutes; an agent that shut down cleanly said ``online: false`` and is not alerted), alert
    each at most once an hour (log and webhooks per machine), and email each site's admins
    once listing its machines: ``{ok, sitesChecked, machinesChecked, alertsSent}``."""
    from agentdeck.owlette.fleet.machines import OFFLINE_AFTER
    from agentdeck.storage.models.owlette_fleet import Machine

    now = utcnow()
    sites = list(OwletteSite.select())
    machines_checked = alerts_sent = 0
    opted_out = {row.user_id for row in OwletteAlertOptOut.select()}
    for site in sites:
        gone = []
        for machine in Machine.select().where(Machine.site == site.id):
            machines_checked += 1
            silent = machine.online and machine.last_heartbeat_at and now - machine.last_heartbeat_at >= OFFLINE_AFTER
            if silent and claim_mark(f"offline:{site.id}/{machine.machine_id}", OFFLINE_ALERT_EVERY):
                gone.append(machine)
        if not gone:
            continue
        for machine in gone:
            raise_alert(AlertEvent(site_id=site.id, event="machine_offline", machine_id=machine.machine_id,
                                   machine_name=machine.hostname,
                                   extra={"lastHeartbeat": machine.last_heartbeat_at.isoformat() + "Z"}),
                        email=False)
        alerts_sent += len(gone)
        users = [u for u in site_admins(site.id) if u.id not in opted_out]
        names = "\n".join(f"- {m.hostname or m.machine_id} (last heartbeat {m.last_heartbeat_at.isoformat(timespec='seconds')}Z)"
                          for m in gone)
        send_email(site, users, f"[owlette] {len(gone)} machine(s) offline at {site.name}",
                   f"These machines at site {site.name} ({site.id}) stopped sending heartbeats:\n\n{names}",
                   unsubscribe=True)
    return {"ok": True, "sitesChecked": len(sites), "machinesChecked": machines_checked, "alertsSent": alerts_sent}
