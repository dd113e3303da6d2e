"""agtOS device handlers."""
from agentdeck.agtos import devices
from agentdeck.agtos.devices.registry import public


def register_device(body):
    """POST /api/devices/register"""
    return {"device": devices.register_device(body)}, 201


def list_devices(status=None, deviceType=None, limit=50, offset=0):
    """GET /api/devices"""
    return devices.list_devices(status, deviceType, limit, offset), 200


def get_device(id):
    """GET /api/devices/{id}"""
    return {"device": public(devices.get_device(id))}, 200


def update_device(id, body):
    """PUT /api/devices/{id}"""
    return {"device": devices.update_device(id, body)}, 200


def delete_device(id):
    """DELETE /api/devices/{id}"""
    return devices.delete_device(id), 200


def authenticate_device(id, body):
    """POST /api/devices/{id}/authenticate"""
    outcome = devices.authenticate_device(id, body["secret"])
    return outcome.body, outcome.status


def link_device(id, body):
    """POST /api/devices/{id}/link"""
    return devices.link_device(id, body["userId"]), 200
