"""The agtOS settings store: defaults, validation, persistence, and the config:changed event."""
import pytest

from agentdeck.agtos.settings import store
from agentdeck.errors import Forbidden, InvalidInput
from agentdeck.storage.models.eventbus import Event


@pytest.fixture
def db(app):
    store.forget()
    yield
    store.forget()


def test_a_key_never_written_has_its_default(db):
    assert store.get("memorySearchMode") == "hybrid"
    assert store.get("ttsSpeed") == 1.0
    assert store.get("apiRateLimit") == 100


def test_an_environment_variable_sets_the_default(db, monkeypatch):
    monkeypatch.setenv("AGTOS_MEMORY_SEARCH_MODE", "bm25")
    monkeypatch.setenv("AGTOS_TTS_SPEED", "9")  # out of range: ignored
    assert store.get("memorySearchMode") == "bm25"
    assert store.get("ttsSpeed") == 1.0


def test_an_update_is_stored_and_announced(db):
    assert store.update({"memorySearchMode": "vector", "ttsSpeed": 1.2}) == ["memorySearchMode", "ttsSpeed"]
    assert store.get("memorySearchMode") == "vector"
    event = Event.select().where(Event.topic == "config:changed").get()
    assert event.payload["changed"] == ["memorySearchMode", "ttsSpeed"]
    assert event.payload["values"] == {"memorySearchMode": "vector", "ttsSpeed": 1.2}


def test_an_invalid_update_writes_nothing_and_names_every_field(db):
    with pytest.raises(InvalidInput) as caught:
        store.update({"ttsSpeed": 3, "llmProvider": "gpt", "ttsVoice": "nova", "nope": 1})
    assert caught.value.message == "Invalid settings update"
    assert caught.value.details == [{"details": [
        {"field": "ttsSpeed", "message": "Number must be less than or equal to 2"},
        {"field": "llmProvider", "message": "Invalid enum value. Expected 'claude' | 'ollama' | 'auto', received 'gpt'"},
        {"field": "nope", "message": "Unrecognized key: 'nope'"},
    ]}]
    assert store.get("ttsVoice") == "af_heart"
    assert Event.select().count() == 0


def test_the_legacy_update_reads_strings_as_numbers_and_refuses_other_keys(db):
    assert store.update_legacy("ttsSpeed", "1.5") == {"key": "ttsSpeed", "value": 1.5, "envKey": "AGTOS_TTS_SPEED",
                                                      "applied": True, "persisted": True}
    with pytest.raises(Forbidden):
        store.update_legacy("memorySearchMode", "bm25")
