"""Runs: the manifest an SDK opens a run with, its trace and its step records.

Documents are stored as the JSON the SDK sent and read back unchanged. Every ingest call also
stamps the client's heartbeat.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import peewee

from agentdeck.errors import NotFound
from agentdeck.storage.db import database
from agentdeck.storage.models.augur import AugurRun, AugurStep
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.augur import connections
from agentdeck.augur.documents import encode_document
from agentdeck.augur.group_commit import ingest_writes
from agentdeck.augur.live_sessions import live_session
from agentdeck.augur.principals import IngestClient
from agentdeck.augur.revisions import step_revision


def step_name(step_index: int) -> str:
    """The zero-padded name of a step in the bundle (``3`` → ``0003``)."""
    return f"{step_index:04d}"


def parse_step_name(name: str) -> int:
    """The index a bundle step name stands for; only the canonical spelling exists."""
    index = int(name)
    if step_name(index) != name:
        raise NotFound(f"no step named {name!r}; step names are zero-padded to four digits")
    return index


@lru_cache(maxsize=8192)
def run_pk(tenant_id: str, run_id: str) -> int:
    """The row id of the tenant's run ``run_id``, or ``NotFound``.

    Cached per process: runs are never deleted, and a miss (an exception) is not cached.
    """
    pk = (AugurRun.select(AugurRun.id)
          .where((AugurRun.tenant == tenant_id) & (AugurRun.run_id == run_id)).scalar())
    if pk is None:
        raise NotFound(f"run {run_id!r} not found")
    return pk


def opened_run_pk(tenant_id: str, run_id: str) -> int:
    """The row id of the tenant's run ``run_id``, opening the run first if it is new.

    For use inside an ingest write: the published SDK sends the manifest only at ``close()``,
    so every step, event and file of a live run arrives before it. The insert ignores a
    conflict, so concurrent first calls for one run all succeed and share its row.
    """
    try:
        return run_pk(tenant_id, run_id)
    except NotFound:
        pass
    now = utcnow()
    (AugurRun.insert(tenant=tenant_id, run_id=run_id, manifest={"run_id": run_id},
                     created_at=now, updated_at=now)
     .on_conflict_ignore().execute())
    # Not through run_pk's cache: this transaction may still be rolled back.
    return (AugurRun.select(AugurRun.id)
            .where((AugurRun.tenant == tenant_id) & (AugurRun.run_id == run_id)).scalar())


def ensure_run(client: IngestClient, run_id: str) -> int:
    """``opened_run_pk`` for ingest calls that store files rather than rows (screenshots,
    model I/O, logs): a run seen before costs no write."""
    try:
        return run_pk(client.tenant_id, run_id)
    except NotFound:
        return ingest_writes.run(lambda: opened_run_pk(client.tenant_id, run_id))


def open_run(client: IngestClient, manifest: dict) -> bool:
    """Create the run named by ``manifest["run_id"]``, or replace its manifest; True if created.

    Only the manifest is replaced: steps, events, files and the trace ingested before it stay.
    """
    encode_document(manifest)
    run_id, now = manifest["run_id"], utcnow()

    def write() -> bool:
        created = False
        if not _replace_manifest(client.tenant_id, run_id, manifest, now):
            try:
                with database.atomic():
                    AugurRun.create(tenant=client.tenant_id, run_id=run_id, manifest=manifest,
                                    created_at=now, updated_at=now)
                created = True
            except peewee.IntegrityError:  # a concurrent first POST won; this one is the repeat
                _replace_manifest(client.tenant_id, run_id, manifest, now)
        connections.stamp(client, run_id)
        return created

    return ingest_writes.run(write)


def _replace_manifest(tenant_id: str, run_id: str, manifest: dict, now) -> int:
    return (AugurRun.update(manifest=manifest, updated_at=now)
            .where((AugurRun.tenant == tenant_id) & (AugurRun.run_id == run_id)).execute())


def session_status(trace) -> str | None:
    """The run's status as the SDK's trace states it (``session.status``), when it is a string."""
    session = trace.get("session") if isinstance(trace, dict) else None
    status = session.get("status") if isinstance(session, dict) else None
    return status[:64] if isinstance(status, str) else None


def put_trace(client: IngestClient, run_id: str, trace: dict) -> None:
    """Store (or replace) the run's full trace document."""
    encode_document(trace)
    status = session_status(trace)

    def write() -> None:
        pk = opened_run_pk(client.tenant_id, run_id)
        (AugurRun.update(trace=trace, session_status=status, updated_at=utcnow())
         .where(AugurRun.id == pk).execute())
        connections.stamp(client, run_id)

    ingest_writes.run(write)


# Written for every streamed step: peewee builds the upsert's SQL once per dialect (see
# _step_upsert_sql) instead of on every call, and the record goes in as the JSON text already
# produced by encode_document, not serialised a second time by the field.
_STEP_SENTINELS = {"run": 987654321, "step_index": 123456789, "document": "sentinel",
                   "revision": 555555555, "updated_at": datetime(1999, 1, 2, 3, 4, 5)}


