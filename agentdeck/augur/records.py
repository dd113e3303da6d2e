"""The SDK's further streams of a run, kept as sent and laid out as its bundle does:

- ``PUT /costs``: the run's cumulative cost roll-up, the furthest along wins (``costs.json``);
- ``POST /reasoning``: reasoning records, appended (``events/reasoning.jsonl``);
- ``POST /outcomes``: finalize-outcome records, appended (``outcomes.json``, ``{outcomes}``);
- ``POST /eval-candidates``: eval-candidate tags, appended (``eval_candidates.json``, ``{candidates}``);
- ``POST /side-effects``: each side effect's latest state (``side_effects/<step:04d>-<id>.json``);
- ``POST /steps/{i}/judge-decisions``: a step's judge decisions, appended
  (``judge_decisions/<step:04d>.jsonl``).

Like every ingest call, each opens a run the tenant has not heard of yet.
"""
from __future__ import annotations

import peewee

from agentdeck.errors import NotFound
from agentdeck.storage.db import database
from agentdeck.storage.models.augur_records import AugurRunRecord
from agentdeck.timeutil import utcnow

from agentdeck.augur import connections
from agentdeck.augur.documents import encode_document
from agentdeck.augur.group_commit import ingest_writes
from agentdeck.augur.principals import IngestClient
from agentdeck.augur.revisions import costs_revision, side_effect_revision
from agentdeck.augur.runs import opened_run_pk, parse_step_name, run_pk, step_name

COSTS, REASONING, OUTCOMES = "costs", "reasoning", "outcomes"
EVAL_CANDIDATES, SIDE_EFFECTS, JUDGE_DECISIONS = "eval_candidates", "side_effects", "judge_decisions"
APPENDED = (REASONING, OUTCOMES, EVAL_CANDIDATES, JUDGE_DECISIONS)
_RUN_KEY = "run"  # the key of the one cost roll-up of a run


def _own_step(record: dict) -> int | None:
    value = record.get("step_index")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


async def append_record(client: IngestClient, run_id: str, stream: str, record: dict,
                        step_index: int | None = None) -> None:
    """Append ``record`` to one of the appended streams (``APPENDED``)."""
    encode_document(record)
    index = step_index if step_index is not None else _own_step(record)

    def write() -> None:
        pk = opened_run_pk(client.tenant_id, run_id)
        AugurRunRecord.insert(run=pk, stream=stream, step_index=index, document=record).execute()
        connections.stamp(client, run_id)

    await ingest_writes.submit(write)


async def _put_keyed(client: IngestClient, run_id: str, stream: str, key: str, record: dict,
                     step_index: int | None, revision: int) -> bool:
    """Store the record under ``key`` unless the one stored has a higher revision; True if kept."""
    encode_document(record)

    def write() -> bool:
        pk, now = opened_run_pk(client.tenant_id, run_id), utcnow()
        query = (AugurRunRecord
                 .insert(run=pk, stream=stream, key=key, step_index=step_index, revision=revision,
                         document=record, created_at=now, updated_at=now)
                 .on_conflict(conflict_target=[AugurRunRecord.run, AugurRunRecord.stream, AugurRunRecord.key],
                              preserve=[AugurRunRecord.step_index, AugurRunRecord.revision,
                                        AugurRunRecord.document, AugurRunRecord.updated_at],
                              where=(AugurRunRecord.revision <= peewee.EXCLUDED.revision)))
        kept = database.execute(query).rowcount > 0
        connections.stamp(client, run_id)
        return kept

    return await ingest_writes.submit(write)


async def put_costs(client: IngestClient, run_id: str, costs: dict) -> bool:
    """Replace the run's cost roll-up unless the one stored is further along (the SDK sends
    the cumulative figures each time, on threads that may deliver them out of order); True if
    this one was kept."""
    return await _put_keyed(client, run_id, COSTS, _RUN_KEY, costs, None, costs_revision(costs))


async def put_side_effect(client: IngestClient, run_id: str, record: dict) -> tuple[str, bool]:
    """Store a side effect's state unless a later state is stored (declared < committed or
    aborted); returns its bundle path and whether this state was kept."""
    index = _own_step(record) or 0
    kept = await _put_keyed(client, run_id, SIDE_EFFECTS, record["side_effect_id"], record, index,
                            side_effect_revision(record))
    return side_effect_path(index, record["side_effect_id"]), kept


def side_effect_path(step_index: int, side_effect_id: str) -> str:
    """``side_effects/<step:04d>-<id>.json``, the SDK's bundle name."""
    return f"side_effects/{step_name(step_index)}-{side_effect_id}.json"


