"""DSNs: a tenant's ingest credentials. The key is shown once and stored as its SHA-256.

A DSN reads ``<public url>/api/v1?token=<api key>&tenant=<slug>``; the SDK sends the key as
``Authorization: Bearer <api key>`` and the server finds the tenant from the key alone.

Every ingest call presents a key, so each process remembers keys it has recently accepted for
``KEY_CACHE_SECONDS``: a revocation (or a change of the tenant's model I/O setting) is seen at
once by the process that made it and within that many seconds by the others.
"""
from __future__ import annotations

import re
import secrets
import time
from urllib.parse import urlencode

from agentdeck.errors import Forbidden, NotFound, Unauthorized
from agentdeck.security.tokens import hash_token
from agentdeck.settings import get_settings
from agentdeck.storage.models.augur import AugurDsn, AugurTenant
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augur.documents import encode_text
from agentdeck.augur.principals import IngestClient

# Keys minted here are 48 hex digits (as upstream); anything not token-like is not a credential.
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_.~+/=-]{16,256}$")
KEY_CACHE_SECONDS = 2.0
_accepted: dict[str, tuple[IngestClient, float]] = {}


def dsn_url(api_key: str, tenant_slug: str) -> str:
    """The DSN an SDK is configured with (``AUGUR_DSN``)."""
    base = get_settings().augur_public_url.rstrip("/")
    return f"{base}/api/v1?{urlencode({'token': api_key, 'tenant': tenant_slug})}"


def dsn_document(dsn: AugurDsn) -> dict:
    """A DSN record as listed: no key, only its first characters."""
    return {"id": dsn.id, "label": dsn.label, "key_prefix": dsn.key_prefix,
            "created_at": to_iso(dsn.created_at), "revoked_at": to_iso(dsn.revoked_at),
            "active": dsn.revoked_at is None}


def issue_dsn(tenant: AugurTenant, label: str) -> dict:
    """Mint a DSN for ``tenant``; the result carries ``api_key`` and ``dsn`` (shown only now)."""
    encode_text(label)
    api_key = secrets.token_hex(24)
    dsn = AugurDsn.create(tenant=tenant, label=label, key_hash=hash_token(api_key),
                          key_prefix=api_key[:8])
    return {**dsn_document(dsn), "api_key": api_key, "dsn": dsn_url(api_key, tenant.slug)}


def list_dsns(tenant_id: str) -> list[dict]:
    """The tenant's DSNs, newest first, without secrets."""
    query = (AugurDsn.select().where(AugurDsn.tenant == tenant_id)
             .order_by(AugurDsn.created_at.desc(), AugurDsn.id))
    return [dsn_document(d) for d in query]


def revoke_dsn(dsn_id: str, tenant_id: str | None = None) -> dict:
    """Revoke a DSN (of ``tenant_id`` when given); ingest with its key is refused from now on."""
    query = AugurDsn.select().where(AugurDsn.id == dsn_id)
    if tenant_id is not None:
        query = query.where(AugurDsn.tenant == tenant_id)
    dsn = query.first()
    if dsn is None:
        raise NotFound("DSN not found")
    if dsn.revoked_at is None:
        dsn.revoked_at = utcnow()
        dsn.save()
    forget_accepted_keys()
    return dsn_document(dsn)


def forget_accepted_keys() -> None:
    """Drop this process's memory of accepted keys (after a revocation or a tenant change)."""
    _accepted.clear()


def recently_accepted(api_key: str) -> IngestClient | None:
    """The client for a key this process accepted within ``KEY_CACHE_SECONDS``, else None."""
    entry = _accepted.get(hash_token(api_key)) if api_key else None
    if entry is None or entry[1] < time.monotonic():
        return None
    return entry[0]


def client_for_key(api_key: str) -> IngestClient:
    """The SDK client a bearer key stands for.

    ``Unauthorized`` when the credential is not a key at all; ``Forbidden`` when it is a key
    this server does not recognise or one that has been revoked (the reference's 403).
    """
    if not _KEY_SHAPE.match(api_key or ""):
        raise Unauthorized("Invalid credential")
    row = (AugurDsn.select(AugurDsn.id, AugurDsn.tenant.alias("tenant_id"), AugurDsn.revoked_at,
                           AugurTenant.modelio_capture)
           .join(AugurTenant).where(AugurDsn.key_hash == hash_token(api_key)).dicts().first())
    if row is None:
        raise Forbidden("DSN api_key not recognised")
    if row["revoked_at"] is not None:
        raise Forbidden("DSN api_key has been revoked")
    client = IngestClient(row["id"], row["tenant_id"], bool(row["modelio_capture"]))
    if len(_accepted) > 10_000:
        _accepted.clear()
    _accepted[hash_token(api_key)] = (client, time.monotonic() + KEY_CACHE_SECONDS)
    return client
