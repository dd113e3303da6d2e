"""agtOS billing: exhaustion shared by every worker, shown, and cleared by a retry."""
from agentdeck.router import billing as exhaustion, credentials


def test_billing_lists_keyed_cloud_providers(client):
    credentials.set_key("openai", "sk-test")
    body = client.get("/agtos/api/billing").json()
    assert body["strategy"] == "cloud-backup"
    assert body["providers"]["openai"] == {"exhausted": False, "fallbackActive": False,
                                           "billingUrl": "https://platform.openai.com/account/billing"}


def test_an_exhausted_provider_shows_and_a_retry_clears_it(client):
    credentials.set_key("openai", "sk-test")
    exhaustion.mark_exhausted("openai", "insufficient_quota", 3600)
    state = client.get("/agtos/api/billing").json()["providers"]["openai"]
    assert state["exhausted"] is True and state["fallbackActive"] is True
    assert state["reason"] == "insufficient_quota" and state["since"] and state["until"]
    response = client.post("/agtos/api/billing/openai/retry")
    assert response.status_code == 200
    assert response.json() == {"success": True, "provider": "openai", "exhausted": False}
    assert client.get("/agtos/api/billing").json()["providers"]["openai"]["exhausted"] is False


def test_retrying_an_unknown_provider_is_404(client):
    response = client.post("/agtos/api/billing/nonexistent/retry")
    assert response.status_code == 404
    assert response.json() == {"error": "Provider not configured: nonexistent"}


def test_each_needs_the_key_when_one_is_set(api_key, client):
    assert client.get("/agtos/api/billing").status_code == 401
    assert client.get("/agtos/api/billing", headers=api_key).status_code == 200
    assert client.post("/agtos/api/billing/openai/retry").status_code == 401
    assert client.post("/agtos/api/billing/openai/retry", headers=api_key).status_code == 200
