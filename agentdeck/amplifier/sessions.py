"""Sessions: created from a config, listed, resumed and deleted; and the database side of a
message exchange (claiming the session, recording the turns, cancellation requests).

A session answers one message at a time: ``begin_exchange`` claims it (409 while another message
is being answered) and records the user turn; ``finish_exchange`` records the reply (complete,
cancelled or failed) and releases it. A worker that dies mid-reply stops refreshing
``run_heartbeat_at``, and after ``STALE_AFTER`` seconds the session can be claimed again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agentdeck.amplifier.bundle import ProviderChoice, bundle_provider
from agentdeck.amplifier.provider_access import check_provider, open_provider
from agentdeck.amplifier.sealed_yaml import open_yaml, seal_yaml
from agentdeck.errors import Conflict, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.fields import new_uuid
from agentdeck.storage.models.amplifier import AmplifierConfig, AmplifierMessage, AmplifierSession
from agentdeck.timeutil import to_iso, utcnow

STALE_AFTER = 30.0  # seconds without a heartbeat after which a claimed session is free again
S = AmplifierSession


@dataclass(frozen=True)
class Exchange:
    """A claimed session about to answer: the run id, the conversation so far and its provider."""

    session_id: str
    config_id: str
    run_id: str
    history: list[dict]
    choice: ProviderChoice


def create_session(config_id: str) -> AmplifierSession:
    """A new session on a copy of the config's YAML; 404 for an unknown config, 400 when its
    provider module is not installed or its ``${VAR}``s are not set."""
    config = AmplifierConfig.get_or_none(AmplifierConfig.id == config_id)
    if config is None:
        raise NotFound(f"Config not found: {config_id}")
    bundle_yaml = open_yaml(config.yaml_content)
    open_provider(bundle_provider(bundle_yaml))
    with writing():
        return S.create(config_id=config.id, bundle_yaml=seal_yaml(bundle_yaml))


def get_session(session_id: str) -> AmplifierSession:
    """The session, or ``NotFound``."""
    session = S.get_or_none(S.id == session_id)
    if session is None:
        raise NotFound("Session not found")
    return session


def list_sessions(limit: int = 50, offset: int = 0) -> tuple[list[AmplifierSession], int]:
    """One page of sessions, newest first, and the total count."""
    query = S.select().order_by(S.created_at.desc(), S.id)
    return list(query.limit(limit).offset(offset)), S.select().count()


def delete_session(session_id: str) -> None:
    """Delete the session and its conversation (a reply in progress is then cancelled)."""
    with writing():
        AmplifierMessage.delete().where(AmplifierMessage.session == session_id).execute()
        if S.delete().where(S.id == session_id).execute() == 0:
            raise NotFound("Session not found")


def resume_session(session_id: str) -> AmplifierSession:
    """Prepare the session again from its config's current YAML (its own copy if the config is
    gone), keeping the conversation; 400 when that provider cannot be opened."""
    session = get_session(session_id)
    config = AmplifierConfig.get_or_none(AmplifierConfig.id == session.config_id)
    bundle_yaml = open_yaml(config.yaml_content if config else session.bundle_yaml)
    open_provider(bundle_provider(bundle_yaml))
    S.update(bundle_yaml=seal_yaml(bundle_yaml), status="active",
             updated_at=utcnow()).where(S.id == session_id).execute()
    return get_session(session_id)


def begin_exchange(session_id: str, message: str) -> Exchange:
    """Claim the session for one message and record the user turn; 404, 400 (provider cannot be
    opened, nothing recorded) or 409 (busy)."""
    session = get_session(session_id)
    choice = bundle_provider(open_yaml(session.bundle_yaml))
    check_provider(choice)
    run_id, now = new_uuid(), utcnow()
    free = (S.active_run.is_null()) | (S.run_heartbeat_at < now - timedelta(seconds=STALE_AFTER))
    with writing():
        claimed = (S.update(active_run=run_id, run_heartbeat_at=now, cancel_requested_at=None,
                            message_count=S.message_count + 1, updated_at=now)
                   .where((S.id == session_id) & free).execute())
        if not claimed:
            get_session(session_id)
            raise Conflict("Session is busy answering another message; cancel it or retry later")
        AmplifierMessage.create(session=session_id, role="user", content=message)
    # Read after the commit, outside the write lock: the claim keeps other turns out meanwhile.
    return Exchange(session_id, session.config_id, run_id, conversation(session_id), choice)


def finish_exchange(exchange: Exchange, text: str, status: str) -> bool:
    """Record the reply (``complete``, ``cancelled`` or ``error``) and release the session;
    False when the session was deleted (or its claim expired) meanwhile."""
    now = utcnow()
    with writing():
        released = (S.update(active_run=None, run_heartbeat_at=None, message_count=S.message_count + 1,
                             updated_at=now)
                    .where((S.id == exchange.session_id) & (S.active_run == exchange.run_id)).execute())
        if released:
            AmplifierMessage.create(session=exchange.session_id, role="assistant", content=text,
                                    status=status, created_at=now)
    return bool(released)


def conversation(session_id: str) -> list[dict]:
    """The turns to send a provider: every message in order, leaving out empty replies."""
    rows = (AmplifierMessage.select(AmplifierMessage.role, AmplifierMessage.content)
            .where(AmplifierMessage.session == session_id).order_by(AmplifierMessage.id))
    return [{"role": r.role, "content": r.content} for r in rows if r.content or r.role == "user"]


def request_cancel(session_id: str) -> None:
    """Record a cancellation request that the worker running the reply (any worker) acts on."""
    with writing():
        cancelled = S.update(cancel_requested_at=utcnow()).where(S.id == session_id).execute()
    if not cancelled:
        raise NotFound("Session not found")


def runs_to_stop(runs: dict[str, str]) -> set[str]:
    """Of ``{session_id: run_id}`` running here, the sessions whose run must stop: cancelled,
    deleted, or claimed by someone else after this worker's claim expired."""
    if not runs:
        return set()
    rows = S.select(S.id, S.active_run, S.cancel_requested_at).where(S.id.in_(list(runs)))
    alive = {r.id for r in rows if r.active_run == runs[r.id] and r.cancel_requested_at is None}
    return set(runs) - alive


def refresh_heartbeats(run_ids: list[str]) -> None:
    """Mark the runs of this worker as alive."""
    if run_ids:
        with writing():
            S.update(run_heartbeat_at=utcnow()).where(S.active_run.in_(run_ids)).execute()


def session_info(session: AmplifierSession, message: str | None = None) -> dict:
    """The view of one session the reference shows for create / get / resume."""
    body = {"session_id": session.id, "config_id": session.config_id, "status": session.status}
    if message:
        body["message"] = message
    return body


def session_summary(session: AmplifierSession) -> dict:
    """The list view of a session."""
    return {"session_id": session.id, "config_id": session.config_id, "status": session.status,
            "message_count": session.message_count, "created_at": to_iso(session.created_at),
            "updated_at": to_iso(session.updated_at)}
