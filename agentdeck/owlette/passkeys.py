"""Passkeys (WebAuthn, with the ``webauthn`` library): registration for the signed-in user,
sign-in without an account first (it opens a session and bypasses MFA), list, rename, delete.

Challenges are single-use and expire after 10 minutes; the origin and RP ID come from the
settings; sign counts must grow; ``none`` attestation is accepted. A registration that fails
verification is 403 (its challenge unknown: 404); a sign-in that fails for any reason is 401.
"""
from __future__ import annotations

import json
import secrets
from datetime import timedelta

import webauthn
from webauthn.helpers import bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from agentdeck import ratelimit
from agentdeck.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthorized
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwlettePasskey, OwletteUser, OwletteWebauthnChallenge
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.owlette import sessions
from agentdeck.owlette.origins import allowed_origins

CHALLENGE_LIFETIME = timedelta(minutes=10)
RP_NAME = "owlette"
_BAD_CREDENTIAL = (WebAuthnException, ValueError, KeyError, TypeError, AttributeError)


def _challenge(purpose: str, user_id: str | None) -> tuple[str, bytes]:
    raw = secrets.token_bytes(32)
    row_id = "ch_" + secrets.token_hex(12)
    with writing():
        OwletteWebauthnChallenge.create(id=row_id, challenge=bytes_to_base64url(raw), purpose=purpose, user=user_id,
                                        expires_at=utcnow() + CHALLENGE_LIFETIME)
    return row_id, raw


def _spend(row: OwletteWebauthnChallenge | None, refusal: type[DomainError]) -> OwletteWebauthnChallenge:
    """Use the challenge up (whatever the outcome of the check that follows); ``refusal`` is
    raised when it is unknown, expired or spent."""
    if row is None or row.expires_at <= utcnow():
        raise refusal("Challenge not found or expired")
    with writing():
        spent = (OwletteWebauthnChallenge.update(used_at=utcnow())
                 .where((OwletteWebauthnChallenge.id == row.id) & OwletteWebauthnChallenge.used_at.is_null())
                 .execute())
    if not spent:
        raise refusal("Challenge already used")
    return row


def registration_options(user: OwletteUser) -> dict:
    """PublicKeyCredentialCreationOptionsJSON for a new passkey of ``user``."""
    existing = OwlettePasskey.select().where(OwlettePasskey.user == user.id)
    _, raw = _challenge("registration", user.id)
    options = webauthn.generate_registration_options(
        rp_id=get_settings().owlette_relying_party_id, rp_name=RP_NAME, user_id=user.id.encode(),
        user_name=user.email, user_display_name=user.email, challenge=raw, timeout=600000,
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.PREFERRED,
                                                               user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(p.credential_id))
                             for p in existing])
    return json.loads(webauthn.options_to_json(options))


def _client_challenge(credential: dict) -> str:
    try:
        data = parse_client_data_json(webauthn.base64url_to_bytes(credential["response"]["clientDataJSON"]))
        return bytes_to_base64url(data.challenge)
    except _BAD_CREDENTIAL as exc:
        raise Forbidden("Passkey registration failed: invalid credential") from exc


def register(user: OwletteUser, credential: dict, friendly_name: str | None) -> dict:
    """Verify an attestation against the user's challenge and store the passkey."""
    challenge = _client_challenge(credential)
    row = _spend(OwletteWebauthnChallenge.get_or_none(
        (OwletteWebauthnChallenge.challenge == challenge) & (OwletteWebauthnChallenge.purpose == "registration")
        & (OwletteWebauthnChallenge.user == user.id)), NotFound)
    settings = get_settings()
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=webauthn.base64url_to_bytes(row.challenge),
            expected_rp_id=settings.owlette_relying_party_id, expected_origin=sorted(allowed_origins()))
    except _BAD_CREDENTIAL as exc:
        raise Forbidden(f"Passkey registration failed: {exc}") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    with writing():
        if OwlettePasskey.select().where(OwlettePasskey.credential_id == credential_id).exists():
            raise Conflict("This passkey is already registered")
        OwlettePasskey.create(credential_id=credential_id, user=user.id,
                              public_key=bytes_to_base64url(verified.credential_public_key),
                              sign_count=verified.sign_count, friendly_name=(friendly_name or "Passkey")[:50],
                              device_type=str(getattr(verified.credential_device_type, "value", "")) or None,
                              backed_up=bool(verified.credential_backed_up))
    return {"success": True, "credentialId": credential_id}