@lru_cache(maxsize=4)
def _step_upsert_sql(dialect: str) -> tuple[str, tuple[str, ...]]:
    """The step upsert's SQL for ``dialect`` and the field each of its parameters takes.

    The update applies only when the stored version's revision is not higher than the one
    arriving, so the database itself decides between concurrent and late writes."""
    query = (AugurStep.insert(**_STEP_SENTINELS)
             .on_conflict(conflict_target=[AugurStep.run, AugurStep.step_index],
                          preserve=[AugurStep.document, AugurStep.revision, AugurStep.updated_at],
                          where=(AugurStep.revision <= peewee.EXCLUDED.revision)))
    sql, params = query.sql()
    converted = {name: getattr(AugurStep, name).db_value(value) for name, value in _STEP_SENTINELS.items()}
    return sql, tuple(next(name for name, value in converted.items() if value == p) for p in params)


async def put_step(client: IngestClient, run_id: str, step_index: int, step: dict) -> bool:
    """Store one StepTrace record, as sent, under the path's index; False when the version
    already stored is newer (see ``agentdeck.augur.revisions``) and this one was not kept.

    A record naming another ``step_index`` is kept too (the SDK's bundle is the source of
    truth); the diagnostics report the disagreement.
    """
    document = encode_document(step).decode()
    revision = step_revision(step)

    def write() -> bool:
        pk = opened_run_pk(client.tenant_id, run_id)
        sql, order = _step_upsert_sql(type(database.obj).__name__)
        values = {"run": pk, "step_index": step_index, "document": document, "revision": revision,
                  "updated_at": utcnow()}
        kept = database.execute_sql(sql, [values[name] for name in order]).rowcount > 0
        connections.stamp(client, run_id)
        return kept

    return await ingest_writes.submit(write)


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _summary(run: AugurRun) -> dict:
    """A runs-list row, from the SDK's own fields: ``client: {name, version}`` in the manifest and
    the trace's ``session.status``. Older clients' flat ``client_name``/``client_version``/``status``
    in the manifest are read when those are absent."""
    manifest = run.manifest if isinstance(run.manifest, dict) else {}
    client = manifest.get("client") if isinstance(manifest.get("client"), dict) else {}
    status = run.session_status if run.has_trace else None
    return {"run_id": run.run_id, "created_at": to_iso(run.created_at),
            "updated_at": to_iso(run.updated_at),
            "client_name": _text(client.get("name")) or _text(manifest.get("client_name")),
            "client_version": _text(client.get("version")) or _text(manifest.get("client_version")),
            "status": status or _text(manifest.get("status")),
            "capture_mode": _text(manifest.get("capture_mode")),
            "step_count": run.step_count, "has_trace": bool(run.has_trace)}


def list_runs(tenant_id: str, limit: int, offset: int) -> dict:
    """The tenant's runs, newest first, one page: ``{runs, total, limit, offset}``."""
    steps = AugurStep.select(peewee.fn.COUNT(AugurStep.id)).where(AugurStep.run == AugurRun.id)
    query = (AugurRun.select(AugurRun.id, AugurRun.run_id, AugurRun.manifest, AugurRun.created_at,
                             AugurRun.updated_at, AugurRun.session_status, steps.alias("step_count"),
                             AugurRun.trace.is_null(False).alias("has_trace"))
             .where(AugurRun.tenant == tenant_id)
             .order_by(AugurRun.created_at.desc(), AugurRun.id.desc())
             .limit(limit).offset(offset))
    total = AugurRun.select().where(AugurRun.tenant == tenant_id).count()
    return {"runs": [_summary(r) for r in query], "total": total, "limit": limit, "offset": offset}


def get_run(tenant_id: str, run_id: str) -> AugurRun:
    """The tenant's run ``run_id`` (another tenant's run is simply not found)."""
    run = AugurRun.get_or_none((AugurRun.tenant == tenant_id) & (AugurRun.run_id == run_id))
    if run is None:
        raise NotFound(f"run {run_id!r} not found")
    return run


def get_manifest(tenant_id: str, run_id: str) -> dict:
    """The manifest as the SDK last sent it."""
    return get_run(tenant_id, run_id).manifest


def list_steps(run_pk_value: int) -> list[tuple[int, dict]]:
    """``(step_index, record)`` for every step of a run, in order."""
    query = (AugurStep.select(AugurStep.step_index, AugurStep.document)
             .where(AugurStep.run == run_pk_value).order_by(AugurStep.step_index))
    return [(s.step_index, s.document) for s in query]


def get_trace(tenant_id: str, run_id: str) -> dict:
    """The trace document as sent; before one is sent, ``{session, steps}``: a DebugSession
    of the live run (``agentdeck.augur.live_sessions``) and the step records streamed so far."""
    run = get_run(tenant_id, run_id)
    if run.trace is not None:
        return run.trace
    return {"session": live_session(run), "steps": [doc for _, doc in list_steps(run.id)]}


def get_step(tenant_id: str, run_id: str, name: str) -> dict:
    """One step record, by its bundle name (``0003``)."""
    index = parse_step_name(name)
    pk = run_pk(tenant_id, run_id)
    step = AugurStep.get_or_none((AugurStep.run == pk) & (AugurStep.step_index == index))
    if step is None:
        raise NotFound(f"step {name} not found")
    return step.document
