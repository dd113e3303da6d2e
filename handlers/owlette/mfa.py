"""TOTP MFA: setup, verify-setup, verify-login."""
from connexion import request

from agentdeck.owlette import mfa
from agentdeck.owlette.principals import Principal


def _client() -> str | None:
    return request.client.host if request.client else None


def setup_mfa(token_info, body=None):
    """POST /api/mfa/setup"""
    return mfa.setup_for(Principal.from_token_info(token_info), (body or {}).get("userId"), _client()), 200


def verify_setup(body, token_info):
    """POST /api/mfa/verify-setup"""
    return mfa.confirm_for(Principal.from_token_info(token_info), body.get("userId"), body["code"],
                           body.get("backupCodes")), 200


def verify_login(body, token_info):
    """POST /api/mfa/verify-login"""
    return mfa.login_for(Principal.from_token_info(token_info), token_info["session"], body.get("userId"),
                         body["code"], body.get("isBackupCode", False), _client()), 200
