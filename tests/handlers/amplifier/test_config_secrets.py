"""A literal provider key in a config's YAML never reaches the database in clear, yet the API
returns the YAML exactly as sent; rows written before sealing still read and get sealed."""
import importlib

from agentdeck.storage.db import database
from agentdeck.storage.models.amplifier import AmplifierConfig, AmplifierSession
from tests.handlers.amplifier.conftest import ECHO_YAML, create_config, openai_yaml

LITERAL = "sk-literal-must-not-be-stored"


def raw_row(table: str, column: str, row_id: str) -> str:
    """The column as the database holds it, read past the models."""
    sql = f"SELECT {column} FROM {table} WHERE id = {database.obj.param}"
    return database.execute_sql(sql, (row_id,)).fetchone()[0]


def test_a_literal_key_is_stored_sealed_and_read_back_as_sent(amp, fake_openai):
    fake_openai.api_key = LITERAL
    fake_openai.reply("answered")
    yaml_content = openai_yaml(fake_openai.base_url, key=LITERAL)
    created = amp.post("/configs", json={"name": "literal", "yaml_content": yaml_content})
    assert created.status_code == 201 and created.json()["yaml_content"] == yaml_content
    config_id = created.json()["config_id"]
    stored = raw_row("amplifier_config", "yaml_content", config_id)
    assert LITERAL not in stored and "provider-openai" not in stored and stored.startswith("v1:")
    assert amp.get(f"/configs/{config_id}").json()["yaml_content"] == yaml_content

    session_id = amp.post("/sessions", json={"config_id": config_id}).json()["session_id"]
    assert LITERAL not in raw_row("amplifier_session", "bundle_yaml", session_id)
    answer = amp.post(f"/sessions/{session_id}/messages", json={"message": "hi"})
    assert answer.json()["response"] == "answered"  # the provider got the literal key
    assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {LITERAL}"
    assert amp.post(f"/sessions/{session_id}/resume").status_code == 200
    assert LITERAL not in raw_row("amplifier_session", "bundle_yaml", session_id)


def test_an_updated_yaml_is_stored_sealed_too(amp):
    config_id = create_config(amp)
    changed = ECHO_YAML + f"providers:\n  - module: echo\n    config:\n      api_key: {LITERAL}\n"
    assert amp.put(f"/configs/{config_id}", json={"yaml_content": changed}).json()["yaml_content"] == changed
    assert LITERAL not in raw_row("amplifier_config", "yaml_content", config_id)
    assert amp.get(f"/configs/{config_id}").json()["yaml_content"] == changed


def test_rows_written_in_clear_still_read_and_the_migration_seals_them(amp):
    plain = ECHO_YAML + f"providers:\n  - module: echo\n    config:\n      api_key: {LITERAL}\n"
    config = AmplifierConfig.create(name="old", yaml_content=plain)
    session = AmplifierSession.create(config_id=config.id, bundle_yaml=plain)
    assert amp.get(f"/configs/{config.id}").json()["yaml_content"] == plain
    assert amp.post(f"/sessions/{session.id}/messages", json={"message": "a"}).json()["response"] == "Echo: a"

    importlib.import_module("agentdeck.storage.migrations.0012_amplifier_sealed_yaml").upgrade(database.obj)
    assert LITERAL not in raw_row("amplifier_config", "yaml_content", config.id)
    assert LITERAL not in raw_row("amplifier_session", "bundle_yaml", session.id)
    assert amp.get(f"/configs/{config.id}").json()["yaml_content"] == plain
    assert amp.post(f"/sessions/{session.id}/messages", json={"message": "b"}).json()["response"] == "Echo: b"
    sealed = raw_row("amplifier_config", "yaml_content", config.id)
    importlib.import_module("agentdeck.storage.migrations.0012_amplifier_sealed_yaml").upgrade(database.obj)
    assert raw_row("amplifier_config", "yaml_content", config.id) == sealed  # sealed once, not twice
