"""Tenants and their users."""
from __future__ import annotations

import re

import peewee

from agentdeck.errors import Conflict, InvalidInput, NotFound, Unauthorized
from agentdeck.security.tokens import hash_password, verify_password
from agentdeck.storage.db import writing
from agentdeck.storage.models.augur import AugurRun, AugurTenant, AugurUser
from agentdeck.timeutil import to_iso

from agentdeck.augur.dsns import forget_accepted_keys

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Verified against when the e-mail is unknown, so a login takes as long either way.
_DUMMY_HASH = hash_password("not a real password")


def tenant_document(tenant: AugurTenant) -> dict:
    """A tenant as the API shows it."""
    return {"id": tenant.id, "slug": tenant.slug, "name": tenant.name,
            "modelio_capture": tenant.modelio_capture, "created_at": to_iso(tenant.created_at)}


def user_document(user: AugurUser) -> dict:
    """A user as the API shows it (never the password hash)."""
    return {"id": user.id, "email": user.email, "is_admin": user.is_admin,
            "tenant_id": user.tenant_id}


def create_tenant(slug: str, name: str | None = None, modelio_capture: bool = False) -> AugurTenant:
    """A new tenant; ``slug`` is lower-case letters, digits and ``-``."""
    if not SLUG.match(slug):
        raise InvalidInput(f"invalid tenant slug {slug!r}: use a-z, 0-9 and '-', at most 64")
    try:
        with writing():
            return AugurTenant.create(slug=slug, name=name or slug, modelio_capture=modelio_capture)
    except peewee.IntegrityError as exc:
        raise Conflict(f"tenant {slug!r} already exists") from exc


def get_tenant(ref: str) -> AugurTenant:
    """The tenant whose id or slug is ``ref``."""
    tenant = AugurTenant.get_or_none((AugurTenant.id == ref) | (AugurTenant.slug == ref))
    if tenant is None:
        raise NotFound(f"tenant {ref!r} not found")
    return tenant


def ensure_tenant(slug: str) -> tuple[AugurTenant, bool]:
    """The tenant ``slug``, created when missing; the flag says whether it was created."""
    tenant = AugurTenant.get_or_none(AugurTenant.slug == slug)
    if tenant is not None:
        return tenant, False
    return create_tenant(slug), True


def set_modelio_capture(ref: str, enabled: bool) -> AugurTenant:
    """Turn model I/O capture on or off for a tenant."""
    tenant = get_tenant(ref)
    tenant.modelio_capture = enabled
    tenant.save()
    forget_accepted_keys()
    return tenant


def list_tenants() -> list[dict]:
    """Every tenant with its run count, oldest first."""
    runs = (AugurRun.select(peewee.fn.COUNT(AugurRun.id))
            .where(AugurRun.tenant == AugurTenant.id))
    query = (AugurTenant.select(AugurTenant, runs.alias("run_count"))
             .order_by(AugurTenant.created_at, AugurTenant.slug))
    return [{**tenant_document(t), "run_count": t.run_count} for t in query]


def create_user(email: str, password: str, tenant: AugurTenant, is_admin: bool = False) -> AugurUser:
    """A new user of ``tenant`` with an argon2-hashed password."""
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters")
    try:
        with writing():
            return AugurUser.create(email=email.strip().lower(), password_hash=hash_password(password),
                                    tenant=tenant, is_admin=is_admin)
    except peewee.IntegrityError as exc:
        raise Conflict(f"user {email!r} already exists") from exc


def authenticate_user(email: str, password: str) -> AugurUser:
    """The user with these credentials, or ``Unauthorized`` (same message either way)."""
    user = AugurUser.get_or_none(AugurUser.email == email.strip().lower())
    if not verify_password(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        raise Unauthorized("Invalid email or password")
    return user
