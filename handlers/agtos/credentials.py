"""agtOS credential handlers."""
from connexion import request

from agentdeck.agtos.credentials import keys, validation


def _client_host():
    return request.client.host if request.client else None


def store_credentials(body):
    """POST /api/credentials"""
    return keys.store_key(_client_host(), body["provider"], body["apiKey"]), 200


async def validate_credentials(body):
    """POST /api/credentials/validate"""
    return await validation.validate_key(body["provider"], body.get("apiKey")), 200


def delete_credentials(providerId):
    """DELETE /api/credentials/{providerId}"""
    return keys.delete_key(_client_host(), providerId), 200


def delete_all_credentials():
    """DELETE /api/credentials"""
    return keys.delete_all_keys(_client_host()), 200
