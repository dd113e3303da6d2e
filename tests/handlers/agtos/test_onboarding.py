"""A new user's path: chat through echo with no setup, store a key with the setup token, point
the chat slot at an OpenAI-compatible server, and keep chatting when that server goes away."""
import importlib

from agentdeck.surfaces import SURFACES
from tests.handlers.agtos.conftest import closed_port_url


def test_a_new_user_onboards_and_chat_survives_the_upstream_going_away(local, use_fake_openai, monkeypatch):
    assert local.post("/agtos/api/chat", json={"text": "hello"}).status_code == 200

    token = local.get("/agtos/api/setup-token").json()["token"]
    stored = local.post("/agtos/api/credentials", headers={"X-Setup-Token": token},
                        json={"provider": "provider-openai", "apiKey": "sk-new-user"})
    assert stored.status_code == 200
    use_fake_openai.api_key = "sk-new-user"
    slots = local.put("/agtos/api/slots", json={
        "chat": {"provider": "openai", "model": "gpt-fake", "fallback": "backup"},
        "backup": {"provider": "echo", "model": "echo-1"}})
    assert slots.status_code == 200
    use_fake_openai.reply("Hello from your own server")
    assert local.post("/agtos/api/chat", json={"text": "hi"}).json()["text"] == "Hello from your own server"

    monkeypatch.setenv("OPENAI_BASE_URL", closed_port_url() + "/v1")
    fallback = local.post("/agtos/api/chat", json={"text": "still there?"})
    assert fallback.status_code == 200
    assert fallback.json()["text"]
    assert local.get("/agtos/api/slots").json()["stats"]["fallbackCount"] >= 1


def test_the_surface_start_up_steps_and_sweeps_resolve():
    surface = SURFACES["agtos"]
    for dotted in (*surface.startup, *surface.sweeps):
        module, _, name = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), dotted
