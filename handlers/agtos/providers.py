"""agtOS provider catalog and account handlers."""
from agentdeck.agtos.providers import catalog


async def get_provider_catalog(refresh=None, capability=None):
    """GET /api/providers/catalog"""
    return await catalog.catalog_document(refresh == "1", capability), 200


async def get_provider_account(providerId):
    """GET /api/providers/{providerId}/account"""
    return await catalog.account_document(providerId), 200
