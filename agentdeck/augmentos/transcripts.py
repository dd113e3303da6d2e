"""Transcript segments: glasses clients post them, the session's TPA reads them back by time.

At most one interim (non-final) segment per session and language is kept, at the tail: every new
segment replaces it, whether the newcomer is the next interim or its final. Every posted segment,
interim or final, is also sent to the app's WebSocket (see ``agentdeck.augmentos.app_ws``).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.augmentos import App, AppSession, TranscriptSegment
from agentdeck.timeutil import parse_iso, to_iso, utcnow

from agentdeck.augmentos import session_events
from agentdeck.augmentos.sessions import get_user_session

DEFAULT_LANGUAGE = "en-US"


def add_segments(user_id: str, session_id: str, segments: list[dict]) -> int:
    """Append ``segments`` (in order) to one of ``user_id``'s sessions; returns how many."""
    session = get_user_session(user_id, session_id)
    if session.status != "active":
        raise InvalidInput(f"Session is {session.status}, not active")
    with writing():
        for index, item in enumerate(segments):
            _add_one(session, item, index)
    return len(segments)


def _add_one(session: AppSession, item: dict, index: int) -> None:
    language = item.get("language") or DEFAULT_LANGUAGE
    try:
        timestamp = parse_iso(item["timestamp"]) if item.get("timestamp") else utcnow()
    except ValueError as exc:
        raise InvalidInput(f"segments[{index}].timestamp is not an ISO 8601 time") from exc
    (TranscriptSegment.delete()
     .where((TranscriptSegment.session == session) & (TranscriptSegment.language == language)
            & (TranscriptSegment.is_final == False))  # noqa: E712 (peewee expression)
     .execute())
    segment = TranscriptSegment.create(
        session=session, result_id=item.get("resultId") or f"{session.id}:{utcnow().timestamp()}:{index}",
        speaker_id=item.get("speakerId"), text=item["text"], timestamp=timestamp,
        is_final=bool(item.get("isFinal", False)), language=language)
    session_events.publish(session.id, "transcription", {
        "resultId": segment.result_id, "speakerId": segment.speaker_id, "text": segment.text,
        "isFinal": segment.is_final, "language": language,
        "timestampMs": int(timestamp.replace(tzinfo=timezone.utc).timestamp() * 1000)})


def _window(duration: int | None, start_time: str | None, end_time: str | None) -> tuple[datetime | None, datetime | None]:
    if duration is None and not start_time and not end_time:
        raise InvalidInput("duration, startTime, or endTime is required")
    if duration is not None:
        return utcnow() - timedelta(seconds=duration), None
    try:
        start = parse_iso(start_time) if start_time else None
        end = parse_iso(end_time) if end_time else None
    except ValueError as exc:
        raise InvalidInput("startTime and endTime must be ISO 8601 times") from exc
    if start and end and end < start:
        raise InvalidInput("endTime is before startTime")
    return start, end


def get_segments(app: App, session_id: str, *, duration: int | None = None, start_time: str | None = None,
                 end_time: str | None = None, language: str | None = None) -> list[TranscriptSegment]:
    """Segments of a session belonging to ``app``, oldest first, within the requested window.

    ``duration`` (seconds back from now) wins over ``startTime``/``endTime`` (inclusive bounds).
    """
    session = AppSession.get_or_none((AppSession.id == session_id) & (AppSession.app == app))
    if session is None:
        raise NotFound("Session not found")
    start, end = _window(duration, start_time, end_time)
    query = TranscriptSegment.select().where(
        (TranscriptSegment.session == session)
        & (TranscriptSegment.language == (language or DEFAULT_LANGUAGE)))
    if start is not None:
        query = query.where(TranscriptSegment.timestamp >= start)
    if end is not None:
        query = query.where(TranscriptSegment.timestamp <= end)
    return list(query.order_by(TranscriptSegment.timestamp, TranscriptSegment.id))


def segment_document(segment: TranscriptSegment) -> dict:
    """A segment in the upstream wire shape."""
    return {"resultId": segment.result_id, "speakerId": segment.speaker_id, "text": segment.text,
            "timestamp": to_iso(segment.timestamp), "isFinal": segment.is_final}


def prune_transcripts(now: datetime | None = None) -> int:
    """Drop segments older than the retention (``AGENTDECK_AUGMENTOS_TRANSCRIPT_RETENTION``,
    30 minutes by default, as upstream keeps them); returns how many. A maintenance sweep, run
    by one process at a time under the maintenance lease."""
    cutoff = (now or utcnow()) - timedelta(seconds=get_settings().augmentos_transcript_retention)
    with writing():
        return TranscriptSegment.delete().where(TranscriptSegment.timestamp < cutoff).execute()
