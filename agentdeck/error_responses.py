"""Turns every error — domain exceptions, Connexion's validation, security and routing problems,
and anything unexpected — into the error shape of the surface the request was addressed to."""
from __future__ import annotations

import json
import logging
import re
from http.cookies import CookieError

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from agentdeck import json_limits
from agentdeck.errors import DomainError
from agentdeck.settings import Settings
from agentdeck.specs import load_spec
from agentdeck.surfaces import PLATFORM, Mounted, surface_for_path

log = logging.getLogger("agentdeck.errors")


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _allowed_methods(mounted: list[Mounted], settings: Settings) -> list[tuple[re.Pattern, str]]:
    """(full-path regex, Allow header) for every path of every mounted spec.

    Connexion routes each method of a path separately, so on a 405 the router only knows the
    methods of the first route it matched; the spec knows them all.
    """
    table = []
    for item in [*mounted, Mounted(PLATFORM, "")]:
        spec = load_spec(item.surface.spec_file, settings)
        for template, operations in (spec.get("paths") or {}).items():
            methods = sorted(m.upper() for m in operations if m in _HTTP_METHODS)
            if "GET" in methods and "HEAD" not in methods:
                methods.append("HEAD")
            pattern = re.sub(r"\\{[^/}]+\\}", "[^/]+", re.escape(item.mount + template))
            literal = len(re.sub(r"\{[^/}]+\}", "", template))
            table.append((literal, re.compile(f"^{pattern}$"), ", ".join(methods)))
    # Most specific template first: ".../steps/{step}.json" before ".../steps/{step_index}",
    # which would match "0003.json" too since every parameter is matched as [^/]+.
    table.sort(key=lambda row: -row[0])
    return [(pattern, methods) for _, pattern, methods in table]


class ErrorResponder:
    """Builds error responses for the surfaces mounted in one app."""

    def __init__(self, mounted: list[Mounted], settings: Settings):
        self.mounted = mounted
        self.allowed = _allowed_methods(mounted, settings)

    def respond(self, request: ConnexionRequest, status: int, message: str, *,
                details: list | None = None, headers: dict | None = None,
                schema_failure: bool = False, from_domain: bool = False) -> ConnexionResponse:
        """An error response in the shape of the surface ``request`` was addressed to."""
        surface, path = surface_for_path(request.url.path, self.mounted)
        if schema_failure:
            status = surface.schema_failure_status
            message = surface.validation_message(path, message)
        if status == 401 and surface.unauthorized_message and not from_domain:
            message = surface.unauthorized_message
        body = surface.error_body(status, message, path, details)
        return ConnexionResponse(status_code=status, body=json.dumps(body),
                                 content_type=surface.content_type, headers=headers or {})

    def domain_error(self, request: ConnexionRequest, exc: DomainError) -> ConnexionResponse:
        """A rule broken in the domain layer."""
        return self.respond(request, exc.status, exc.message, details=exc.details, headers=exc.headers,
                            from_domain=True)

    def problem(self, request: ConnexionRequest, exc: ProblemException) -> ConnexionResponse:
        """Connexion's own errors: request validation, security, unsupported media type."""
        status = exc.status or 500
        message = exc.detail or exc.title or "Error"
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, message)
        schema_failure = status == 400 and type(exc).__name__ in {"BadRequestProblem", "ExtraParameterProblem"}
        if schema_failure:
            allow = self._allow_for(request.url.path)
            if allow is not None and request.method not in allow.split(", "):
                # `DELETE /credentials/validate` reached `DELETE /credentials/{id}` and failed its
                # id pattern; the path names `/credentials/validate`, which has no DELETE.
                return self.respond(request, 405, "Method Not Allowed", headers={"Allow": allow})
            # jsonschema's message continues with the whole schema and instance: keep the summary.
            message = str(message).strip().split("\n", 1)[0][:300]
        return self.respond(request, status, str(message), headers=getattr(exc, "headers", None),
                            schema_failure=schema_failure)

    def http_error(self, request: ConnexionRequest, exc: HTTPException) -> ConnexionResponse:
        """Routing errors (no such path, method not allowed) from Starlette."""
        message = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allow = self._allow_for(request.url.path)
            if allow:
                headers["Allow"] = allow
        return self.respond(request, exc.status_code, message, headers=headers)

    def _allow_for(self, path: str) -> str | None:
        """The methods of the most specific spec path matching ``path`` (None when none does)."""
        return next((methods for pattern, methods in self.allowed if pattern.match(path)), None)

    def undecodable(self, request: ConnexionRequest, exc: UnicodeDecodeError) -> ConnexionResponse:
        """A body that is not valid UTF-8 (Connexion's JSON parser raises this as is)."""
        return self.respond(request, 400, "Request body is not valid UTF-8", schema_failure=True)

    def value_error(self, request: ConnexionRequest, exc: ValueError) -> ConnexionResponse:
        """Input Python cannot take: PostgreSQL refuses NUL characters in text (SQLite stores
        them); a JSON body read outside the validators can break ``json_limits``."""
        if isinstance(exc, json_limits.InvalidJSON) or "integer string conversion" in str(exc):
            return self.respond(request, 400, str(exc), schema_failure=True)
        if "NUL (0x00)" in str(exc):
            surface, _ = surface_for_path(request.url.path, self.mounted)
            return self.respond(request, surface.schema_failure_status,
                                "Text must not contain NUL (0x00) characters")
        return self.unexpected(request, exc)

    def too_deep(self, request: ConnexionRequest, exc: RecursionError) -> ConnexionResponse:
        """Input nested past what the parsers can recurse into."""
        log.warning("%s %s: input nested too deep", request.method, request.url.path)
        return self.respond(request, 400, "Request body nests too deep", schema_failure=True)

    def bad_multipart(self, request: ConnexionRequest, exc: MultiPartException) -> ConnexionResponse:
        """A multipart body that does not parse: the surface's answer to a malformed payload."""
        return self.respond(request, 400, f"Malformed multipart body: {exc.message}", schema_failure=True)

    def bad_cookie(self, request: ConnexionRequest, exc: CookieError) -> ConnexionResponse:
        """A ``Cookie`` header Python's cookie parser refuses: no credential can be read from it."""
        return self.respond(request, 401, "Malformed Cookie header")

    def unexpected(self, request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        """A bug: logged with its traceback, answered as a plain 500 in the surface's shape."""
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return self.respond(request, 500, "Internal Server Error")

    def install(self, app) -> None:
        """Register these handlers on a Connexion app."""
        app.add_error_handler(DomainError, self.domain_error)
        app.add_error_handler(ProblemException, self.problem)
        app.add_error_handler(HTTPException, self.http_error)
        app.add_error_handler(UnicodeDecodeError, self.undecodable)
        app.add_error_handler(ValueError, self.value_error)
        app.add_error_handler(RecursionError, self.too_deep)
        app.add_error_handler(MultiPartException, self.bad_multipart)
        app.add_error_handler(CookieError, self.bad_cookie)
        app.add_error_handler(Exception, self.unexpected)