def _query(run_pk_value: int, stream: str):
    return (AugurRunRecord.select(AugurRunRecord.key, AugurRunRecord.step_index, AugurRunRecord.document)
            .where((AugurRunRecord.run == run_pk_value) & (AugurRunRecord.stream == stream))
            .order_by(AugurRunRecord.id))


def stream_records(run_pk_value: int, stream: str, step_index: int | None = None) -> list:
    """Every record of one stream of a run (of one step, when given), in arrival order."""
    query = _query(run_pk_value, stream)
    if step_index is not None:
        query = query.where(AugurRunRecord.step_index == step_index)
    return [row.document for row in query]


def costs(tenant_id: str, run_id: str) -> dict:
    """``costs.json``: the last cost roll-up sent."""
    found = stream_records(run_pk(tenant_id, run_id), COSTS)
    if not found:
        raise NotFound("costs.json not found: the run has sent no cost roll-up")
    return found[-1]


def _document(tenant_id: str, run_id: str, stream: str, wrapper: str, name: str) -> dict:
    found = stream_records(run_pk(tenant_id, run_id), stream)
    if not found:
        raise NotFound(f"{name} not found")
    return {wrapper: found}


def outcomes(tenant_id: str, run_id: str) -> dict:
    """``outcomes.json``: ``{"outcomes": [...]}``, as the SDK's bundle has it."""
    return _document(tenant_id, run_id, OUTCOMES, "outcomes", "outcomes.json")


def eval_candidates(tenant_id: str, run_id: str) -> dict:
    """``eval_candidates.json``: ``{"candidates": [...]}``, as the SDK's bundle has it."""
    return _document(tenant_id, run_id, EVAL_CANDIDATES, "candidates", "eval_candidates.json")


def reasoning(tenant_id: str, run_id: str) -> list:
    """The records of ``events/reasoning.jsonl``."""
    found = stream_records(run_pk(tenant_id, run_id), REASONING)
    if not found:
        raise NotFound("events/reasoning.jsonl not found")
    return found


def judge_decisions(tenant_id: str, run_id: str, step: str) -> list:
    """The records of ``judge_decisions/<step>.jsonl``."""
    index = parse_step_name(step)
    found = stream_records(run_pk(tenant_id, run_id), JUDGE_DECISIONS, index)
    if not found:
        raise NotFound(f"judge_decisions/{step}.jsonl not found")
    return found


def side_effect(tenant_id: str, run_id: str, name: str) -> dict:
    """One side effect's latest state, by its bundle name (``0003-se_ab12``)."""
    step, _, side_effect_id = name.partition("-")
    index = parse_step_name(step)
    row = (_query(run_pk(tenant_id, run_id), SIDE_EFFECTS)
           .where((AugurRunRecord.key == side_effect_id) & (AugurRunRecord.step_index == index)).first())
    if row is None:
        raise NotFound(f"side_effects/{name}.json not found")
    return row.document


def bundle_documents(run_pk_value: int) -> list[tuple[str, object, str]]:
    """``(relpath, document, form)`` for every file these streams add to the bundle; ``form``
    is ``json`` or ``jsonl`` (a list written one record per line)."""
    rows: dict[str, list] = {}
    for row in (AugurRunRecord.select(AugurRunRecord.stream, AugurRunRecord.key,
                                      AugurRunRecord.step_index, AugurRunRecord.document)
                .where(AugurRunRecord.run == run_pk_value).order_by(AugurRunRecord.id)):
        rows.setdefault(row.stream, []).append(row)
    files: list[tuple[str, object, str]] = []
    if rows.get(COSTS):
        files.append(("costs.json", rows[COSTS][-1].document, "json"))
    if rows.get(EVAL_CANDIDATES):
        files.append(("eval_candidates.json", {"candidates": [r.document for r in rows[EVAL_CANDIDATES]]}, "json"))
    if rows.get(REASONING):
        files.append(("events/reasoning.jsonl", [r.document for r in rows[REASONING]], "jsonl"))
    by_step: dict[int, list] = {}
    for row in rows.get(JUDGE_DECISIONS, []):
        by_step.setdefault(row.step_index, []).append(row.document)
    files += [(f"judge_decisions/{step_name(i)}.jsonl", by_step[i], "jsonl") for i in sorted(by_step)]
    if rows.get(OUTCOMES):
        files.append(("outcomes.json", {"outcomes": [r.document for r in rows[OUTCOMES]]}, "json"))
    files += sorted(((side_effect_path(r.step_index or 0, r.key), r.document, "json")
                     for r in rows.get(SIDE_EFFECTS, [])), key=lambda file: file[0])
    return files
