"""Connexion's request and response validators, with each compiled JSON-schema validator kept.

Connexion builds a new ``jsonschema`` validator for every parameter and body of every request
(and deep-copies each parameter definition first): on Augur's step ingest that was about a fifth
of the server's CPU per request (docs/bench/augur.md). The schemas are the operations' own dicts,
fixed once the app is built, so the validator compiled for a schema object is kept and reused.
The validator classes, format checker and error texts are Connexion's own, so clients see exactly
the same responses. Passed to Connexion as its public ``validator_map``.
"""
from __future__ import annotations

import typing as t

from connexion.datastructures import MediaTypeDict
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


class KeptJSONRequestBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return compiled("request", self._schema, _request)


class KeptFormDataValidator(FormDataValidator):
    @property
    def _validator(self):
        return compiled("request", self._schema, _request)


class KeptMultiPartFormDataValidator(MultiPartFormDataValidator):
    @property
    def _validator(self):
        return compiled("request", self._schema, _request)


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
