"""The app factory: one Connexion ``AsyncApp`` with the platform API at ``/`` and one API per
enabled surface at its mount point, sharing the database, plugins and error handling."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os

import connexion
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions

from agentdeck import connexion_tuning, deliveries, eventbus, scheduler
from agentdeck.agtos.platform.edge import AgtosCors, AgtosRateLimits
from agentdeck.owlette import edge as owlette_edge
from agentdeck.ratelimit import MountRateLimit
from agentdeck.augmentos.app_ws import AppWebSocketRoutes
from agentdeck.error_responses import ErrorResponder
from agentdeck.maintenance import maintenance_loop
from agentdeck.middleware import RequestContextMiddleware
from agentdeck.plugins.manager import get_plugin_manager
from agentdeck.settings import Settings, get_settings
from agentdeck.specs import load_spec
from agentdeck.storage.db import init_db
from agentdeck.storage.migrations import upgrade_database
from agentdeck.surfaces import PLATFORM, Mounted, Surface, enabled_surfaces, spec_dir

log = logging.getLogger("agentdeck")


def prepare_storage(settings: Settings) -> None:
    """Open the database named by the settings and apply pending migrations.

    The data directory holds secrets and users' data: it and everything the server creates in
    it (database, WAL, blobs, the generated key) are private to the server's user (0700/0600).
    """
    os.umask(0o077)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    info = settings.data_dir.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():  # made before this rule, or by hand
        settings.data_dir.chmod(0o700)
    init_db(settings.resolved_database_url, settings.db_max_connections)
    upgrade_database()


def mounted_surfaces(settings: Settings) -> list[Mounted]:
    """The enabled surfaces with their mount points."""
    return [Mounted(s, settings.mount_for(s.name)) for s in enabled_surfaces(settings)]


def _sweeps(mounted: list[Mounted]):
    return ([deliveries.retry_due_deliveries, eventbus.prune_delivered_events]
            + [m.surface.run_sweeps for m in mounted if m.surface.sweeps])


def _lifespan(settings: Settings, mounted: list[Mounted]):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        await asyncio.to_thread(eventbus.start_plugin_subscribers)
        tasks = [asyncio.create_task(eventbus.dispatch_loop()), asyncio.create_task(scheduler.scheduler_loop())]
        if settings.maintenance_interval > 0:
            tasks.append(asyncio.create_task(maintenance_loop(_sweeps(mounted), settings.maintenance_interval)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


def _add_api(app: connexion.AsyncApp, surface: Surface, mount: str, settings: Settings,
             serve_spec: bool = True) -> None:
    app.add_api(
        load_spec(surface.spec_file, settings),  # rendered with the settings (Amplifier's AUTH_REQUIRED)
        base_path=mount,
        name=surface.name,
        validate_responses=settings.validate_responses,
        swagger_ui_options=SwaggerUIOptions(spec_path=surface.spec_path, swagger_ui_path=surface.docs_path,
                                            serve_spec=serve_spec, swagger_ui=serve_spec),
    )


def _add_agtos_edge(app: connexion.AsyncApp, mounts: list[str], settings: Settings) -> None:
    # CORS outside the error handling, so that errors carry its headers too; the rate limits
    # inside it, so that a 429 is shaped like every other agtOS error.
    if not mounts:
        return
    app.add_middleware(AgtosCors, position=MiddlewarePosition.BEFORE_EXCEPTION, mounts=mounts,
                       origins=settings.agtos_cors_origins)
    app.add_middleware(AgtosRateLimits, position=MiddlewarePosition.BEFORE_SWAGGER, mounts=mounts,
                       api_per_minute=settings.agtos_api_rate_limit,
                       chat_per_minute=settings.agtos_chat_rate_limit)


def _add_owlette_edge(app: connexion.AsyncApp, mounts: list[str], settings: Settings) -> None:
    # Inside the error handling, so that a 429 is owlette's {error, retryAfter, message}.
    if mounts:
        app.add_middleware(MountRateLimit, position=MiddlewarePosition.BEFORE_SWAGGER, mounts=mounts,
                           limit=owlette_edge.general_limit(settings.owlette_api_rate_limit),
                           exempt=owlette_edge.is_agent_request)


def create_app(settings: Settings | None = None) -> connexion.AsyncApp:
    """Build the ASGI app: storage ready, plugins loaded, every enabled surface mounted."""
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    prepare_storage(settings)
    get_plugin_manager()
    mounted = mounted_surfaces(settings)
    for item in mounted:
        item.surface.run_startup()
    connexion_tuning.install()
    app = connexion.AsyncApp(__name__, specification_dir=str(spec_dir()),
                             lifespan=_lifespan(settings, mounted),
                             validator_map=connexion_tuning.VALIDATOR_MAP)
    # A surface at the root owns /openapi.json and its docs; the platform's operations stay, but
    # Connexion serves only one spec per base path, so the platform's own spec is then not served.
    # (Connexion orders APIs by base path; between equal ones the one added first is tried last.)
    _add_api(app, PLATFORM, "", settings, serve_spec=not any(item.mount == "" for item in mounted))
    for item in mounted:
        _add_api(app, item.surface, item.mount, settings)
    ErrorResponder(mounted, settings).install(app)
    # The TPA WebSocket is no OpenAPI operation: served beside the AugmentOS surface, at its mount.
    app.add_middleware(AppWebSocketRoutes, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       mounts=[m.mount for m in mounted if m.surface.name == "augmentos"])
    app.add_middleware(RequestContextMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       mounted=mounted, max_body_bytes=settings.max_body_bytes,
                       body_timeout=settings.body_read_timeout)
    _add_agtos_edge(app, [m.mount for m in mounted if m.surface.name == "agtos"], settings)
    _add_owlette_edge(app, [m.mount for m in mounted if m.surface.name == "owlette"], settings)
    app.state_mounted = mounted
    return app
