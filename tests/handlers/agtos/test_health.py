"""agtOS health: every registered checker, one service, the plain check and the summary."""
from agentdeck import hookimpl
from agentdeck.plugins.manager import get_plugin_manager


class _BrokenCheck:
    @hookimpl
    def register_health_checks(self, register):
        register("mcp-server", lambda: (False, "Connection refused"))


def test_api_health_reports_the_database(client):
    response = client.get("/agtos/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["services"]["database"]["status"] == "healthy"
    assert isinstance(body["services"]["database"]["responseTime"], int)
    assert body["timestamp"] > 1_700_000_000_000


def test_an_unhealthy_service_makes_it_503_saying_which(client):
    get_plugin_manager().pm.register(_BrokenCheck(), name="broken-check")
    response = client.get("/agtos/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "Health check failed"
    assert body["message"] == "mcp-server: Connection refused"
    assert client.get("/agtos/health").status_code == 503
    one = client.get("/agtos/health/mcp-server")
    assert one.status_code == 503
    assert one.json()["status"] == "unhealthy" and one.json()["error"] == "Connection refused"


def test_one_service(client):
    response = client.get("/agtos/health/database")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_an_unknown_service_is_404_in_the_reference_words(client):
    response = client.get("/agtos/health/foo")
    assert response.status_code == 404
    assert response.json() == {"error": "Unknown service: foo"}


def test_a_service_name_outside_the_id_pattern_is_400(client):
    response = client.get("/agtos/health/bad.name")
    assert response.status_code == 400
    assert "error" in response.json()


def test_plain_health(client):
    response = client.get("/agtos/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_metrics_summary_counts_the_surface_requests(client):
    before = client.get("/agtos/health/metrics").json()
    for _ in range(3):
        client.get("/agtos/health")
    body = client.get("/agtos/health/metrics").json()
    assert body["requests"]["total"] == before["requests"]["total"] + 4
    assert body["errors"]["total"] == before["errors"]["total"]
    assert 0 <= body["latency"]["p50"] <= body["latency"]["p95"] <= body["latency"]["p99"]
    assert body["uptime"] >= 0


def test_health_paths_need_no_api_key(api_key, client):
    assert client.get("/agtos/health").status_code == 200
    assert client.get("/agtos/health/metrics").status_code == 200
    assert client.get("/agtos/health/database").status_code == 200


def test_api_health_needs_the_key_when_one_is_set(api_key, client):
    refused = client.get("/agtos/api/health")
    assert refused.status_code == 401
    assert refused.json() == {"error": "Unauthorized",
                              "message": "Valid API key required. Set Authorization: Bearer <key> header."}
    assert client.get("/agtos/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/agtos/api/health", headers=api_key).status_code == 200


def test_each_configured_provider_has_a_checker(client):
    from agentdeck.router import billing as exhaustion, credentials

    credentials.set_key("openai", "sk-test")
    assert client.get("/agtos/health/provider-openai").json()["status"] == "healthy"
    exhaustion.mark_exhausted("openai", "insufficient_quota", 3600)
    response = client.get("/agtos/health/provider-openai")
    assert response.status_code == 503
    assert response.json()["error"] == "Out of credit: insufficient_quota"
    assert client.get("/agtos/api/health").json()["message"] == "provider-openai: Out of credit: insufficient_quota"
