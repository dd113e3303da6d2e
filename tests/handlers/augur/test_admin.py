"""Admins list tenants and impersonate them (audited); everyone else is refused."""
from __future__ import annotations

from tests.augur.world import API


def _setup(augur):
    acme, globex = augur.tenant("acme"), augur.tenant("globex")
    augur.user("admin@acme.example", acme, is_admin=True)
    augur.user("user@acme.example", acme)
    sdk = augur.sdk(augur.dsn_key(globex))
    assert sdk.post(f"{API}/runs", json={"run_id": "globex-run"}).status_code == 201
    return acme, globex


def test_non_admin_gets_403_on_admin_routes(augur):
    _setup(augur)
    user = augur.viewer("user@acme.example")
    assert user.get(f"{API}/admin/tenants").status_code == 403
    response = user.post(f"{API}/admin/impersonate", json={"tenant": "globex"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Admin privileges required"}
    assert "set-cookie" not in response.headers
    assert user.get(f"{API}/admin/audit").status_code == 403


def test_admin_lists_every_tenant(augur):
    _setup(augur)
    tenants = augur.viewer("admin@acme.example").get(f"{API}/admin/tenants").json()["tenants"]
    assert {t["slug"]: t["run_count"] for t in tenants} == {"acme": 0, "globex": 1}


def test_impersonation_scopes_reads_and_is_audited(augur):
    acme, globex = _setup(augur)
    admin = augur.viewer("admin@acme.example")
    assert admin.get(f"{API}/runs").json()["total"] == 0
    response = admin.post(f"{API}/admin/impersonate", json={"tenant": "globex"})
    assert response.status_code == 200
    assert response.json()["impersonating"] is True
    assert response.headers["set-cookie"].startswith(f"augur_tenant_override={globex.id};")
    assert [r["run_id"] for r in admin.get(f"{API}/runs").json()["runs"]] == ["globex-run"]
    assert admin.get(f"{API}/runs/globex-run/manifest.json").json() == {"run_id": "globex-run"}
    me = admin.get(f"{API}/auth/me").json()
    assert (me["tenant"]["slug"], me["home_tenant"]["slug"], me["impersonating"]) == ("globex", "acme", True)

    cleared = admin.post(f"{API}/admin/impersonate", json={"tenant": None})
    assert cleared.json()["impersonating"] is False
    assert "Max-Age=0" in cleared.headers["set-cookie"]
    assert admin.get(f"{API}/runs").json()["total"] == 0

    audit = admin.get(f"{API}/admin/audit").json()["events"]
    assert [(e["action"], e["tenant_id"], e["actor"]) for e in audit] == [
        ("impersonate.stop", globex.id, "admin@acme.example"),
        ("impersonate.start", globex.id, "admin@acme.example")]


def test_override_cookie_is_ignored_for_non_admins(augur):
    _, globex = _setup(augur)
    user = augur.viewer("user@acme.example")
    user.cookies.set("augur_tenant_override", globex.id)
    assert user.get(f"{API}/runs").json()["total"] == 0
    assert user.get(f"{API}/runs/globex-run/manifest.json").status_code == 404
    assert user.get(f"{API}/auth/me").json()["impersonating"] is False


def test_impersonating_unknown_tenant_is_404(augur):
    _setup(augur)
    admin = augur.viewer("admin@acme.example")
    assert admin.post(f"{API}/admin/impersonate", json={"tenant": "nope"}).status_code == 404


def test_stale_override_for_deleted_tenant_falls_back_to_home(augur):
    _setup(augur)
    admin = augur.viewer("admin@acme.example")
    admin.cookies.set("augur_tenant_override", "no-such-tenant")
    assert admin.get(f"{API}/auth/me").json()["tenant"]["slug"] == "acme"
