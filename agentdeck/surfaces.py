"""The five surfaces (and the platform API): where each spec lives, where it is mounted by
default, how its errors look, and which background sweeps it needs.

This is the one place that knows each surface's error shape: ``Surface.error_body`` turns a
status and a message into the body that surface's own clients expect.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

from agentdeck.settings import SURFACE_NAMES, Settings

ErrorShaper = Callable[[int, str, str, list | None], dict]


def _augmentos_error(status: int, message: str, path: str, details: list | None) -> dict:
    # The reference answers app-store errors with `message`, transcript errors with a bare
    # `error`, and everything else with `{success: false, error}`.
    if path.startswith("/api/apps"):
        return {"success": False, "message": message}
    if path.startswith("/api/transcripts"):
        return {"error": message}
    return {"success": False, "error": message}


def _detail_error(status: int, message: str, path: str, details: list | None) -> dict:
    return {"detail": message}


def _amplifier_error(status: int, message: str, path: str, details: list | None) -> dict:
    if status == 422:
        return {"detail": details or [_validation_item(message)]}
    return {"detail": message}


def _validation_item(message: str) -> dict:
    # FastAPI-style `loc` from Connexion's body messages: "'x' is a required property", "... - 'a.b'".
    missing = re.match(r"^'([^']+)' is a required property", message)
    if missing:
        return {"loc": ["body", missing.group(1)], "msg": "field required", "type": "value_error.missing"}
    located = re.match(r"^(.*) - '([^']+)'$", message, re.DOTALL)
    if located:
        return {"loc": ["body", *located.group(2).split(".")], "msg": located.group(1), "type": "value_error"}
    return {"loc": ["body"], "msg": message, "type": "value_error"}


AGTOS_UNAUTHORIZED = "Valid API key required. Set Authorization: Bearer <key> header."


def _agtos_error(status: int, message: str, path: str, details: list | None) -> dict:
    # agtOS says what went wrong in `error`; some answers add fields (a 500's `message`, the
    # models a slot update refused): a domain error passes them as one dict in `details`.
    if status == 401 and not details:
        return {"error": "Unauthorized", "message": AGTOS_UNAUTHORIZED}
    if status == 500 and not details:
        return {"error": "Internal server error", "message": message}
    body = {"error": message}
    for extra in details or ():
        if isinstance(extra, dict):
            body.update(extra)
    if status == 429:  # the reference's 429 is `error` and `retryAfter` alone
        body.pop("message", None)
    return body


def _owlette_error(status: int, message: str, path: str, details: list | None) -> dict:
    # owlette says what went wrong in `error`; a rate limit's 429 adds `retryAfter` and `message`
    # (passed as one dict in `details`, as agtOS's extra fields are).
    body = {"error": message}
    for extra in details or ():
        if isinstance(extra, dict):
            body.update(extra)
    return body


def _problem(status: int, message: str, path: str, details: list | None) -> dict:
    return {"type": "about:blank", "title": _reason(status), "status": status, "detail": message}


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _absent_or_empty(name: str) -> re.Pattern:
    # Connexion's messages for a missing field, and for one failing its minLength or its
    # "not blank" pattern.
    return re.compile(rf"^'{name}' is a required property|(is too short|should be non-empty|does not match .*) - '{name}'$")


_AGTOS_TEXT = _absent_or_empty("text")
_AGTOS_TOPIC = _absent_or_empty("topic")


@dataclass(frozen=True)
class Surface:
    """One API agentdeck speaks."""

    name: str
    spec_file: str
    error_shaper: ErrorShaper
    schema_failure_status: int = 400
    spec_path: str = "/openapi.json"
    docs_path: str = "/ui"
    sweeps: tuple[str, ...] = ()
    startup: tuple[str, ...] = ()
    validation_messages: dict = field(default_factory=dict)
    content_type: str = "application/json"
    unauthorized_message: str | None = None
    # A cap on request bodies below the server-wide AGENTDECK_MAX_BODY_BYTES (None: that one).
    max_body_bytes: int | None = None

    def body_limit(self, server_limit: int) -> int:
        """The largest request body this surface takes: its own cap or the server's, the smaller."""
        return server_limit if self.max_body_bytes is None else min(server_limit, self.max_body_bytes)

    def validation_message(self, path: str, message: str) -> str:
        """The reference's text for a schema failure on ``path``, else Connexion's ``message``.

        ``validation_messages`` maps a path to ``(when, text)``: ``when`` is ``"any"``,
        ``"missing"`` (a required field is absent) or a regex Connexion's message must match.
        """
        when, text = self.validation_messages.get(path, (None, None))
        if isinstance(when, re.Pattern):
            return text if when.search(message) else message
        missing = "required property" in message or message.startswith("Missing ")
        return text if when == "any" or (when == "missing" and missing) else message

    def error_body(self, status: int, message: str, path: str, details: list | None = None) -> dict:
        """The body this surface's clients expect for an error (``path`` is below the mount)."""
        return self.error_shaper(status, message, path, details)

    def spec_exists(self) -> bool:
        """True when this surface's spec is installed (a surface without a spec is not served)."""
        return (spec_dir() / self.spec_file).is_file()

    def run_startup(self) -> None:
        """Run this surface's start-up steps (called once per process, storage ready)."""
        for dotted in self.startup:
            module, _, func = dotted.rpartition(".")
            getattr(importlib.import_module(module), func)()

    def run_sweeps(self) -> None:
        """Run this surface's background sweeps (called under the maintenance lease)."""
        for dotted in self.sweeps:
            module, _, func = dotted.rpartition(".")
            getattr(importlib.import_module(module), func)()


