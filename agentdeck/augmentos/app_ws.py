"""The TPA WebSocket: where an app's server (built with the MentraOS / AugmentOS SDK) holds its
session open, served below the surface's mount at ``/app-ws`` (and ``/tpa-ws``, the older name).

The protocol, as ``@mentra/sdk`` speaks it:

- app → cloud, first: ``tpa_connection_init {sessionId, packageName, apiKey}``. It arrives while
  the ``session_request`` webhook is still open (the SDK answers that only once acknowledged), so
  a ``starting`` session is accepted as well as an ``active`` one. Accepted:
  ``tpa_connection_ack``; refused (wrong key, unknown or ended session): ``tpa_connection_error
  {message, code}`` then close 1008, after which the SDK does not reconnect.
- app → cloud: ``subscription_update {subscriptions}`` (each a full replacement list) and
  ``display_event {view, layout, durationMs}``; the latest layout per view is kept for the
  glasses client. Other types are ignored.
- cloud → app: each transcript segment the glasses client posts, as ``data_stream`` once per
  subscribed transcription stream (``streamType`` is the subscription string, exactly); and on
  stop, ``app_stopped {reason}`` then close 1000.
- After an abnormal close the SDK reconnects with a fresh init; it is acknowledged again and the
  session carries on. Liveness is left to WebSocket ping frames, which the server sends (uvicorn:
  every 20 s, closing a connection whose pong does not come within 20 s).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from agentdeck.errors import DomainError, Unauthorized
from agentdeck.storage.db import gives_back_connection
from agentdeck.storage.models.augmentos import AppSession
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augmentos import displays
from agentdeck.augmentos.apps import authenticate_tpa
from agentdeck.augmentos.session_events import SessionFeed

log = logging.getLogger("agentdeck.augmentos.app_ws")
PATHS = ("/app-ws", "/tpa-ws")
INIT_TIMEOUT_SECONDS = 10.0
POLICY_VIOLATION = 1008
OPEN_STATUSES = ("starting", "active")


class ConnectionRefused(Exception):
    """The init names a wrong key, or a session that is unknown or over."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@gives_back_connection
def accept_init(init: dict) -> AppSession:
    """The session a ``tpa_connection_init`` may attach to; ``ConnectionRefused`` otherwise."""
    if not isinstance(init, dict) or init.get("type") != "tpa_connection_init":
        raise ConnectionRefused("INVALID_INIT", "The first message must be tpa_connection_init")
    package, api_key, session_id = init.get("packageName"), init.get("apiKey"), init.get("sessionId")
    try:
        app = authenticate_tpa(package if isinstance(package, str) else None,
                               api_key if isinstance(api_key, str) else None)
    except Unauthorized:
        raise ConnectionRefused("INVALID_API_KEY", "Invalid API key") from None
    session = AppSession.get_or_none((AppSession.id == str(session_id)) & (AppSession.app == app))
    if session is None or session.status not in OPEN_STATUSES:
        raise ConnectionRefused("SESSION_NOT_FOUND", "Session not found or not running")
    return session


def ack_message(session: AppSession) -> dict:
    """The acknowledgement of an accepted init (no settings: agentdeck keeps none per app)."""
    return {"type": "tpa_connection_ack", "sessionId": session.id, "settings": [],
            "mentraosSettings": {}, "timestamp": to_iso(utcnow())}


def transcription_streams(subscriptions: list, language: str) -> list[str]:
    """The subscribed stream names a transcript in ``language`` is sent on."""
    wanted = {"transcription", f"transcription:{language}", "transcription:auto"}
    return [s for s in subscriptions if isinstance(s, str) and s.split("?", 1)[0] in wanted]


