"""agtOS models: the onboarding setup token, one row shared by every worker."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.timeutil import utcnow


class AgtosSetupToken(BaseModel):
    """The onboarding setup token (sealed at rest), valid until ``expires_at``.

    There is at most one row (``name`` is always ``setup``), so every worker and host answers
    ``GET /api/setup-token`` with the same token and accepts it in ``X-Setup-Token``.
    """

    name = peewee.CharField(max_length=32, primary_key=True, default="setup")
    token = peewee.TextField()
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()

    class Meta:
        table_name = "agtos_setup_token"
