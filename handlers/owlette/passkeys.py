"""Passkeys: registration and sign-in ceremonies, list, rename, delete."""
from connexion import request

from agentdeck.owlette import cookies, passkeys
from agentdeck.owlette.accounts import own_account
from agentdeck.owlette.origins import check_origin
from agentdeck.owlette.principals import Principal


def _me(token_info, user_id=None):
    return own_account(Principal.from_token_info(token_info), user_id)


def registration_options(token_info, body=None):
    """POST /api/passkeys/register/options"""
    return passkeys.registration_options(_me(token_info, (body or {}).get("userId"))), 200


def register_passkey(body, token_info):
    """POST /api/passkeys/register/verify"""
    return passkeys.register(_me(token_info, body.get("userId")), body["credential"], body.get("friendlyName")), 200


def authentication_options():
    """POST /api/passkeys/authenticate/options"""
    return passkeys.authentication_options(), 200


def authenticate_passkey(body):
    """POST /api/passkeys/authenticate/verify"""
    check_origin(request.method, request.headers)  # no signing a browser in from another site
    opened = passkeys.authenticate(body["credential"], body["challengeId"],
                                   request.client.host if request.client else None)
    return ({"success": True, "userId": opened.user.id}, 200,
            {"Set-Cookie": cookies.session_cookie(opened.cookie, opened.max_age, request.url.scheme)})


def list_passkeys(token_info, userId=None):
    """GET /api/passkeys/list"""
    return {"passkeys": passkeys.list_passkeys(_me(token_info, userId).id)}, 200


def rename_passkey(credentialId, body, token_info):
    """PATCH /api/passkeys/{credentialId}"""
    passkeys.rename(_me(token_info, body.get("userId")).id, credentialId, body["friendlyName"])
    return {"success": True}, 200


def delete_passkey(credentialId, token_info, userId=None):
    """DELETE /api/passkeys/{credentialId}"""
    passkeys.delete(_me(token_info, userId).id, credentialId)
    return {"success": True}, 200