def transcription_data(segment: dict) -> dict:
    """A posted segment as the SDK's transcription data (``resultId`` becomes ``utteranceId``)."""
    millis = segment.get("timestampMs")
    return {"type": "transcription", "text": segment["text"], "isFinal": segment["isFinal"],
            "startTime": millis, "endTime": millis, "transcribeLanguage": segment["language"],
            "utteranceId": segment["resultId"], "speakerId": segment.get("speakerId"),
            "provider": "agentdeck"}


class AppConnection:
    """One open TPA socket: its session and current subscriptions."""

    def __init__(self, websocket: WebSocket, session: AppSession):
        self.websocket = websocket
        self.session_id = session.id
        self.subscriptions: list = []

    async def from_app(self) -> None:
        """Read the app's messages until it disconnects."""
        while True:
            try:
                message = json.loads(await self.websocket.receive_text())
            except (ValueError, KeyError, TypeError):  # not JSON, or a binary frame: not for us
                continue
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "subscription_update" and isinstance(message.get("subscriptions"), list):
                self.subscriptions = message["subscriptions"]
            elif kind == "display_event":
                await self._record_display(message)
            else:
                log.debug("session %s: ignored %r from the app", self.session_id, kind)

    async def _record_display(self, message: dict) -> None:
        try:
            await asyncio.to_thread(gives_back_connection(displays.record_display), self.session_id,
                                    message.get("view", "main"), message.get("layout"),
                                    message.get("durationMs"))
        except DomainError as exc:
            log.info("session %s: display_event refused: %s", self.session_id, exc)

    async def to_app(self, feed: SessionFeed) -> None:
        """Send the session's events to the app; returns once the session stopped."""
        while True:
            for kind, data in await feed.next():
                if kind == "transcription":
                    for stream in transcription_streams(self.subscriptions, data["language"]):
                        await self.websocket.send_json({
                            "type": "data_stream", "sessionId": self.session_id, "streamType": stream,
                            "data": transcription_data(data), "timestamp": to_iso(utcnow())})
                elif kind == "app_stopped":
                    await self.websocket.send_json({"type": "app_stopped", "sessionId": self.session_id,
                                                    "reason": data.get("reason"), "timestamp": to_iso(utcnow())})
                    await self.websocket.close(1000)
                    return


async def _refuse(websocket: WebSocket, code: str, message: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_json({"type": "tpa_connection_error", "code": code, "message": message})
        await websocket.close(POLICY_VIOLATION)


async def serve_app_socket(websocket: WebSocket) -> None:
    """The WebSocket endpoint: init, ack, then both directions until either side ends."""
    await websocket.accept()
    try:
        init = await asyncio.wait_for(websocket.receive_json(), INIT_TIMEOUT_SECONDS)
        session = await asyncio.to_thread(accept_init, init)
    except ConnectionRefused as exc:
        await _refuse(websocket, exc.code, str(exc))
        return
    except (asyncio.TimeoutError, ValueError, KeyError, TypeError):
        await _refuse(websocket, "INVALID_INIT", "The first message must be tpa_connection_init")
        return
    except WebSocketDisconnect:
        return
    connection = AppConnection(websocket, session)
    async with SessionFeed(session.id) as feed:
        await websocket.send_json(ack_message(session))
        tasks = {asyncio.create_task(connection.from_app()), asyncio.create_task(connection.to_app(feed))}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if task.exception() and not isinstance(task.exception(), (WebSocketDisconnect, OSError)):
                log.warning("session %s: socket ended by %r", session.id, task.exception())


class AppWebSocketRoutes:
    """ASGI middleware serving the TPA WebSocket at ``<mount>/app-ws`` and ``<mount>/tpa-ws``;
    every other request passes through to the app."""

    def __init__(self, app, mounts: list[str]):
        self.app = app
        self.routes = [WebSocketRoute(f"{mount}{path}", serve_app_socket) for mount in mounts for path in PATHS]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            for route in self.routes:
                match, child = route.matches(scope)
                if match.name == "FULL":
                    await route.handle({**scope, **child}, receive, send)
                    return
        await self.app(scope, receive, send)
