"""Settings, read once from the environment (``AGENTDECK_*``, ``DATABASE_URL`` and a few names
the upstream products already use, such as Amplifier's ``AUTH_REQUIRED``)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

SURFACE_NAMES = ("augmentos", "augur", "agtos", "amplifier", "owlette")


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, meaning and default (shown by ``--help`` and README)."""

    env: str
    help: str


def _setting(env: str, default, help: str, cast=str):
    return field(default=default, metadata={"setting": Setting(env, help), "cast": cast})


@dataclass(frozen=True)
class Settings:
    """Every setting agentdeck reads. Construct with ``Settings.from_env()``."""

    data_dir: Path = _setting("AGENTDECK_DATA_DIR", Path("var"),
                              "data directory: SQLite database, blobs, generated secret key", Path)
    database_url: str = _setting("DATABASE_URL", "",
                                 "sqlite:///path or postgresql://user@host/db; default: SQLite in the data directory")
    redis_url: str = _setting("REDIS_URL", "",
                              "redis://host:port/db: rate limits are then counted in Redis instead of the database (unset: in the database)")
    secret_key: str = _setting("AGENTDECK_SECRET_KEY", "",
                               "key for secrets at rest (base64, 32 bytes); default: generated once into the data directory")
    host: str = _setting("AGENTDECK_HOST", "127.0.0.1", "address `agentdeck serve` binds")
    port: int = _setting("AGENTDECK_PORT", 8000, "port `agentdeck serve` binds", int)
    surfaces: tuple[str, ...] = _setting("AGENTDECK_SURFACES", (),
                                         "comma-separated surfaces to serve; default: every surface whose spec is installed", _list)
    mounts: tuple[str, ...] = _setting("AGENTDECK_MOUNTS", (),
                                       "comma-separated surface=path overrides, e.g. augur=/ (default: /<surface>)", _list)
    disabled_plugins: tuple[str, ...] = _setting("AGENTDECK_DISABLED_PLUGINS", (),
                                                 "comma-separated plugin names not to load", _list)
    log_level: str = _setting("AGENTDECK_LOG_LEVEL", "INFO", "logging level")
    validate_responses: bool = _setting("AGENTDECK_VALIDATE_RESPONSES", False,
                                        "validate every response against the spec (tests turn this on)", _bool)
    outbound_allow_private: bool = _setting("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", False,
                                            "allow outbound requests (webhooks, provider URLs) to private and loopback addresses", _bool)
    outbound_timeout: float = _setting("AGENTDECK_OUTBOUND_TIMEOUT", 10.0,
                                       "seconds an outbound request may take", float)
    maintenance_interval: float = _setting("AGENTDECK_MAINTENANCE_INTERVAL", 15.0,
                                           "seconds between background maintenance sweeps (0 disables them)", float)
    max_body_bytes: int = _setting("AGENTDECK_MAX_BODY_BYTES", 32 * 1024 * 1024,
                                   "largest request body accepted (413 past it)", int)
    body_read_timeout: float = _setting("AGENTDECK_BODY_READ_TIMEOUT", 30.0,
                                        "seconds each part of a request body may take to arrive (408 past it)", float)
    header_read_timeout: float = _setting("AGENTDECK_HEADER_READ_TIMEOUT", 15.0,
                                          "seconds a client has to send a request's headers before the connection is closed", float)
    keepalive_timeout: float = _setting("AGENTDECK_KEEPALIVE_TIMEOUT", 65.0,
                                        "seconds an idle kept-alive connection stays open (longer than clients keep theirs)", float)
    db_max_connections: int = _setting("AGENTDECK_DB_MAX_CONNECTIONS", 64,
                                       "pooled database connections per process", int)
    login_max_failures: int = _setting("AGENTDECK_LOGIN_MAX_FAILURES", 10,
                                       "failed sign-ins per account in a window before 429 (5x per client address)", int)
    login_window_seconds: float = _setting("AGENTDECK_LOGIN_WINDOW_SECONDS", 900.0,
                                           "seconds the failed sign-in count lasts", float)
    augmentos_heartbeat_timeout: float = _setting("AGENTDECK_AUGMENTOS_HEARTBEAT_TIMEOUT", 1800.0,
                                                  "seconds after which a silent TPA server registration is marked offline", float)
    augmentos_transcript_retention: float = _setting("AGENTDECK_AUGMENTOS_TRANSCRIPT_RETENTION", 1800.0,
                                                     "seconds transcript segments are kept (a maintenance sweep drops older ones)", float)
    augmentos_websocket_url: str = _setting("AGENTDECK_AUGMENTOS_WEBSOCKET_URL", "",
                                            "TPA WebSocket URL sent in session requests; default: <mount>/app-ws on the address and port the request came in on")
    augur_session_ttl: float = _setting("AGENTDECK_AUGUR_SESSION_TTL", 7 * 86400.0,
                                        "seconds an Augur login session lasts", float)
    augur_public_url: str = _setting("AGENTDECK_AUGUR_PUBLIC_URL", "http://127.0.0.1:8000/augur",
                                     "base URL written into minted Augur DSNs")
    owlette_origin: str = _setting("AGENTDECK_OWLETTE_ORIGIN", "",
                                   "owlette: the dashboard's origin (https://owlette.example.com): cookie-authenticated changes from another Origin are refused, and passkeys are bound to it; default: http://<host>:<port> the server listens on")
    owlette_rp_id: str = _setting("AGENTDECK_OWLETTE_RP_ID", "",
                                  "owlette: the WebAuthn relying-party ID passkeys are registered for; default: the origin's host name")
    owlette_api_rate_limit: int = _setting("AGENTDECK_OWLETTE_API_RATE_LIMIT", 300,
                                           "owlette: requests an hour each client address may make to the dashboard's /api routes (agent-token routes have their own limits)", int)
    # owlette alerts, webhooks and cortex (email over SMTP, cron and cortex secrets)
    smtp_url: str = _setting("AGENTDECK_SMTP_URL", "",
                             "SMTP server of the built-in email alert channel: smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (TLS), smtp+insecure://host:25 (plain, for a local relay); unset: no email is sent")
    smtp_from: str = _setting("AGENTDECK_SMTP_FROM", "",
                              "From address of alert email (alerts@example.com or 'owlette <alerts@example.com>')")
    smtp_timeout: float = _setting("AGENTDECK_SMTP_TIMEOUT", 15.0,
                                   "seconds the email channel waits for the SMTP server", float)
    smtp_ca_file: str = _setting("AGENTDECK_SMTP_CA_FILE", "",
                                 "PEM file of the certificate authorities the SMTP server's certificate is checked against (default: the system's)")
    owlette_cron_secret: str = _setting("AGENTDECK_OWLETTE_CRON_SECRET", "",
                                        "owlette: the X-Cron-Secret that /api/cron/health-check (and the cron form of /api/cortex/escalation) require; unset: those routes answer 401")
    owlette_cortex_secret: str = _setting("AGENTDECK_OWLETTE_CORTEX_SECRET", "",
                                          "owlette: the x-cortex-secret that /api/cortex/autonomous and /api/cortex/escalation require; unset: those routes answer 401")
    owlette_cortex_model: str = _setting("AGENTDECK_OWLETTE_CORTEX_MODEL", "",
                                         "owlette cortex: the model asked when a key names none (default: the provider's usual model)")
    owlette_wait_cap: float = _setting("AGENTDECK_OWLETTE_WAIT_CAP", 120.0,
                                       "owlette: the longest a request waits for an agent's answer (a command sent with wait, provision-key's 15 s), in seconds; a longer timeout asked for waits this long", float)
    owlette_cortex_autonomous: bool = _setting("AGENTDECK_OWLETTE_CORTEX_AUTONOMOUS", True,
                                               "owlette cortex: accept autonomous investigations (/api/cortex/autonomous) for sites with an LLM key of their own", _bool)
    owlette_cortex_cooldown: float = _setting("AGENTDECK_OWLETTE_CORTEX_COOLDOWN", 300.0,
                                              "owlette cortex: seconds after an autonomous investigation of a machine's process before another of the same is accepted", float)
    owlette_cortex_concurrency: int = _setting("AGENTDECK_OWLETTE_CORTEX_CONCURRENCY", 3,
                                               "owlette cortex: autonomous investigations a site may run at once", int)
    owlette_public_url: str = _setting("AGENTDECK_OWLETTE_PUBLIC_URL", "",
                                       "owlette: base URL of the surface written into alert emails (unsubscribe links); default: the dashboard origin + /owlette")
    amplifier_auth_required: bool = _setting("AUTH_REQUIRED", False,
                                             "Amplifier: require an application API key on every non-health endpoint", _bool)
    agtos_api_key: str = _setting("AGTOS_API_KEY", "",
                                  "agtOS: the bearer key every /api/* endpoint then requires (unset: open, with an onboarding setup token)")
    router_timeout: float = _setting("AGENTDECK_ROUTER_TIMEOUT", 60.0,
                                     "model router: seconds to connect to a provider or wait for its next bytes before falling back", float)
    router_cooldown: float = _setting("AGENTDECK_ROUTER_COOLDOWN", 3600.0,
                                      "model router: seconds a provider out of credit is skipped (0: until retried)", float)
    agtos_chat_max_steps: int = _setting("AGENTDECK_AGTOS_CHAT_MAX_STEPS", 8,
                                         "agtOS chat: model calls one message may take (read on each message)", lambda v: int(float(v)))
    agtos_chat_session_ttl: float = _setting("AGENTDECK_AGTOS_CHAT_SESSION_TTL", 86400.0,
                                             "agtOS chat: seconds a conversation is remembered after its last turn", float)
    agtos_chat_tool_timeout: float = _setting("AGENTDECK_AGTOS_CHAT_TOOL_TIMEOUT", 30.0,
                                              "agtOS chat: seconds one agent tool call may take", float)
    agtos_api_rate_limit: int = _setting("API_RATE_LIMIT", 100,
                                         "agtOS: requests a minute each client may make to /api/* (429 past it)", int)
    agtos_chat_rate_limit: int = _setting("CHAT_RATE_LIMIT", 20,
                                          "agtOS: requests a minute each client may make to /api/chat, /api/tasks and /api/credentials", int)
    agtos_model_catalog: str = _setting("AGENTDECK_AGTOS_MODEL_CATALOG", "",
                                        "agtOS: a YAML model catalog to use instead of the one shipped (id, name, description, type, family, format, sizeBytes, url, sha256 per model)")
    agtos_models_dir: str = _setting("AGENTDECK_AGTOS_MODELS_DIR", "",
                                     "agtOS: where downloaded models are kept (default: agtos-models in the data directory)")
    agtos_cors_origins: tuple[str, ...] = _setting("CORS_ORIGIN", ("http://localhost:5173",),
                                                   "agtOS: comma-separated origins browsers may call it from (the desktop app's are always added)", _list)
    # agtOS memory maintenance (the sweep, its schedule and its resource guard)
    agtos_maintenance_schedule: str = _setting("AGENTDECK_AGTOS_MAINTENANCE_SCHEDULE", "0 3 * * *",
                                               "agtOS: cron expression (UTC) of the daily memory maintenance sweep; empty or off turns it off")
    agtos_maintenance_max_load: float = _setting("AGENTDECK_AGTOS_MAINTENANCE_MAX_LOAD", 2.0,
                                                 "agtOS: 1-minute load average per CPU above which a maintenance sweep is deferred (0: never for load)", float)
    agtos_memory_retention_days: int = _setting("AGTOS_MEMORY_RETENTION_DAYS", 30,
                                                "agtOS: days after which a conclusion no recent episode supports is stale (1-365)", int)
    # agtOS scheduled tasks: where a fired task's alert payload goes
    agtos_alert_channels: str = _setting("AGENTDECK_AGTOS_ALERT_CHANNELS", "",
                                         "agtOS: JSON object of alert channel name to configuration that scheduled alerts go to (default: the log channel)")
    # agtOS memory: embedder and importers
    agtos_memory_embedder: str = _setting("AGENTDECK_MEMORY_EMBEDDER", "local",
                                          "agtOS memory: the embedder (register_embedders plugin) that turns text into vectors")
    memory_import_dir: Path | None = _setting("AGENTDECK_MEMORY_IMPORT_DIR", None,
                                              "agtOS memory: folder importers read exports from (default: <data dir>/import)", Path)

    @classmethod
    def from_env(cls, environ=None) -> "Settings":
        """Build settings from ``environ`` (default ``os.environ``); unset variables keep defaults."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            meta = f.metadata["setting"]
            if meta.env in environ and environ[meta.env] != "":
                values[f.name] = f.metadata["cast"](environ[meta.env])
        return cls(**values)

    @classmethod
    def documented(cls) -> list[tuple[str, str, object]]:
        """(environment variable, meaning, default) for every setting."""
        return [(f.metadata["setting"].env, f.metadata["setting"].help, f.default) for f in fields(cls)]

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'agentdeck.db').resolve()}"

    @property
    def owlette_expected_origin(self) -> str:
        """The owlette dashboard's origin: the setting, else where the server listens."""
        if self.owlette_origin:
            return self.owlette_origin.rstrip("/")
        host = "localhost" if self.host in {"127.0.0.1", "0.0.0.0", "::", "::1"} else self.host
        return f"http://{host}:{self.port}"

    @property
    def owlette_relying_party_id(self) -> str:
        """The WebAuthn RP ID: the setting, else the owlette origin's host name."""
        from urllib.parse import urlparse

        return self.owlette_rp_id or (urlparse(self.owlette_expected_origin).hostname or "localhost")

    def mount_for(self, surface: str) -> str:
        """Where ``surface`` is mounted: an override from AGENTDECK_MOUNTS, else ``/<surface>``."""
        for item in self.mounts:
            name, _, path = item.partition("=")
            if name.strip() == surface:
                path = "/" + path.strip().strip("/")
                return "" if path == "/" else path
        return f"/{surface}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()


def reset_settings() -> None:
    """Forget cached settings (the environment changed; tests)."""
    get_settings.cache_clear()
