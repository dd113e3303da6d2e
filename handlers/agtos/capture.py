"""agtOS capture (PACT) handlers."""
from agentdeck.agtos import capture


def start_capture(body):
    """POST /api/capture/start"""
    return capture.start_capture(body["deviceId"], body["modalities"],
                                 body.get("captureMode", "active-participant")), 201


def stop_capture(body):
    """POST /api/capture/stop"""
    return capture.stop_capture(body["streamId"]), 200


def list_streams(userId=None):
    """GET /api/capture/streams"""
    return capture.list_streams(userId), 200