def authentication_options() -> dict:
    """``{options, challengeId}``: PublicKeyCredentialRequestOptionsJSON for a discoverable passkey."""
    challenge_id, raw = _challenge("authentication", None)
    options = webauthn.generate_authentication_options(
        rp_id=get_settings().owlette_relying_party_id, challenge=raw, timeout=600000,
        user_verification=UserVerificationRequirement.PREFERRED)
    return {"options": json.loads(webauthn.options_to_json(options)), "challengeId": challenge_id}


def authenticate(credential: dict, challenge_id: str, client_address: str | None) -> sessions.OpenedSession:
    """Verify an assertion and open a (complete) session for the passkey's user."""
    ratelimit.hit(sessions.AUTH_LIMIT, client_address)
    row = _spend(OwletteWebauthnChallenge.get_or_none((OwletteWebauthnChallenge.id == challenge_id)
                                                      & (OwletteWebauthnChallenge.purpose == "authentication")),
                 Unauthorized)
    passkey = OwlettePasskey.get_or_none(OwlettePasskey.credential_id == str(credential.get("rawId") or credential.get("id")))
    if passkey is None:
        raise Unauthorized("Unknown passkey")
    settings = get_settings()
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=webauthn.base64url_to_bytes(row.challenge),
            expected_rp_id=settings.owlette_relying_party_id, expected_origin=sorted(allowed_origins()),
            credential_public_key=webauthn.base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count)
    except _BAD_CREDENTIAL as exc:
        raise Unauthorized(f"Passkey verification failed: {exc}") from exc
    with writing():
        OwlettePasskey.update(sign_count=verified.new_sign_count, last_used_at=utcnow()).where(
            OwlettePasskey.credential_id == passkey.credential_id).execute()
    return sessions.open_session(passkey.user)


def list_passkeys(user_id: str) -> list[dict]:
    """The user's passkeys, oldest first."""
    query = OwlettePasskey.select().where(OwlettePasskey.user == user_id).order_by(OwlettePasskey.created_at)
    return [{"credentialId": p.credential_id, "friendlyName": p.friendly_name, "deviceType": p.device_type,
             "backedUp": p.backed_up, "createdAt": to_iso(p.created_at), "lastUsedAt": to_iso(p.last_used_at)}
            for p in query]


def _own(user_id: str, credential_id: str):
    return (OwlettePasskey.credential_id == credential_id) & (OwlettePasskey.user == user_id)


def rename(user_id: str, credential_id: str, friendly_name: str) -> None:
    """Rename one of the user's passkeys (at most 50 characters)."""
    name = friendly_name.strip()
    if not name or len(name) > 50:
        raise InvalidInput("friendlyName must be 1 to 50 characters")
    with writing():
        if not OwlettePasskey.update(friendly_name=name).where(_own(user_id, credential_id)).execute():
            raise NotFound("Passkey not found")


def delete(user_id: str, credential_id: str) -> None:
    """Remove one of the user's passkeys."""
    with writing():
        if not OwlettePasskey.delete().where(_own(user_id, credential_id)).execute():
            raise NotFound("Passkey not found")


def purge_challenges() -> None:
    """Drop challenges that expired more than a day ago (a maintenance sweep)."""
    with writing():
        OwletteWebauthnChallenge.delete().where(OwletteWebauthnChallenge.expires_at < utcnow() - timedelta(days=1)).execute()
