"""Connexion's per-request work that does not depend on the request, done once instead.

Connexion 3.3 redoes, on every request, work that only depends on the spec or the handler: it
builds a ``jsonschema`` validator for every parameter and body (after deep-copying each parameter
definition), the handler's whole decorator chain and a URI parser; it inspects the handler's and
the security function's signatures (``inspect.signature``), looks up the operation's body
definition about seven times (matching media ranges with ``fnmatch``), turns each parameter name
into a Python identifier with regular expressions, and evaluates a ``typing`` subscript each time
it reads a Content-Type. On Augur's step ingest that was about 40 % of the server's CPU per
request (ADR 0004, docs/bench/augur.md). Here each of those is done once and kept:

- the validators, through Connexion's public ``validator_map`` (:data:`VALIDATOR_MAP`);
- the rest by :func:`install`, which replaces a few Connexion functions with equivalents that
  keep their result. It checks that each replaced function still exists, so a Connexion release
  that moves them fails at startup (and in tests) instead of silently losing the speed-up; the
  dependency is held below Connexion 3.4 for the same reason.

The validator classes, format checker and error texts are Connexion's own, so clients see exactly
the same responses; only JSON bodies are parsed within ``agentdeck.json_limits``.
"""
from __future__ import annotations

import functools
import inspect
import typing as t

import connexion.apps.asynchronous
import connexion.decorators.parameter
import connexion.operations.openapi
import connexion.security
import connexion.utils
from connexion.context import receive as request_receive
from connexion.context import scope as request_scope
from connexion.datastructures import MediaTypeDict
from connexion.decorators import StarletteDecorator
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    FormDataValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft4Validator, ValidationError

from agentdeck import json_limits
from agentdeck.storage.db import gives_back_connection

# --- validators ---------------------------------------------------------------------------------

# (kind, id(schema)) -> (schema, validator). The schema is held so that its id cannot be reused
# by another object while the entry exists; the identity check guards against a stale entry.
_compiled: dict[tuple[str, int], tuple[dict, t.Any]] = {}


def compiled(kind: str, schema: dict, build: t.Callable[[dict], t.Any]):
    """The validator ``build(schema)`` made for this schema object, built on first use."""
    key = (kind, id(schema))
    entry = _compiled.get(key)
    if entry is None or entry[0] is not schema:
        entry = (schema, build(schema))
        _compiled[key] = entry
    return entry[1]


def _draft4(schema):
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _request(schema):
    return Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _response(schema):
    return Draft4ResponseValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


class KeptParameterValidator(ParameterValidator):
    """Connexion's parameter validation without the per-request copy and compile."""

    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            try:
                compiled("parameter", param.get("schema", param), _draft4).validate(value)
            except ValidationError as exception:
                return str(exception)
        elif param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


class _KeptRequestBody:
    """Mixin for Connexion's request-body validators: the compiled validator of their schema."""

    @property
    def _validator(self):
        return compiled("request", self._schema, _request)


class KeptJSONRequestBodyValidator(_KeptRequestBody, JSONRequestBodyValidator):
    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope) -> t.Any:
        """Connexion's JSON body parsing within ``json_limits`` (a 4xx, never a 500)."""
        body = b"".join([chunk async for chunk in stream]).decode(self._encoding)
        if not body:
            return None
        try:
            return json_limits.loads(body)
        except json_limits.InvalidJSON as exc:
            raise BadRequestProblem(detail=str(exc)) from None


class KeptFormDataValidator(_KeptRequestBody, FormDataValidator):
    pass


class KeptMultiPartFormDataValidator(_KeptRequestBody, MultiPartFormDataValidator):
    pass


class KeptJSONResponseBodyValidator(JSONResponseBodyValidator):
    @property
    def validator(self):
        return compiled("response", self._schema, _response)


VALIDATOR_MAP = {
    "parameter": KeptParameterValidator,
    "body": MediaTypeDict({
        "*/*json": KeptJSONRequestBodyValidator,
        "application/x-www-form-urlencoded": KeptFormDataValidator,
        "multipart/form-data": KeptMultiPartFormDataValidator,
    }),
    "response": MediaTypeDict({
        "*/*json": KeptJSONResponseBodyValidator,
        "text/plain": TextResponseBodyValidator,
    }),
}

# --- handler decoration, signatures, content types -----------------------------------------------

_original_inspect = connexion.utils.inspect_function_arguments
_original_extract_content_type = connexion.utils.extract_content_type


@functools.lru_cache(maxsize=4096)
def _arguments_of(function: t.Callable) -> tuple[tuple[str, ...], bool]:
    arguments, has_kwargs = _original_inspect(function)
    return tuple(arguments), has_kwargs


