"""agtOS billing handlers."""
from agentdeck.agtos.providers import billing


def get_billing():
    """GET /api/billing"""
    return billing.billing_document(), 200


def retry_billing(providerId):
    """POST /api/billing/{providerId}/retry"""
    return billing.retry_provider(providerId), 200
