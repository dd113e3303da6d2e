"""Configs: named YAML bundles that sessions are created from.

The YAML is stored sealed (``sealed_yaml``): read it with ``config_yaml``, never from the row.
"""
from __future__ import annotations

from agentdeck.amplifier.bundle import parse_bundle
from agentdeck.amplifier.sealed_yaml import open_yaml, seal_yaml
from agentdeck.errors import NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.amplifier import AmplifierConfig
from agentdeck.timeutil import to_iso, utcnow

_UPDATABLE = ("name", "description", "yaml_content", "tags")


def create_config(name: str, yaml_content: str, description: str | None = None,
                  tags: dict | None = None) -> AmplifierConfig:
    """Check the YAML (``InvalidInput`` says which rule it breaks) and store the config."""
    parse_bundle(yaml_content)
    now = utcnow()  # one instant: a new config's updated_at equals its created_at
    return AmplifierConfig.create(name=name, description=description,
                                  yaml_content=seal_yaml(yaml_content), tags=tags or {},
                                  created_at=now, updated_at=now)


def get_config(config_id: str) -> AmplifierConfig:
    """The config, or ``NotFound``."""
    config = AmplifierConfig.get_or_none(AmplifierConfig.id == config_id)
    if config is None:
        raise NotFound("Config not found")
    return config


def list_configs(limit: int = 50, offset: int = 0) -> tuple[list[AmplifierConfig], int]:
    """One page of configs, newest first, and the total count."""
    query = AmplifierConfig.select().order_by(AmplifierConfig.created_at.desc(), AmplifierConfig.id)
    return list(query.limit(limit).offset(offset)), AmplifierConfig.select().count()


def update_config(config_id: str, changes: dict) -> AmplifierConfig:
    """Apply the fields given (absent or null fields stay as they are); a new YAML is checked."""
    changes = {k: v for k, v in changes.items() if k in _UPDATABLE and v is not None}
    if "yaml_content" in changes:
        parse_bundle(changes["yaml_content"])
        changes["yaml_content"] = seal_yaml(changes["yaml_content"])
    with writing():
        config = get_config(config_id)
        for key, value in changes.items():
            setattr(config, key, value)
        config.updated_at = utcnow()
        config.save()
    return config


def delete_config(config_id: str) -> None:
    """Delete the config; sessions made from it keep working on their own copy of its YAML."""
    if AmplifierConfig.delete().where(AmplifierConfig.id == config_id).execute() == 0:
        raise NotFound("Config not found")


def config_yaml(config: AmplifierConfig) -> str:
    """The config's YAML exactly as the client sent it (it is stored sealed)."""
    return open_yaml(config.yaml_content)


def config_summary(config: AmplifierConfig) -> dict:
    """The list view of a config (no YAML)."""
    return {"config_id": config.id, "name": config.name, "description": config.description,
            "created_at": to_iso(config.created_at), "updated_at": to_iso(config.updated_at),
            "tags": config.tags or {}}


def config_detail(config: AmplifierConfig, message: str | None = None) -> dict:
    """The full view of a config, with its YAML as sent (``${VAR}`` never expanded)."""
    body = config_summary(config)
    body["yaml_content"] = config_yaml(config)
    if message:
        body["message"] = message
    return body
