"""The guarded outbound client refuses what agentdeck must not call."""
import pytest

from agentdeck import outbound
from agentdeck.settings import reset_settings


@pytest.fixture
def strict(settings, monkeypatch):
    monkeypatch.setenv("AGENTDECK_OUTBOUND_ALLOW_PRIVATE", "false")
    reset_settings()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http://", "gopher://x"])
def test_schemes_and_hosts(strict, url):
    with pytest.raises(outbound.OutboundRefused):
        outbound.validate_url(url)


@pytest.mark.parametrize("url", ["https://" + "a" * 64 + ".example.com/", "https://[::1/x", "https://a..b/"])
@pytest.mark.parametrize("allow_private", [False, True])
def test_a_host_no_resolver_could_be_asked_for_is_refused_not_raised(settings, url, allow_private):
    with pytest.raises(outbound.OutboundRefused):
        outbound.validate_url(url, allow_private=allow_private)
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("POST", url, json={})


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://localhost/", "http://[::1]/",
                                 "http://169.254.169.254/latest", "http://10.1.2.3/", "http://[::ffff:127.0.0.1]/"])
def test_private_targets_refused_unless_allowed(strict, url):
    with pytest.raises(outbound.OutboundRefused):
        outbound.validate_url(url)
    assert outbound.validate_url(url, allow_private=True) == url


def test_response_size_is_capped_and_redirects_rechecked(live_server, monkeypatch):
    # The platform's own metrics page serves as a loopback target; allow-private is on in tests.
    response = outbound.request("GET", f"{live_server}/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    monkeypatch.setattr(outbound, "MAX_RESPONSE_BYTES", 10)
    capped = outbound.request("GET", f"{live_server}/healthz")
    assert capped.truncated and len(capped.body) == 10
