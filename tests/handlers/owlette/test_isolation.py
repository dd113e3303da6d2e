"""The site rule, route by route: a user of one site probing another's routes gets 403, by
cookie and by API key, whether the other site exists or not; a global admin may use every site."""
from __future__ import annotations

import pytest

from tests.handlers.owlette.conftest import ORIGIN, api_key, sign_in

O = {"Origin": ORIGIN}
FORBIDDEN = {"error": "Forbidden: No access to this site"}

# (method, path, query, body) for every site-scoped route, naming the site as {site}.
SITE_ROUTES = [
    ("POST", "/owlette/api/agent/generate-installer", None, {"siteId": "{site}"}),
    ("POST", "/owlette/api/setup/generate-token", None, {"siteId": "{site}"}),
    ("GET", "/owlette/api/admin/tokens/list", {"siteId": "{site}"}, None),
    ("POST", "/owlette/api/admin/tokens/revoke", None, {"siteId": "{site}", "all": True}),
]


def _fill(value, site):
    if value is None:
        return None
    return {k: (v.replace("{site}", site) if isinstance(v, str) else v) for k, v in value.items()}


def _call(client, route, site, headers):
    method, path, query, body = route
    return client.request(method, path, params=_fill(query, site), json=_fill(body, site), headers=headers)


@pytest.fixture
def two_sites(owlette):
    nyc, la = owlette.user("nyc@example.com"), owlette.user("la@example.com")
    member = owlette.user("member@example.com")
    owlette.site("nyc-office", owner=nyc, members=[member])
    owlette.site("la-office", owner=la)
    owlette.user("root@example.com", admin=True)


@pytest.mark.parametrize("route", SITE_ROUTES, ids=[r[1] for r in SITE_ROUTES])
def test_another_sites_route_is_forbidden(two_sites, client, route):
    sign_in(client, "nyc@example.com")
    for site in ("la-office", "no-such-site"):
        response = _call(client, route, site, O)
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert _call(client, route, "nyc-office", O).status_code == 200
    client.cookies.clear()
    key = api_key(client, "la@example.com")
    assert _call(client, route, "nyc-office", {"x-api-key": key}).status_code == 403
    assert _call(client, route, "la-office", {"x-api-key": key}).status_code == 200


@pytest.mark.parametrize("route", SITE_ROUTES, ids=[r[1] for r in SITE_ROUTES])
def test_members_and_global_admins_may(two_sites, client, route):
    sign_in(client, "member@example.com")
    assert _call(client, route, "nyc-office", O).status_code == 200
    sign_in(client, "root@example.com")
    assert _call(client, route, "la-office", O).status_code == 200
    missing = _call(client, route, "no-such-site", O)
    assert (missing.status_code, missing.json()) == (404, {"error": "Site not found"})


@pytest.mark.parametrize("route", SITE_ROUTES, ids=[r[1] for r in SITE_ROUTES])
def test_without_credentials_401(two_sites, client, route):
    response = _call(client, route, "nyc-office", O)
    assert response.status_code == 401 and "error" in response.json()


def test_another_sites_token_id_is_not_revoked(two_sites, client):
    sign_in(client, "la@example.com")
    code = client.post("/owlette/api/agent/generate-installer", json={"siteId": "la-office"}, headers=O).json()
    client.post("/owlette/api/agent/auth/exchange", json={"registrationCode": code["registrationCode"], "machineId": "LA-1"})
    token_id = client.get("/owlette/api/admin/tokens/list", params={"siteId": "la-office"}).json()["tokens"][0]["id"]
    sign_in(client, "nyc@example.com")
    response = client.post("/owlette/api/admin/tokens/revoke", json={"siteId": "nyc-office", "tokenId": token_id}, headers=O)
    assert response.status_code == 404
    sign_in(client, "la@example.com")
    assert client.get("/owlette/api/admin/tokens/list", params={"siteId": "la-office"}).json()["count"] == 1
