"""agtOS slot handlers."""
from agentdeck.agtos.providers import slots


async def get_slots():
    """GET /api/slots"""
    return await slots.slots_document(), 200


async def put_slots(body):
    """PUT /api/slots"""
    return await slots.replace_slots(body), 200


async def auto_configure_slots(body):
    """POST /api/slots/auto-configure"""
    return await slots.auto_configure(body), 200


def reset_slots():
    """POST /api/slots/reset"""
    return slots.reset_slots(), 200
