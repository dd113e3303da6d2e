"""Provider errors: one class per thing a caller does differently, never a client library's type.

Callers branch on the class (or on ``kind``, the same thing as a string for logs and API bodies):
re-enter the key (``ProviderAuthError``), wait ``retry_after`` (``ProviderRateLimited``), top up
(``ProviderOutOfCredit``), retry or fall back (``retryable``), or fix the request
(``ProviderBadRequest``). ``status`` is the upstream's HTTP status when there was one, not the
status agentdeck answers with; each surface maps these classes to its own error shape.
"""
from __future__ import annotations

import email.utils
import time
from typing import ClassVar, Mapping

from agentdeck.outbound import OutboundRefused


class ProviderError(Exception):
    """Base class. ``kind``, ``message``, ``status``, ``retry_after`` (seconds) and ``provider``."""

    kind: ClassVar[str] = "provider_error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, provider: str | None = None, status: int | None = None,
                 retry_after: float | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.retry_after = retry_after
        self.code = code  # the upstream's own error type or code, for logs

    def __str__(self) -> str:
        where = f"{self.provider}: " if self.provider else ""
        status = f" (upstream status {self.status})" if self.status else ""
        return f"{where}{self.message}{status}"

    def to_dict(self) -> dict:
        """JSON-ready description for API error bodies and logs (holds no secrets)."""
        return {"kind": self.kind, "message": self.message, "provider": self.provider,
                "status": self.status, "retry_after": self.retry_after, "code": self.code}


class ProviderAuthError(ProviderError):
    """The key is missing, wrong, revoked or not allowed to do this (401 / 403)."""

    kind = "auth"


class ProviderRateLimited(ProviderError):
    """Too many requests (429); ``retry_after`` comes from the Retry-After header when sent."""

    kind = "rate_limited"
    retryable = True


class ProviderOutOfCredit(ProviderError):
    """The account has no credit or quota left (402, or an insufficient-quota / billing body)."""

    kind = "out_of_credit"


class ProviderTimeout(ProviderError):
    """The upstream did not connect or answer within the configured ``timeout`` (or sent 408)."""

    kind = "timeout"
    retryable = True


class ProviderUpstreamError(ProviderError):
    """The upstream failed: 5xx, overloaded, connection refused or dropped, a broken stream."""

    kind = "upstream"
    retryable = True


class ProviderBadRequest(ProviderError):
    """The upstream refused the request itself (other 4xx: unknown model, bad parameters)."""

    kind = "bad_request"


class ProviderURLRefused(ProviderBadRequest, OutboundRefused):
    """A configured ``base_url`` points where agentdeck may not call (see ``agentdeck.outbound``)."""

    kind = "url_refused"


class ProviderNotInstalled(ProviderError, LookupError):
    """No installed plugin registers a provider of that name."""

    kind = "not_installed"


# Error types / codes in upstream bodies that mean "no money left", whatever the status says
# (OpenAI sends insufficient_quota with 429; Anthropic sends a low credit balance with 400).
_CREDIT_MARKERS = ("insufficient_quota", "billing_error", "insufficient_credits", "credit balance",
                   "insufficient credit", "insufficient balance", "payment required", "out of credit")

_TYPE_CLASSES = {
    "authentication_error": ProviderAuthError, "invalid_api_key": ProviderAuthError,
    "permission_error": ProviderAuthError, "unauthorized": ProviderAuthError,
    "rate_limit_error": ProviderRateLimited, "rate_limit_exceeded": ProviderRateLimited,
    "overloaded_error": ProviderUpstreamError, "api_error": ProviderUpstreamError,
    "server_error": ProviderUpstreamError, "timeout_error": ProviderTimeout,
    "invalid_request_error": ProviderBadRequest, "not_found_error": ProviderBadRequest,
    "request_too_large": ProviderBadRequest, "model_not_found": ProviderBadRequest,
}


def error_class(status: int | None, error_type: str | None = None,
                message: str | None = None) -> type[ProviderError]:
    """The class for an upstream failure, from its HTTP status and its body's error type / text.

    The body decides when it says "out of credit" or when there is no error status (errors sent
    inside a 200 stream); otherwise the status decides.
    """
    text = f"{error_type or ''} {message or ''}".lower()
    if status == 402 or any(marker in text for marker in _CREDIT_MARKERS):
        return ProviderOutOfCredit
    if status is None or status < 400:
        return _TYPE_CLASSES.get((error_type or "").lower(), ProviderUpstreamError)
    if status in (401, 403):
        return ProviderAuthError
    if status == 429:
        return ProviderRateLimited
    if status == 408:
        return ProviderTimeout
    if status >= 500:
        return ProviderUpstreamError
    return ProviderBadRequest


def error_for(provider: str, status: int | None, *, error_type: str | None = None,
              message: str | None = None, headers: Mapping[str, str] | None = None,
              secret: str | None = None) -> ProviderError:
    """Build the error for an upstream failure; ``secret`` (the API key) is cut from the message."""
    cls = error_class(status, error_type, message)
    text = redact(message or f"upstream answered {status}", secret)
    retry_after = parse_retry_after(headers) if headers is not None else None
    return cls(text, provider=provider, status=status, retry_after=retry_after, code=error_type)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP date."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(float(lowered["retry-after-ms"]) / 1000.0, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``***``."""
    if secret and len(secret) >= 4:
        return text.replace(secret, "***")
    return text
