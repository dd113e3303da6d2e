"""Models of the model router: slot configuration, provider keys, exhaustion state, catalog cache.

Every row here is state that all workers share: a key stored, a provider marked out of credit or
a catalog fetched by one worker is what every other worker uses on its next call.
"""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.timeutil import utcnow


class RouterSetting(BaseModel):
    """One named piece of router configuration (``slots``, ``fallback_strategy``) as JSON."""

    key = peewee.CharField(max_length=64, primary_key=True)
    value = JSONField()
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "router_setting"


class ProviderCredential(BaseModel):
    """A provider's API key, sealed with the server key (``agentdeck.secretbox``); never plain."""

    provider = peewee.CharField(max_length=64, primary_key=True)
    sealed_key = peewee.TextField()
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "router_provider_credential"


class ProviderExhaustion(BaseModel):
    """A provider that answered "out of credit": skipped from ``since`` until ``until`` (None:
    until someone retries it)."""

    provider = peewee.CharField(max_length=64, primary_key=True)
    since = peewee.DateTimeField(default=utcnow)
    until = peewee.DateTimeField(null=True)
    reason = peewee.TextField(default="")

    class Meta:
        table_name = "router_provider_exhaustion"


class ProviderCatalog(BaseModel):
    """A provider's model list as last fetched; ``source`` fingerprints the base URL and key it
    was fetched with, so a new key or URL makes the cached list stale."""

    provider = peewee.CharField(max_length=64, primary_key=True)
    source = peewee.CharField(max_length=64)
    models = JSONField(default=list)
    latency_ms = peewee.IntegerField(null=True)
    error = peewee.TextField(null=True)
    fetched_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "router_provider_catalog"


def upsert(model: type[BaseModel], **values) -> None:
    """Insert a row of ``model`` or, when its primary key exists, replace its other columns: one
    statement, so two workers writing the same key at once cannot collide."""
    key = model._meta.primary_key
    fields = {model._meta.fields[name]: value for name, value in values.items()}
    (model.insert(values)
     .on_conflict(conflict_target=[key],
                  update={f: v for f, v in fields.items() if f is not key})
     .execute())


MODELS = [RouterSetting, ProviderCredential, ProviderExhaustion, ProviderCatalog]
