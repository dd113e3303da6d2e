"""Field types shared by the models of every surface."""
from __future__ import annotations

import json
import secrets
import uuid

import peewee


class JSONField(peewee.TextField):
    """A JSON document stored as text, so it works alike on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


def new_uuid() -> str:
    """A random UUID4 as a string: the id of most agentdeck records."""
    return str(uuid.uuid4())


def new_object_id() -> str:
    """A 24-hex-digit id, the shape MongoDB-backed upstreams (AugmentOS) give their ``_id``."""
    return secrets.token_hex(12)
