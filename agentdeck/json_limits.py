"""The JSON every surface accepts: what Python's parser takes, minus what it cannot carry on.

``json.loads`` raises ``ValueError`` on integers past 4,300 digits and ``RecursionError`` on
nesting about a thousand deep; it accepts ``NaN``/``Infinity`` and unpaired ``\\ud800``-style
escapes, which no later step (the schema validator, the database, the YAML parser, a JSON
response) can handle. ``loads`` refuses all of these with ``InvalidJSON``, a client error each
surface answers in its own shape, before the body reaches validation or a handler.
"""
from __future__ import annotations

import json
import re

MAX_DEPTH = 128  # arrays and objects inside one another
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class InvalidJSON(ValueError):
    """The body is not JSON this server accepts; the message says why."""


def _refuse_constant(name: str):
    raise InvalidJSON(f"{name} is not a JSON number")


def loads(text: str):
    """``text`` parsed as JSON within the limits above; ``InvalidJSON`` otherwise."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(str(exc)) from None
    except RecursionError:
        raise InvalidJSON(f"JSON nests deeper than {MAX_DEPTH} levels") from None
    except InvalidJSON:
        raise
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise InvalidJSON(f"a JSON number is too long: {exc}") from None
    # Counting brackets is C-speed; the walk runs only for bodies that could nest too deep.
    if text.count("[") + text.count("{") > MAX_DEPTH:
        check_depth(value)
    if _SURROGATE_ESCAPE.search(text):
        check_text(value)
    return value


def check_depth(value) -> None:
    """``InvalidJSON`` when containers in ``value`` nest deeper than ``MAX_DEPTH``."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise InvalidJSON(f"JSON nests deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def check_text(value) -> None:
    """``InvalidJSON`` when a string (or key) in ``value`` holds an unpaired surrogate escape."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings = (item,)
        elif isinstance(item, dict):
            strings = item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        for text in strings:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidJSON("a JSON string holds an unpaired surrogate escape (\\ud800-\\udfff)") from None
