"""agtOS voice handlers (no voice pipeline in agentdeck)."""
from agentdeck.agtos.platform import voice


def get_voice_status():
    """GET /api/voice/status"""
    return voice.voice_status(), 200


def get_voice_stats():
    """GET /api/voice/stats"""
    return voice.voice_stats(), 200


def list_sessions():
    """GET /api/sessions"""
    return voice.list_voice_sessions(), 200
