"""DSNs: minted by a signed-in tenant user, listed without secrets, revoked; ingest auth codes."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.augur.world import API


def _viewer(augur, slug="acme"):
    augur.user(f"user@{slug}.example", augur.tenant(slug))
    return augur.viewer(f"user@{slug}.example")


def test_mint_returns_key_and_dsn_once_and_list_hides_them(augur):
    viewer = _viewer(augur)
    minted = viewer.post(f"{API}/tenant/dsns", json={"label": "ci-runner"})
    assert minted.status_code == 201
    body = minted.json()
    assert len(body["api_key"]) == 48 and body["key_prefix"] == body["api_key"][:8]
    dsn = urlparse(body["dsn"])
    assert f"{dsn.scheme}://{dsn.netloc}{dsn.path}" == "http://127.0.0.1:8000/augur/api/v1"
    assert parse_qs(dsn.query) == {"token": [body["api_key"]], "tenant": ["acme"]}
    listed = viewer.get(f"{API}/tenant/dsns").json()["dsns"]
    assert [d["id"] for d in listed] == [body["id"]]
    assert "api_key" not in listed[0] and "dsn" not in listed[0]
    assert body["api_key"] not in viewer.get(f"{API}/tenant/dsns").text


def test_key_is_stored_hashed(augur):
    from agentdeck.storage.models.augur import AugurDsn

    viewer = _viewer(augur)
    key = viewer.post(f"{API}/tenant/dsns", json={}).json()["api_key"]
    stored = AugurDsn.get()
    assert stored.key_hash != key and key not in stored.key_hash and len(stored.key_hash) == 64


def test_minted_dsn_authorises_ingest_and_revocation_stops_it(augur):
    viewer = _viewer(augur)
    minted = viewer.post(f"{API}/tenant/dsns", json={"label": "laptop"}).json()
    sdk = augur.sdk(minted["api_key"])
    assert sdk.post(f"{API}/runs", json={"run_id": "r1"}).status_code == 201
    revoked = viewer.delete(f"{API}/tenant/dsns/{minted['id']}")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    response = sdk.post(f"{API}/runs", json={"run_id": "r1"})
    assert response.status_code == 403
    assert response.json() == {"detail": "DSN api_key has been revoked"}


def test_dsns_of_another_tenant_cannot_be_revoked(augur):
    viewer_a = _viewer(augur, "acme")
    viewer_b = _viewer(augur, "globex")
    minted = viewer_a.post(f"{API}/tenant/dsns", json={}).json()
    assert viewer_b.delete(f"{API}/tenant/dsns/{minted['id']}").status_code == 404
    assert viewer_b.get(f"{API}/tenant/dsns").json() == {"dsns": []}
    assert augur.sdk(minted["api_key"]).post(f"{API}/heartbeat", json={"client_id": "c"}).status_code == 200


def test_ingest_credential_errors(augur, client):
    missing = client.post(f"{API}/runs", json={"run_id": "r1"})
    assert missing.status_code == 401 and set(missing.json()) == {"detail"}
    basic = client.post(f"{API}/runs", json={"run_id": "r1"}, headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401
    not_a_key = augur.sdk("x").post(f"{API}/runs", json={"run_id": "r1"})
    assert not_a_key.status_code == 401
    unknown = augur.sdk("0" * 48).post(f"{API}/runs", json={"run_id": "r1"})
    assert unknown.status_code == 403
    assert unknown.json() == {"detail": "DSN api_key not recognised"}


def test_session_cookie_does_not_authorise_ingest_nor_dsn_reads(augur):
    viewer = _viewer(augur)
    assert viewer.post(f"{API}/runs", json={"run_id": "r1"}).status_code == 401
    sdk = augur.sdk(augur.dsn_key(augur.tenant("other")))
    assert sdk.get(f"{API}/runs").status_code == 401
