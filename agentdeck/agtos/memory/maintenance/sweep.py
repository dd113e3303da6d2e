"""One maintenance sweep: the six steps over the memory, then its report.

Order: stale detection and confidence decay, redundancy merge, orphan flagging and dangling
sources, contradiction detection, low-confidence pruning. A sweep runs under the database lease
``agtos-memory-maintenance``: one at a time across workers and hosts, whether asked for or
scheduled. Before it starts, the resource guard may defer it (see ``guard``).
"""
from __future__ import annotations

import asyncio
import time

import peewee

from agentdeck import leases
from agentdeck.agtos.entities import merging
from agentdeck.agtos.entities.memory_records import memory_models
from agentdeck.agtos.memory.maintenance import guard, reports, similarity, steps
from agentdeck.errors import ServiceUnavailable
from agentdeck.router import get_router
from agentdeck.settings import Settings
from agentdeck.storage.db import gives_back_connection, writing

LEASE = "agtos-memory-maintenance"
LEASE_TTL = 900.0


class MaintenanceDeferred(ServiceUnavailable):
    """503 ``RESOURCES_BUSY``: the guard deferred the sweep; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__("Memory maintenance deferred", details=[{
            "errorCode": "RESOURCES_BUSY", "message": "Background work not safe right now", "reason": reason}])
        self.reason = reason


class ProfileDisconnected(ServiceUnavailable):
    """503 ``PROFILE_DISCONNECTED``: the memory store cannot be read (operator action required)."""

    def __init__(self, message: str = "Profile manager is not connected"):
        super().__init__("Memory maintenance unavailable", details=[{
            "errorCode": "PROFILE_DISCONNECTED", "message": message}])


def _read_state() -> steps.SweepState:
    episode, conclusion = memory_models()
    if episode is None or conclusion is None:
        raise ProfileDisconnected("Memory store is not installed")
    try:
        episodes = {str(e.id): e for e in episode.select(episode.id, episode.created_at)
                    .where(episode.deleted_at.is_null())}
        conclusions = list(conclusion.select().where(conclusion.deleted_at.is_null()))
    except peewee.DatabaseError as exc:
        raise ProfileDisconnected(f"Memory store cannot be read: {type(exc).__name__}") from exc
    return steps.SweepState(episode, conclusion, episodes, conclusions)


@gives_back_connection
def _begin(settings: Settings) -> tuple[steps.SweepState, list]:
    reason = guard.busy_reason(settings)
    if reason:
        raise MaintenanceDeferred(reason)
    if not leases.acquire(LEASE, LEASE_TTL):
        raise MaintenanceDeferred("another maintenance sweep is running")
    try:
        state = _read_state()
        embedding_started = time.perf_counter()
        state.vectors = similarity.embed_conclusions(state.conclusions)
        state.embed_ms = round((time.perf_counter() - embedding_started) * 1000)
        with writing():
            steps.detect_stale_and_decay(state, max(1, min(365, settings.agtos_memory_retention_days)))
            similarity.merge_redundant(state)
            steps.flag_orphans_and_dangling(state)
            merging.forget_gone_episodes(set(state.episodes))
        return state, similarity.contradiction_candidates(state)
    except BaseException:
        leases.release(LEASE)
        raise


@gives_back_connection
def _finish(state: steps.SweepState, confirmed: list, pipeline: dict, started: float,
            timestamp: int, trigger: str) -> dict:
    try:
        with writing():
            similarity.flag_contradictions(state, confirmed)
            steps.prune_low_confidence(state)
        report = {"timestamp": timestamp, "durationMs": round((time.perf_counter() - started) * 1000),
                  "conclusionsExamined": len(state.conclusions), "episodesChecked": len(state.episodes),
                  "summary": {**state.summary, "contradictionPipeline": pipeline}, "issues": state.issues}
        reports.store_report(report, trigger)
        return report
    finally:
        leases.release(LEASE)


async def run_sweep(trigger: str = "request", router=None) -> dict:
    """Run the six steps and return the stored MaintenanceReport. Raises ``MaintenanceDeferred``
    and ``ProfileDisconnected`` (both 503) before any step when the sweep cannot run."""
    settings = Settings.from_env()
    timestamp, started = int(time.time() * 1000), time.perf_counter()
    state, (pairs, pipeline) = await asyncio.to_thread(_begin, settings)
    try:
        confirmed, stage3 = await similarity.judge_pairs(router or get_router(), pairs)
    except BaseException:
        await asyncio.to_thread(gives_back_connection(leases.release), LEASE)
        raise
    pipeline["llmConfirmed"] = len(confirmed)
    pipeline["stageLatencyMs"]["stage3"] = stage3
    return await asyncio.to_thread(_finish, state, confirmed, pipeline, started, timestamp, trigger)
