"""The built-in email channel against a real SMTP server on loopback: STARTTLS, TLS, AUTH."""
from __future__ import annotations

import pytest

from agentdeck.alerts import Alert, ChannelConfigError, dispatch_alert
from agentdeck.settings import reset_settings
from tests.support.smtp import SmtpServer


def _point_at(monkeypatch, server):
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    reset_settings()


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_alert_email_over_tls_with_auth(settings, monkeypatch, mode):
    with SmtpServer(mode=mode, user="relay", password="s3cret") as server:
        _point_at(monkeypatch, server)
        outcome = dispatch_alert("email", {"to": "ops@example.com, Ann <ann@example.com>"},
                                 Alert(title="Process crashed: TouchDesigner", message="on Gallery PC 1",
                                       severity="critical", details={"unsubscribe_url": "https://x.test/u?t=1"}))
        assert outcome.delivered, outcome.detail
        [got] = server.wait_for(1)
    assert got.tls and got.authenticated_as == "relay"
    assert got.rcpt_tos == ["ops@example.com", "ann@example.com"]
    assert got.mail_from == "alerts@owlette.test"
    assert got.message["Subject"] == "Process crashed: TouchDesigner"
    assert got.message["List-Unsubscribe"] == "<https://x.test/u?t=1>"
    assert "on Gallery PC 1" in got.message.get_content()


def test_wrong_password_and_untrusted_certificate_fail(settings, monkeypatch):
    with SmtpServer(mode="starttls", user="relay", password="s3cret") as server:
        _point_at(monkeypatch, server)
        monkeypatch.setenv("AGENTDECK_SMTP_URL", server.url.replace("s3cret", "wrong"))
        reset_settings()
        outcome = dispatch_alert("email", {"to": "ops@example.com"}, Alert(title="t", message="m"))
        assert outcome.status == "failed" and "Authentication" in outcome.detail
        monkeypatch.setenv("AGENTDECK_SMTP_URL", server.url)
        monkeypatch.delenv("AGENTDECK_SMTP_CA_FILE")
        reset_settings()
        outcome = dispatch_alert("email", {"to": "ops@example.com"}, Alert(title="t", message="m"))
        assert outcome.status == "failed" and "CERTIFICATE" in outcome.detail.upper()
        assert server.messages == []


def test_starttls_is_required_by_smtp_scheme(settings, monkeypatch):
    with SmtpServer(mode="plain") as server:
        _point_at(monkeypatch, server)
        monkeypatch.setenv("AGENTDECK_SMTP_URL", f"smtp://127.0.0.1:{server.port}")
        reset_settings()
        outcome = dispatch_alert("email", {"to": "ops@example.com"}, Alert(title="t", message="m"))
        assert outcome.status == "failed" and "STARTTLS" in outcome.detail
        monkeypatch.setenv("AGENTDECK_SMTP_URL", server.url)
        reset_settings()
        assert dispatch_alert("email", {"to": "ops@example.com"}, Alert(title="t", message="m")).delivered


def test_bad_configuration_is_refused(settings, monkeypatch):
    with pytest.raises(ChannelConfigError, match="must both be set"):
        dispatch_alert("email", {"to": "ops@example.com"}, Alert(title="t", message="m"))
    monkeypatch.setenv("AGENTDECK_SMTP_URL", "smtp+insecure://127.0.0.1:1")
    monkeypatch.setenv("AGENTDECK_SMTP_FROM", "a@b.test")
    reset_settings()
    with pytest.raises(ChannelConfigError, match="not an email address"):
        dispatch_alert("email", {"to": "nobody"}, Alert(title="t", message="m"))
