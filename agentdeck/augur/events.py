"""Decision events: appended per step (``events/NNNN.jsonl``) or per run (``events/run.jsonl``)."""
from __future__ import annotations

import json

from agentdeck.errors import NotFound
from agentdeck.storage.models.augur import AugurEventBatch

from agentdeck.augur import connections, records
from agentdeck.augur.documents import encode_document
from agentdeck.augur.group_commit import ingest_writes
from agentdeck.augur.principals import IngestClient
from agentdeck.augur.runs import opened_run_pk, parse_step_name, run_pk

RUN_STREAM = "run"


def _own_step(event) -> int | None:
    value = event.get("step_index") if isinstance(event, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _group(events: list, step_index: int | None) -> dict[int | None, list]:
    """Events by the step they belong to: the call's ``step_index``, else each event's own."""
    if step_index is not None:
        return {step_index: list(events)}
    groups: dict[int | None, list] = {}
    for event in events:
        groups.setdefault(_own_step(event), []).append(event)
    return groups


async def append_events(client: IngestClient, run_id: str, events: list,
                        step_index: int | None = None) -> int:
    """Append events to their streams, in order; returns how many were accepted."""
    encode_document(events)
    groups = _group(events, step_index)

    def write() -> None:
        pk = opened_run_pk(client.tenant_id, run_id)
        if groups:
            rows = [{"run": pk, "step_index": index, "events": batch} for index, batch in groups.items()]
            AugurEventBatch.insert_many(rows).execute()
        connections.stamp(client, run_id)

    await ingest_writes.submit(write)
    return len(events)


def stream_events(run_pk_value: int, step_index: int | None) -> list:
    """Every event of one stream (a step's, or the run's with None), oldest first."""
    condition = (AugurEventBatch.step_index.is_null() if step_index is None
                 else AugurEventBatch.step_index == step_index)
    query = (AugurEventBatch.select(AugurEventBatch.events)
             .where((AugurEventBatch.run == run_pk_value) & condition)
             .order_by(AugurEventBatch.id))
    return [event for batch in query for event in batch.events]


def stream_names(run_pk_value: int) -> list[str]:
    """The event streams a run has, as bundle names (``0003``, ``run``)."""
    query = (AugurEventBatch.select(AugurEventBatch.step_index).distinct()
             .where(AugurEventBatch.run == run_pk_value))
    indexes = sorted({row.step_index for row in query}, key=lambda i: (i is None, i or 0))
    return [RUN_STREAM if i is None else f"{i:04d}" for i in indexes]


def to_jsonl(events: list) -> str:
    """One compact JSON document per line."""
    return "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)


def read_stream(tenant_id: str, run_id: str, stream: str) -> str:
    """``events/<stream>.jsonl`` as JSON Lines; ``NotFound`` when the stream has no events.
    ``events/reasoning.jsonl`` holds the run's reasoning records (``agentdeck.augur.records``)."""
    if stream == records.REASONING:
        return to_jsonl(records.reasoning(tenant_id, run_id))
    step_index = None if stream == RUN_STREAM else parse_step_name(stream)
    events = stream_events(run_pk(tenant_id, run_id), step_index)
    if not events:
        raise NotFound(f"events/{stream}.jsonl not found")
    return to_jsonl(events)
