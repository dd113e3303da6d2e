"""owlette identity tables: users, sites and members, sign-in sessions, MFA, passkeys, API keys,
agent registration codes and agent refresh tokens."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.timeutil import utcnow


class OwletteUser(BaseModel):
    """A dashboard user (argon2 password; ``is_admin`` is the global admin flag).

    ``mfa_secret`` is the TOTP secret sealed with the secret box; ``mfa_last_step`` the TOTP time
    step last accepted, so that a code cannot be used twice.
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    email = peewee.CharField(max_length=320, unique=True)
    password_hash = peewee.TextField()
    is_admin = peewee.BooleanField(default=False)
    mfa_secret = peewee.TextField(null=True)
    mfa_last_step = peewee.BigIntegerField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_user"

    @property
    def mfa_enabled(self) -> bool:
        """True when TOTP is set up for this user."""
        return self.mfa_secret is not None


class OwletteSite(BaseModel):
    """A site (``nyc-office``): its owner and members may use its site-admin routes."""

    id = peewee.CharField(max_length=128, primary_key=True)
    name = peewee.CharField(max_length=200)
    owner = peewee.ForeignKeyField(OwletteUser, null=True, on_delete="SET NULL", backref="owned_sites")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_site"


class OwletteSiteMember(BaseModel):
    """A user's membership of a site."""

    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="members")
    user = peewee.ForeignKeyField(OwletteUser, on_delete="CASCADE", backref="memberships")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_site_member"
        indexes = ((("site", "user"), True),)


class OwletteSession(BaseModel):
    """A server-side sign-in session behind the ``__session`` cookie.

    ``mfa_pending`` sessions were opened by a password alone for a user with MFA: only
    ``POST /api/mfa/verify-login`` accepts them, and completes them.
    """

    token_hash = peewee.CharField(max_length=64, primary_key=True)
    user = peewee.ForeignKeyField(OwletteUser, on_delete="CASCADE", backref="sessions")
    mfa_pending = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_session"


class OwletteMfaPending(BaseModel):
    """A TOTP secret offered by ``POST /api/mfa/setup``, waiting for its first code."""

    user = peewee.ForeignKeyField(OwletteUser, primary_key=True, on_delete="CASCADE")
    secret = peewee.TextField()  # sealed
    expires_at = peewee.DateTimeField()

    class Meta:
        table_name = "owlette_mfa_pending"


class OwletteBackupCode(BaseModel):
    """One MFA backup code, stored as its SHA-256; single use."""

    user = peewee.ForeignKeyField(OwletteUser, on_delete="CASCADE", backref="backup_codes")
    code_hash = peewee.CharField(max_length=64)
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_backup_code"
        indexes = ((("user", "code_hash"), False),)


class OwletteWebauthnChallenge(BaseModel):
    """A WebAuthn challenge handed out by an options call: single use, 10 minutes."""

    id = peewee.CharField(max_length=64, primary_key=True)
    challenge = peewee.CharField(max_length=128, unique=True)  # base64url
    purpose = peewee.CharField(max_length=16)  # registration | authentication
    user = peewee.ForeignKeyField(OwletteUser, null=True, on_delete="CASCADE")
    expires_at = peewee.DateTimeField()
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_webauthn_challenge"


class OwlettePasskey(BaseModel):
    """A registered WebAuthn credential (public key, sign count)."""

    credential_id = peewee.CharField(max_length=1400, primary_key=True)  # base64url
    user = peewee.ForeignKeyField(OwletteUser, on_delete="CASCADE", backref="passkeys")
    public_key = peewee.TextField()  # base64url COSE key
    sign_count = peewee.BigIntegerField(default=0)
    friendly_name = peewee.CharField(max_length=50, null=True)
    device_type = peewee.CharField(max_length=32, null=True)
    backed_up = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_passkey"


class OwletteApiKey(BaseModel):
    """A user's API key (``owk_…``), stored as its SHA-256; acts as its user."""

    id = peewee.CharField(max_length=64, primary_key=True)
    user = peewee.ForeignKeyField(OwletteUser, on_delete="CASCADE", backref="api_keys")
    name = peewee.CharField(max_length=200)
    key_hash = peewee.CharField(max_length=64, unique=True)
    key_prefix = peewee.CharField(max_length=16)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_api_key"


class OwletteRegistrationCode(BaseModel):
    """A single-use agent registration code for a site (stored as its SHA-256; 24 hours)."""

    code_hash = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE")
    created_by = peewee.ForeignKeyField(OwletteUser, null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    used_at = peewee.DateTimeField(null=True)
    used_by_machine = peewee.CharField(max_length=200, null=True)

    class Meta:
        table_name = "owlette_registration_code"


class OwletteAgentToken(BaseModel):
    """An agent's refresh token (stored as its SHA-256) for one machine of one site.

    Access tokens name the row they were issued under; revoking the row ends them at once.
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE")
    machine_id = peewee.CharField(max_length=200)
    version = peewee.CharField(max_length=64, null=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used = peewee.DateTimeField(null=True)
    expires_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_agent_token"
        indexes = ((("site", "machine_id"), False),)


class OwletteSigningKey(BaseModel):
    """The key agent access tokens are signed with, sealed with the secret box (one row)."""

    name = peewee.CharField(max_length=32, primary_key=True)
    sealed_key = peewee.TextField()

    class Meta:
        table_name = "owlette_signing_key"


IDENTITY_MODELS = [OwletteUser, OwletteSite, OwletteSiteMember, OwletteSession, OwletteMfaPending,
                   OwletteBackupCode, OwletteWebauthnChallenge, OwlettePasskey, OwletteApiKey,
                   OwletteRegistrationCode, OwletteAgentToken, OwletteSigningKey]
