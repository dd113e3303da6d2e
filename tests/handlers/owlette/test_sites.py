"""Sites: who sees which, by cookie and by API key."""
from __future__ import annotations

from tests.handlers.owlette.conftest import api_key, sign_in

SITES = "/owlette/api/admin/sites"


def test_a_user_sees_only_their_own_sites_with_their_role(owlette, client):
    owner, member, other = (owlette.user(e) for e in ("o@example.com", "m@example.com", "x@example.com"))
    owlette.site("nyc-office", owner=owner, members=[member])
    owlette.site("la-office", owner=other)
    sign_in(client, "o@example.com")
    assert [(s["id"], s["role"]) for s in client.get(SITES).json()["sites"]] == [("nyc-office", "owner")]
    sign_in(client, "m@example.com")
    assert [(s["id"], s["role"]) for s in client.get(SITES).json()["sites"]] == [("nyc-office", "member")]


def test_a_global_admin_sees_every_site(owlette, client):
    owlette.user("root@example.com", admin=True)
    owlette.site("nyc-office")
    owlette.site("la-office")
    sign_in(client, "root@example.com")
    body = client.get(SITES).json()
    assert body["success"] is True
    assert [(s["id"], s["role"]) for s in body["sites"]] == [("la-office", "admin"), ("nyc-office", "admin")]


def test_an_api_key_acts_as_its_user_by_header_or_query(owlette, client):
    owner = owlette.user("o@example.com")
    owlette.site("nyc-office", owner=owner)
    key = api_key(client, "o@example.com")
    assert client.get(SITES, headers={"x-api-key": key}).json()["sites"][0]["id"] == "nyc-office"
    assert client.get(SITES, params={"api_key": key}).json()["sites"][0]["id"] == "nyc-office"
    assert client.get(SITES, headers={"x-api-key": "owk_nope"}).status_code == 401


def test_without_credentials_401(owlette, client):
    response = client.get(SITES)
    assert response.status_code == 401 and "error" in response.json()
