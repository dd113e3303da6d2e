"""Cortex LLM keys: one's own and a site's, sealed at rest, never returned; who may set which."""
from __future__ import annotations

from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in

O = {"Origin": ORIGIN}


def test_user_and_site_keys(owlette, client):
    owner = owlette.user("owner@example.com")
    owlette.site("nyc-office", owner=owner)
    owlette.site("lon-office", owner=owlette.user("lon@example.com"))
    sign_in(client, "owner@example.com")
    assert client.get("/owlette/api/settings/llm-key").json()["configured"] is False
    stored = client.post("/owlette/api/settings/llm-key", headers=O,
                         json={"provider": "anthropic", "apiKey": "sk-ant-secret-1"})
    assert stored.status_code == 200 and stored.json()["provider"] == "anthropic"
    got = client.get("/owlette/api/settings/llm-key")
    assert got.json()["configured"] and "sk-ant-secret-1" not in got.text
    assert client.post("/owlette/api/settings/llm-key", headers=O,
                       json={"provider": "gemini", "apiKey": "x"}).status_code == 400
    assert client.post("/owlette/api/settings/llm-key", headers=O,
                       json={"provider": "openai", "apiKey": "s\u00e9cret"}).status_code == 400

    site = client.post("/owlette/api/settings/site-llm-key", headers=O,
                       json={"siteId": "nyc-office", "provider": "openai", "apiKey": "sk-proj-2", "model": "gpt-4o-mini"})
    assert site.status_code == 200 and site.json()["model"] == "gpt-4o-mini"
    assert client.post("/owlette/api/settings/site-llm-key", headers=O,
                       json={"siteId": "lon-office", "provider": "openai", "apiKey": "k"}).status_code == 403
    assert client.get("/owlette/api/settings/site-llm-key?siteId=lon-office").status_code == 403

    from agentdeck.owlette import llm_keys
    from agentdeck.storage.models.owlette_alerts import OwletteLlmKey

    assert all("sk-" not in row.api_key for row in OwletteLlmKey.select())
    assert llm_keys.resolve(owner.id, "nyc-office")["apiKey"] == "sk-ant-secret-1"
    assert client.request("DELETE", "/owlette/api/settings/llm-key", headers=O).json()["deleted"] is True
    fallback = llm_keys.resolve(owner.id, "nyc-office")
    assert fallback["source"] == "site" and fallback["apiKey"] == "sk-proj-2"
    assert client.request("DELETE", "/owlette/api/settings/site-llm-key", headers=O,
                          json={"siteId": "nyc-office"}).json()["deleted"] is True
    assert llm_keys.resolve(owner.id, "nyc-office") is None

    client.cookies.clear()
    assert client.get("/owlette/api/settings/llm-key").status_code == 401
    outsider = {"x-api-key": api_key(client, "lon@example.com")}
    assert client.get("/owlette/api/settings/site-llm-key?siteId=nyc-office", headers=outsider).status_code == 403
