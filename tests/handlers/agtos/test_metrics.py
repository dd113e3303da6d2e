"""agtOS Prometheus metrics under the reference's names, never behind the API key."""
import re


def _value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


HEALTH_200 = 'agtos_http_requests_total{method="GET",path="/api/health",status="200"}'
SERVICE_404 = 'agtos_http_requests_total{method="GET",path="/health/{serviceName}",status="404"}'


def test_requests_are_counted_by_method_path_and_status(client):
    before = client.get("/agtos/metrics").text
    client.get("/agtos/api/health")
    client.get("/agtos/health/foo")
    response = client.get("/agtos/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert "# TYPE agtos_http_requests_total counter" in text
    assert _value(text, HEALTH_200) == _value(before, HEALTH_200) + 1
    assert _value(text, SERVICE_404) == _value(before, SERVICE_404) + 1
    assert "# TYPE agtos_http_request_duration_seconds histogram" in text
    assert 'agtos_http_request_duration_seconds_bucket{le="0.1"}' in text


def test_metrics_need_no_api_key(api_key, client):
    assert client.get("/agtos/metrics").status_code == 200
