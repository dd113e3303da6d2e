"""Augur: the records of a run's further SDK streams (costs, reasoning, outcomes, eval
candidates, side effects, judge decisions), beside its steps and events."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.storage.models.augur import AugurRun
from agentdeck.timeutil import utcnow


class AugurRunRecord(BaseModel):
    """One record of one stream of a run.

    Appended streams (reasoning, outcomes, eval candidates, judge decisions) leave ``key`` null,
    so every record is its own row, read back in arrival order. Keyed streams hold one record
    per key, replaced by a later one whose ``revision`` is at least as high: the run's cost
    roll-up (key ``run``) and each side effect's latest state (key: its ``side_effect_id``).
    """

    id = peewee.AutoField()
    run = peewee.ForeignKeyField(AugurRun, backref="records", on_delete="CASCADE")
    stream = peewee.CharField(max_length=32)
    key = peewee.CharField(max_length=128, null=True)
    step_index = peewee.IntegerField(null=True)
    revision = peewee.BigIntegerField(default=0)
    document = JSONField()
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_run_record"
        indexes = (
            (("run", "stream", "key"), True),
            (("run", "stream", "step_index", "id"), False),
        )


MODELS = [AugurRunRecord]
