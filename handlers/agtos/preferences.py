"""agtOS user preference handlers."""
from agentdeck.agtos import preferences


def get_preferences(userId):
    """GET /api/users/{userId}/preferences"""
    return preferences.get_preferences(userId), 200


def update_preferences(userId, body):
    """PUT /api/users/{userId}/preferences"""
    return preferences.update_preferences(userId, body), 200
