"""Domain exceptions. Domain code raises these; ``agentdeck.error_responses`` turns each into the
error shape of the surface that was called. Handlers never build error bodies themselves."""
from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; ``status`` is the HTTP status a client should see."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None, headers: dict | None = None,
                 details: list | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers or {}
        self.details = details


class InvalidInput(DomainError):
    """The request is well-formed but its content breaks a rule (400)."""

    status = 400


class Unauthorized(DomainError):
    """No credential, or one that is not valid (401)."""

    status = 401


class Forbidden(DomainError):
    """A valid credential without the right to do this (403)."""

    status = 403


class NotFound(DomainError):
    """The thing asked for does not exist, or is not visible to the caller (404)."""

    status = 404


class RequestTimeout(DomainError):
    """The client stopped sending the request body before it was whole (408)."""

    status = 408


class Conflict(DomainError):
    """The request conflicts with the current state (409)."""

    status = 409


class PayloadTooLarge(DomainError):
    """The request body or an appended total is over its bound (413)."""

    status = 413


class UnsupportedMediaType(DomainError):
    """The body is not of a type this operation accepts (415)."""

    status = 415


class SchemaViolation(DomainError):
    """The payload fails the operation's schema (422); ``details`` lists ``{loc, msg, type}``."""

    status = 422


class TooManyRequests(DomainError):
    """A rate limit was hit (429)."""

    status = 429


class UpstreamFailure(DomainError):
    """A server agentdeck called on the client's behalf failed (502)."""

    status = 502


class ServiceUnavailable(DomainError):
    """A dependency agentdeck needs is down (503)."""

    status = 503