def inspect_function_arguments(function: t.Callable) -> tuple[list[str], bool]:
    """Connexion's ``inspect_function_arguments``, inspecting each function once."""
    arguments, has_kwargs = _arguments_of(function)
    return list(arguments), has_kwargs


def extract_content_type(headers) -> str | None:
    """Connexion's ``extract_content_type`` (the first Content-Type header), without building a
    ``typing`` alias on every call."""
    for key, value in (headers.items() if isinstance(headers, dict) else headers):
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if key.lower() == "content-type":
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


# Connexion turns every parameter and body name into a Python identifier with three regular
# expression substitutions, on every request; the names repeat (bounded: query names are the
# client's choice).
sanitized = functools.lru_cache(maxsize=4096)(connexion.decorators.parameter.sanitized)
pythonic = functools.lru_cache(maxsize=4096)(connexion.decorators.parameter.pythonic)

_original_body_definition = connexion.operations.openapi.OpenAPIOperation.body_definition


def body_definition(self, content_type: str | None = None) -> dict:
    """``OpenAPIOperation.body_definition``, looked up once per content type: Connexion calls it
    about seven times a request, each time matching media ranges with ``fnmatch``. It returns the
    spec's own dict either way."""
    kept = self.__dict__.setdefault("_agentdeck_body_definitions", {})
    try:
        return kept[content_type]
    except KeyError:
        kept[content_type] = definition = _original_body_definition(self, content_type)
        return definition


def _handler(self) -> t.Callable:
    """``AsyncOperation.fn``: the handler with Connexion's parameter and response decorators,
    built on first use and kept, where Connexion builds the whole chain again per request.

    A plain-``def`` handler runs on a worker thread, and gives that thread's database
    connection back to the pool when it returns: the one place this is done for every surface
    (a handful of pooled connections then serve any number of worker threads)."""
    kept = self.__dict__.get("_agentdeck_handler")
    if kept is None:
        decorator = StarletteDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        function = self._fn
        if not inspect.iscoroutinefunction(function):
            function = gives_back_connection(function)
        if _takes_nothing(self._fn):
            kept = _without_parameters(decorator, function)
            self.__dict__["_agentdeck_handler"] = kept
            return kept
        decorated = decorator.decorate(function)
        uri_parser = None

        async def kept():
            nonlocal uri_parser
            if uri_parser is None:  # depends on the operation only; read inside a request
                uri_parser = decorator.uri_parser
            request = decorator.framework.get_request(
                uri_parser=uri_parser, scope=request_scope._get_current_object(),
                receive=request_receive._get_current_object())
            return await decorated(request)

        self.__dict__["_agentdeck_handler"] = kept
    return kept


def _takes_nothing(function: t.Callable) -> bool:
    arguments, has_kwargs = _arguments_of(connexion.decorators.parameter.unwrap_decorators(function))
    return not arguments and not has_kwargs


def _without_parameters(decorator: StarletteDecorator, function: t.Callable) -> t.Callable:
    """The handler of an operation whose function takes no arguments, with the response
    decorator only. Connexion's parameter decorator would still build a request, read the body,
    parse a form for files and gather every parameter, all to pass nothing; request validation
    (in its own middleware) is untouched."""
    call = decorator._sync_async_decorator(function)
    respond = decorator._response_decorator_cls(framework=decorator.framework, jsonifier=decorator.jsonifier)
    return respond(call)


# (module, attribute, replacement): what install() puts in place.
_REPLACEMENTS = [
    (connexion.utils, "extract_content_type", extract_content_type),
    (connexion.utils, "inspect_function_arguments", inspect_function_arguments),
    (connexion.security, "inspect_function_arguments", inspect_function_arguments),
    (connexion.decorators.parameter, "inspect_function_arguments", inspect_function_arguments),
    (connexion.apps.asynchronous.AsyncOperation, "fn", property(_handler)),
    (connexion.operations.openapi.OpenAPIOperation, "body_definition", body_definition),
    (connexion.decorators.parameter, "sanitized", sanitized),
    (connexion.decorators.parameter, "pythonic", pythonic),
]


def install() -> None:
    """Put the kept equivalents in place (idempotent). Raises if Connexion no longer has one of
    the functions replaced, rather than running without the speed-up unnoticed."""
    for owner, name, replacement in _REPLACEMENTS:
        current = getattr(owner, name, None) if not isinstance(owner, type) else owner.__dict__.get(name)
        if current is None:
            raise RuntimeError(f"Connexion changed: {owner.__name__}.{name} is gone; "
                               f"update agentdeck.connexion_tuning")
        setattr(owner, name, replacement)
