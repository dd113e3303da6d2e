"""What apps display: the latest layout per view of each app session, as sent over the TPA
WebSocket (``display_event``) and read back by the session's glasses client."""
from __future__ import annotations

import json

from agentdeck.errors import InvalidInput
from agentdeck.storage.models.augmentos import AppDisplay, AppSession
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augmentos.sessions import get_user_session

VIEWS = ("main", "dashboard")
MAX_LAYOUT_CHARS = 256 * 1024


def record_display(session_id: str, view: str, layout: dict, duration_ms: int | None = None) -> None:
    """Keep ``layout`` as the latest one shown in ``view`` of the session (replacing the last)."""
    if view not in VIEWS:
        raise InvalidInput(f"view must be one of {', '.join(VIEWS)}")
    if not isinstance(layout, dict) or not isinstance(layout.get("layoutType"), str):
        raise InvalidInput("layout must be an object with a layoutType")
    if len(json.dumps(layout)) > MAX_LAYOUT_CHARS:
        raise InvalidInput(f"layout is larger than {MAX_LAYOUT_CHARS} characters")
    if duration_ms is not None and (not isinstance(duration_ms, int) or duration_ms < 0):
        duration_ms = None
    now = utcnow()
    (AppDisplay.insert(session=session_id, view=view, layout=layout, duration_ms=duration_ms, updated_at=now)
     .on_conflict(conflict_target=[AppDisplay.session, AppDisplay.view],
                  update={AppDisplay.layout: layout, AppDisplay.duration_ms: duration_ms,
                          AppDisplay.updated_at: now})
     .execute())


def get_session_display(user_id: str, session_id: str) -> tuple[AppSession, dict[str, AppDisplay]]:
    """One of ``user_id``'s sessions and its latest layout per view (views never shown absent)."""
    session = get_user_session(user_id, session_id)
    return session, {d.view: d for d in AppDisplay.select().where(AppDisplay.session == session)}


def display_document(session: AppSession, views: dict[str, AppDisplay]) -> dict:
    """The session's display as its glasses client sees it: each view's layout, or null."""
    def view_document(display: AppDisplay | None):
        if display is None:
            return None
        return {"layout": display.layout, "durationMs": display.duration_ms,
                "updatedAt": to_iso(display.updated_at)}

    return {"sessionId": session.id, "packageName": session.app.package_name,
            **{view: view_document(views.get(view)) for view in VIEWS}}
