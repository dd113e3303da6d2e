"""App sessions: a user starts or stops an app; the app's TPA server hears about it by webhook.

Webhook bodies are the upstream cloud's: ``session_request`` ``{type, sessionId, userId,
timestamp, augmentOSWebsocketUrl, mentraOSWebsocketUrl}`` and ``stop_request`` ``{type, sessionId, userId, reason,
timestamp}``. Session requests are tried twice, one second apart, as upstream does; each is
signed (see ``agentdeck.deliveries``) with the SHA-256 hex digest of the app's API key, which the
TPA server can compute from the key it holds.
"""
from __future__ import annotations

import ipaddress

from agentdeck import deliveries
from agentdeck.deliveries import DeliveryOutcome
from agentdeck.errors import InvalidInput, NotFound, UpstreamFailure
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.augmentos import App, AppDisplay, AppSession, TpaServer
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augmentos import session_events
from agentdeck.augmentos.apps import get_app

STOP_REASONS = ("user_disabled", "system_stop", "error")
APP_WS_PATH = "/app-ws"
ANY_ADDRESS = {"0.0.0.0", "::", ""}


def session_id_for(user_id: str, package_name: str) -> str:
    """The upstream session id format: ``<userId>-<packageName>``."""
    return f"{user_id}-{package_name}"


def webhook_url_for(app: App) -> str:
    """Where an app's session webhooks go: its newest active registration, else publicUrl/webhook."""
    server = (TpaServer.select().where((TpaServer.app == app) & (TpaServer.status == "active"))
              .order_by(TpaServer.registered_at.desc()).first())
    if server is not None:
        return server.webhook_url
    if app.public_url:
        return app.public_url.rstrip("/") + "/webhook"
    raise InvalidInput(f"App {app.package_name} has no registered TPA server and no publicUrl")


def tpa_websocket_url(scope: dict | None = None) -> str:
    """Where TPA servers open their WebSocket: ``AGENTDECK_AUGMENTOS_WEBSOCKET_URL`` when set,
    else the address and port this server listens on (from the request's ASGI ``scope``, else
    the configured bind), below the surface's mount, ending in ``/app-ws`` as the SDK expects.

    The local address is used rather than the ``Host`` header: a client chooses that header,
    and the app's API key is sent to this URL.
    """
    settings = get_settings()
    if settings.augmentos_websocket_url:
        return settings.augmentos_websocket_url
    scheme, (host, port) = "ws", (settings.host, settings.port)
    if scope and scope.get("server"):
        host, port = scope["server"][0], scope["server"][1]
        scheme = "wss" if scope.get("scheme") in ("https", "wss") else "ws"
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    if _is_ipv6(host):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}{settings.mount_for('augmentos')}{APP_WS_PATH}"


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def send_session_request(session: AppSession, webhook_url: str, websocket_url: str | None = None) -> DeliveryOutcome:
    """Send one ``session_request`` for ``session`` (two tries, one second apart).

    Both URL fields carry the same value: the SDK reads ``mentraOSWebsocketUrl`` first.
    """
    websocket_url = websocket_url or tpa_websocket_url()
    payload = {
        "type": "session_request", "sessionId": session.id, "userId": session.user_id,
        "timestamp": to_iso(utcnow()), "augmentOSWebsocketUrl": websocket_url,
        "mentraOSWebsocketUrl": websocket_url,
    }
    return deliveries.deliver("augmentos.session_request", webhook_url, payload,
                              secret=session.app.api_key_hash, max_attempts=2, inline_attempts=2)


def start_session(user_id: str, package_name: str, websocket_url: str | None = None) -> AppSession:
    """Start (or restart) ``user_id``'s session of an app and tell its TPA server.

    Raises ``UpstreamFailure`` (the session is left in ``error``) when the server does not accept.
    """
    app = get_app(package_name)
    url = webhook_url_for(app)
    session_id = session_id_for(user_id, package_name)
    with writing():
        session = AppSession.get_or_none(AppSession.id == session_id)
        if session is None:
            session = AppSession.create(id=session_id, user_id=user_id, app=app, status="starting")
        else:
            session.status, session.started_at, session.stopped_at = "starting", utcnow(), None
            session.save()
            AppDisplay.delete().where(AppDisplay.session == session).execute()  # a new run draws anew
    outcome = send_session_request(session, url, websocket_url)
    # Only a session still starting becomes active (or failed): one the user stopped while the
    # webhook was out stays stopped.
    (AppSession.update(status="active" if outcome.delivered else "error",
                       last_error=None if outcome.delivered else outcome.error, updated_at=utcnow())
     .where((AppSession.id == session.id) & (AppSession.status == "starting")).execute())
    session = AppSession.get_by_id(session.id)
    if not outcome.delivered:
        raise UpstreamFailure(f"TPA server did not accept the session request: {outcome.error}")
    return session


def get_user_session(user_id: str, session_id: str) -> AppSession:
    """One of ``user_id``'s sessions; 404 for anyone else's."""
    session = AppSession.get_or_none((AppSession.id == session_id) & (AppSession.user_id == user_id))
    if session is None:
        raise NotFound("Session not found")
    return session


def stop_session(user_id: str, session_id: str, reason: str = "user_disabled") -> AppSession:
    """Stop a session: the TPA server gets a ``stop_request`` (retried in the background), then
    the app's socket, on whichever worker holds it, gets ``app_stopped`` and is closed.

    The webhook goes first so that the app hears the reason from it, as SDK apps expect.
    """
    if reason not in STOP_REASONS:
        raise InvalidInput(f"reason must be one of {', '.join(STOP_REASONS)}")
    session = get_user_session(user_id, session_id)
    was_active = session.status == "active"
    was_running = session.status in ("starting", "active")
    session.status, session.stopped_at, session.updated_at = "stopped", utcnow(), utcnow()
    session.save()
    if was_active:
        _send_stop_request(session, reason)
    if was_running:
        session_events.publish(session.id, "app_stopped", {"reason": reason})
    return session


def _send_stop_request(session: AppSession, reason: str) -> None:
    payload = {"type": "stop_request", "sessionId": session.id, "userId": session.user_id,
               "reason": reason, "timestamp": to_iso(utcnow())}
    try:
        url = webhook_url_for(session.app)
    except InvalidInput:
        return
    deliveries.deliver("augmentos.stop_request", url, payload, secret=session.app.api_key_hash,
                       max_attempts=3, inline_attempts=1)


def list_user_sessions(user_id: str) -> list[AppSession]:
    """``user_id``'s sessions, newest first."""
    return list(AppSession.select().where(AppSession.user_id == user_id)
                .order_by(AppSession.started_at.desc()))


def active_sessions_of(app: App) -> list[AppSession]:
    """The app's sessions that are still active (restart recovery re-sends these)."""
    return list(AppSession.select().where((AppSession.app == app) & (AppSession.status == "active")))


def session_document(session: AppSession) -> dict:
    """A session as the glasses client sees it."""
    return {
        "sessionId": session.id, "userId": session.user_id, "packageName": session.app.package_name,
        "status": session.status, "startedAt": to_iso(session.started_at),
        "stoppedAt": to_iso(session.stopped_at), "lastError": session.last_error,
    }
