"""JSON documents and text from SDKs, checked to be storable and readable back.

Python's JSON parser accepts ``NaN``/``Infinity`` and unpaired ``\\ud800``-style escapes; neither
can be written back as valid UTF-8 JSON, so such payloads are refused (422) at the door rather
than stored and failed on every later read.
"""
from __future__ import annotations

import json

from agentdeck.errors import SchemaViolation


def encode_document(document) -> bytes:
    """Compact UTF-8 JSON for ``document``; ``SchemaViolation`` when it has no such form."""
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode()
    except (ValueError, UnicodeEncodeError) as exc:
        raise SchemaViolation("payload holds NaN/Infinity or an unpaired surrogate escape, "
                              "which JSON text cannot carry") from exc


def encode_text(text: str) -> bytes:
    """``text`` as UTF-8; ``SchemaViolation`` when it holds an unpaired surrogate."""
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise SchemaViolation("text holds an unpaired surrogate escape") from exc