PLATFORM = Surface("platform", "platform.yaml", _problem, docs_path="/docs",
                   content_type="application/problem+json")

SURFACES: dict[str, Surface] = {
    "augmentos": Surface(
        "augmentos", "augmentos.yaml", _augmentos_error,
        sweeps=("agentdeck.augmentos.tpa_servers.mark_silent_servers_offline",
                "agentdeck.augmentos.session_events.prune_events",
                "agentdeck.augmentos.transcripts.prune_transcripts"),
        # The reference's own texts for schema failures: on register only when a required field
        # is missing; on search for any failure of `q` (missing, empty or blank).
        validation_messages={
            "/api/tpa-server/register": ("missing", "Missing required fields: packageName and webhookUrl are required"),
            "/api/apps/search": ("any", "Search query is required"),
        },
        unauthorized_message="Unauthorized",
    ),
    "augur": Surface("augur", "augur.yaml", _detail_error, schema_failure_status=422,
                     spec_path="/api/v1/openapi.json", docs_path="/api/v1/docs"),
    "agtos": Surface(
        "agtos", "agtos.yaml", _agtos_error,
        # The reference's texts when a required field is absent, empty or blank.
        validation_messages={
            "/api/chat": (_AGTOS_TEXT, "Missing or empty required field: text"),
            "/api/chat/stream": (_AGTOS_TEXT, "Missing or empty required field: text"),
            "/api/tasks": (_AGTOS_TOPIC, "Missing or empty required field: topic"),
            "/api/memory/ask": (_absent_or_empty("question"), "Missing or invalid question"),
            # A cloud provider without `apiKey` (one of the body's alternatives).
            "/api/credentials/validate": (re.compile("is not valid under any of the given schemas"),
                                          "Missing or invalid fields: provider, apiKey"),
        },
        startup=("agentdeck.agtos.platform.setup_token.prepare_setup_token",
                 "agentdeck.agtos.settings.store.forget"),
        sweeps=("agentdeck.agtos.chat.purge_expired",
                "agentdeck.agtos.memory.maintenance.schedule.run_scheduled_sweep"),
        max_body_bytes=1024 * 1024,  # the reference's 1 MB
    ),
    "amplifier": Surface("amplifier", "amplifier.yaml", _amplifier_error, schema_failure_status=422,
                         docs_path="/docs"),
    "owlette": Surface("owlette", "owlette.yaml", _owlette_error,
                       sweeps=("agentdeck.owlette.sessions.purge_expired", "agentdeck.owlette.passkeys.purge_challenges",
                               "agentdeck.owlette.agents.purge_registration_codes", "agentdeck.ratelimit.prune")),
}
assert tuple(SURFACES) == SURFACE_NAMES


def spec_dir() -> Path:
    """The folder holding the installed OpenAPI specs."""
    return Path(str(resources.files("agentdeck.openapi")))


def enabled_surfaces(settings: Settings) -> list[Surface]:
    """The surfaces to serve: those named in AGENTDECK_SURFACES, else every one with a spec."""
    if settings.surfaces:
        unknown = set(settings.surfaces) - set(SURFACES)
        if unknown:
            raise ValueError(f"unknown surfaces in AGENTDECK_SURFACES: {', '.join(sorted(unknown))}")
        return [SURFACES[name] for name in settings.surfaces if SURFACES[name].spec_exists()]
    return [s for s in SURFACES.values() if s.spec_exists()]


@dataclass(frozen=True)
class Mounted:
    """A surface at its mount point (``""`` for the root)."""

    surface: Surface
    mount: str


def surface_for_path(path: str, mounted: list[Mounted]) -> tuple[Surface, str]:
    """The surface whose mount is the longest prefix of ``path``, and the path below it."""
    best = None
    for item in mounted:
        if item.mount == "" or path == item.mount or path.startswith(item.mount + "/"):
            if best is None or len(item.mount) > len(best.mount):
                best = item
    if best is None:
        return PLATFORM, path
    return best.surface, path[len(best.mount):] or "/"
