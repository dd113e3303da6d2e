"""Augur intervention commands: what an operator asks a live run to do (pause, resume, kill,
take a hint, take an action override), kept until the run's SDK long-polls them."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.storage.models.augur import AugurRun
from agentdeck.timeutil import utcnow


class AugurCommand(BaseModel):
    """One command queued for a run (and so for its tenant).

    ``seq`` is the run's cursor: 1, 2, 3 ... in commit order, without gaps, since a command takes
    the next number only once every lower one is committed (the unique index makes a concurrent
    writer that took the same number retry).
    """

    id = peewee.AutoField()
    run = peewee.ForeignKeyField(AugurRun, backref="commands", on_delete="CASCADE")
    seq = peewee.IntegerField()
    type = peewee.CharField(max_length=32)
    payload = JSONField(null=True)
    operator_id = peewee.CharField(max_length=254, null=True)
    issued_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "augur_command"
        indexes = ((("run", "seq"), True),)


MODELS = [AugurCommand]
