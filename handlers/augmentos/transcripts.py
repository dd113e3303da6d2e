"""Transcript handlers: TPAs read, glasses clients write."""
from agentdeck.augmentos import apps, transcripts


def get_transcripts(appSessionId, user, duration=None, startTime=None, endTime=None, language=None):
    """GET /api/transcripts/{appSessionId}"""
    app = apps.get_app(user)
    segments = transcripts.get_segments(app, appSessionId, duration=duration, start_time=startTime,
                                        end_time=endTime, language=language)
    return {"language": language or transcripts.DEFAULT_LANGUAGE,
            "segments": [transcripts.segment_document(s) for s in segments]}, 200


def post_transcripts(appSessionId, body, user):
    """POST /api/transcripts/{appSessionId}"""
    stored = transcripts.add_segments(user, appSessionId, body["segments"])
    return {"success": True, "stored": stored}, 201
