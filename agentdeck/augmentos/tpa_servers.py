"""TPA server registration, heartbeats, restart recovery and the stale-server sweep."""
from __future__ import annotations

from datetime import timedelta

from agentdeck import outbound
from agentdeck.errors import InvalidInput, NotFound
from agentdeck.settings import get_settings
from agentdeck.storage.models.augmentos import TpaServer
from agentdeck.timeutil import utcnow

from agentdeck.augmentos.apps import authenticate_tpa
from agentdeck.augmentos.sessions import active_sessions_of, send_session_request


def register_tpa_server(package_name: str, api_key: str | None, webhook_url: str,
                        server_urls: str = "") -> TpaServer:
    """Register a server instance of an app; each call makes a new registration id."""
    app = authenticate_tpa(package_name, api_key, message="Invalid API key")
    try:
        outbound.validate_url(webhook_url, resolve=False)
    except outbound.OutboundRefused as exc:
        raise InvalidInput(f"webhookUrl is not allowed: {exc}") from exc
    return TpaServer.create(app=app, webhook_url=webhook_url, server_urls=server_urls or "")


def _registration(registration_id: str) -> TpaServer:
    server = TpaServer.get_or_none(TpaServer.id == registration_id)
    if server is None:
        raise NotFound("Registration not found")
    return server


def record_heartbeat(registration_id: str) -> TpaServer:
    """Mark a registration alive now (and active again if it had gone silent)."""
    server = _registration(registration_id)
    server.last_heartbeat_at, server.status = utcnow(), "active"
    server.save()
    return server


def recover_sessions(registration_id: str, websocket_url: str | None = None) -> int:
    """The server restarted: re-send a session request for each of its app's active sessions.

    Returns how many the server accepted; sessions it did not accept are marked ``error``.
    """
    server = record_heartbeat(registration_id)
    recovered = 0
    for session in active_sessions_of(server.app):
        outcome = send_session_request(session, server.webhook_url, websocket_url)
        if outcome.delivered:
            recovered += 1
        else:
            session.status, session.last_error, session.updated_at = "error", outcome.error, utcnow()
            session.save()
    return recovered


def mark_silent_servers_offline() -> int:
    """Sweep: registrations silent past the heartbeat timeout become ``offline``."""
    cutoff = utcnow() - timedelta(seconds=get_settings().augmentos_heartbeat_timeout)
    return (TpaServer.update(status="offline")
            .where((TpaServer.status == "active") & (TpaServer.last_heartbeat_at < cutoff))
            .execute())
