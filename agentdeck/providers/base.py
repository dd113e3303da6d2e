"""The ``Provider`` base class every LLM provider plugin subclasses."""
from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, ClassVar
from urllib.parse import urlparse

from agentdeck.outbound import OutboundRefused, validate_url
from agentdeck.providers.errors import ProviderBadRequest, ProviderURLRefused
from agentdeck.providers.events import AccountInfo, Completion, ModelInfo, StreamEvent, collect
from agentdeck.settings import get_settings

# SDK clients refuse to start without a key; servers that need none (vLLM, llama.cpp) ignore it.
NO_KEY = "no-key-configured"


class Provider:
    """One configured connection to an LLM upstream.

    Subclasses set ``name`` (what configs call the provider, e.g. ``openai``) and implement
    ``stream``; they override ``complete`` when the upstream has a cheaper non-streaming call, and
    ``list_models`` / ``validate_credentials`` / ``account_info`` where the upstream can answer.

    Config keys every provider reads (unknown keys are ignored, so one stored config can carry
    keys for several providers): ``api_key``, ``base_url`` (checked by ``agentdeck.outbound``),
    ``model`` (the default model), ``timeout`` (seconds to connect or to wait for the next bytes).
    A provider holds a connection pool: use it as ``async with`` or call ``aclose()``.
    """

    name: ClassVar[str] = ""
    #: Used when the config has no ``base_url``; the operator's default, so it is not checked.
    default_base_url: ClassVar[str | None] = None
    default_model: ClassVar[str | None] = None
    default_timeout: ClassVar[float] = 60.0

    def __init__(self, config: dict | None = None):
        config = dict(config or {})
        self.api_key: str | None = config.pop("api_key", None) or None
        # The key stays out of ``self.config`` so that logging a provider's config cannot leak it.
        self.config: dict[str, Any] = config
        self.base_url = self._checked_base_url(config.get("base_url"))
        self.model: str | None = config.get("model") or self.default_model
        self.timeout = config_float(config, "timeout", self.default_timeout)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} model={self.model!r} base_url={self.base_url!r}>"

    # -- the interface ------------------------------------------------------------------------

    async def complete(self, messages: list[dict], *, model: str | None = None,
                       tools: list[dict] | None = None, options: dict | None = None) -> Completion:
        """The whole reply to ``messages``; by default, the drained ``stream``."""
        events = self.stream(messages, model=model, tools=tools, options=options)
        return await collect(events, model=self.resolve_model(model))

    def stream(self, messages: list[dict], *, model: str | None = None,
               tools: list[dict] | None = None,
               options: dict | None = None) -> AsyncIterator[StreamEvent]:
        """The reply as events: deltas and tool calls, then ``Usage`` if known, then ``Done``.

        Implementations are async generators. Cancelling the task that iterates, or closing the
        iterator (``contextlib.aclosing``), must close the upstream connection at once.
        """
        raise NotImplementedError(f"provider {self.name!r} does not implement stream()")

    async def list_models(self) -> list[ModelInfo]:
        """The upstream's model catalog (empty when the upstream cannot list models)."""
        return []

    async def validate_credentials(self) -> None:
        """Return if the configured key works; raise ``ProviderAuthError`` (or another
        ``ProviderError`` when the upstream cannot be asked) otherwise."""
        return None

    async def account_info(self) -> AccountInfo | None:
        """Credits or balance behind the key, where the upstream exposes them; else ``None``."""
        return None

    async def aclose(self) -> None:
        """Close the provider's connection pool (idempotent)."""
        return None

    async def __aenter__(self) -> "Provider":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    # -- for subclasses -----------------------------------------------------------------------

    def resolve_model(self, model: str | None) -> str:
        """``model``, else the configured default; raises ``ProviderBadRequest`` when neither."""
        chosen = model or self.model
        if not chosen:
            raise ProviderBadRequest("no model given and no default model configured",
                                     provider=self.name)
        return chosen

    def sdk_client_options(self, http_client_class) -> dict:
        """Keyword arguments for a vendor SDK client (``AsyncOpenAI``, ``AsyncAnthropic``).

        The key and base URL are always explicit: SDKs otherwise fill them from their own
        environment variables and would send the operator's key to a URL a client chose (a
        placeholder stands in for a missing key). ``http_client_class`` is the SDK's default
        httpx client class, built here with redirects off and ``request_hooks``.
        """
        return {"api_key": self.api_key or NO_KEY, "base_url": self.base_url,
                "timeout": self.timeout, "max_retries": config_int(self.config, "max_retries", 2),
                "default_headers": dict(self.config.get("headers") or {}),
                "http_client": http_client_class(follow_redirects=False,
                                                 event_hooks=self.request_hooks())}

    def request_hooks(self) -> dict:
        """httpx ``event_hooks`` for the provider's HTTP client: when ``base_url`` came from the
        config, every request is checked again, resolving its host (see ``check_url``)."""
        if not self._guard_requests:
            return {}

        async def check(request) -> None:
            await self.check_url(str(request.url))

        return {"request": [check]}

    async def check_url(self, url: str) -> None:
        """Raise ``ProviderURLRefused`` unless agentdeck may call ``url`` now.

        The host is resolved on each request, off the event loop, so a name that has come to
        point at a private address since the config was saved is refused.
        """
        try:
            validate_url(url, resolve=False)  # scheme and literal addresses: no I/O
            if not get_settings().outbound_allow_private:
                await asyncio.to_thread(validate_url, url)
        except OutboundRefused as exc:
            raise ProviderURLRefused(f"base_url refused: {exc}", provider=self.name) from None

    def _checked_base_url(self, url: str | None) -> str | None:
        self._guard_requests = bool(url)
        if not url:
            return self.default_base_url
        try:
            # No DNS here: constructors run on the event loop. Requests resolve (request_hooks).
            validate_url(url, resolve=False)
        except OutboundRefused as exc:
            raise ProviderURLRefused(f"base_url refused: {exc}", provider=self.name) from None
        return url.rstrip("/")

    @property
    def base_host(self) -> str:
        """The host name of ``base_url`` (``""`` when there is none)."""
        return urlparse(self.base_url or "").hostname or ""


def config_float(config: dict, key: str, default: float) -> float:
    """A positive number from ``config[key]``; raises ``ProviderBadRequest`` when it is not one."""
    value = config.get(key)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProviderBadRequest(f"config {key!r} must be a number, not {value!r}") from None
    if number < 0:
        raise ProviderBadRequest(f"config {key!r} must not be negative")
    return number


def config_int(config: dict, key: str, default: int) -> int:
    """A non-negative integer from ``config[key]``; raises ``ProviderBadRequest`` otherwise."""
    return int(config_float(config, key, default))
