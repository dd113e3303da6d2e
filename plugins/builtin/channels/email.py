"""The built-in ``email`` alert channel: the alert sent as a plain-text email over SMTP.

The server is ``AGENTDECK_SMTP_URL``: ``smtp://user:password@host:587`` speaks STARTTLS (and
refuses to go on without it), ``smtps://user:password@host:465`` TLS from the first byte, and
``smtp+insecure://host:25`` plain SMTP for a relay on the same host. The server's certificate is
checked (against ``AGENTDECK_SMTP_CA_FILE`` when set). The sender is ``AGENTDECK_SMTP_FROM``.
An alert's ``details["unsubscribe_url"]``, when present, becomes a ``List-Unsubscribe`` header.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlparse

from agentdeck import hookimpl
from agentdeck.alerts import Alert, AlertChannel, AlertOutcome, ChannelConfigError, ConfigField
from agentdeck.settings import get_settings

SCHEMES = {"smtp": (587, "starttls"), "smtps": (465, "tls"), "smtp+insecure": (25, "plain")}
MAX_RECIPIENTS = 100


class EmailNotConfigured(ChannelConfigError):
    """``AGENTDECK_SMTP_URL`` or ``AGENTDECK_SMTP_FROM`` is missing or malformed."""


def smtp_server() -> dict:
    """The SMTP server from the settings: host, port, mode, user, password, sender."""
    settings = get_settings()
    if not settings.smtp_url or not settings.smtp_from:
        raise EmailNotConfigured("email: AGENTDECK_SMTP_URL and AGENTDECK_SMTP_FROM must both be set")
    parsed = urlparse(settings.smtp_url)
    if parsed.scheme not in SCHEMES or not parsed.hostname:
        raise EmailNotConfigured("email: AGENTDECK_SMTP_URL must be smtp://, smtps:// or smtp+insecure://host[:port]")
    default_port, mode = SCHEMES[parsed.scheme]
    return {"host": parsed.hostname, "port": parsed.port or default_port, "mode": mode,
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
            "sender": settings.smtp_from, "timeout": settings.smtp_timeout,
            "ca_file": settings.smtp_ca_file or None}


def is_configured() -> bool:
    """True when alert email can be sent."""
    try:
        smtp_server()
        return True
    except EmailNotConfigured:
        return False


def recipients_of(value: str) -> list[str]:
    """The addresses of a comma-separated ``to``; raises ``ChannelConfigError`` for a bad one."""
    found = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        address = parseaddr(part)[1]
        if "@" not in address or any(c in address for c in "\r\n <>"):
            raise ChannelConfigError(f"email: {part!r} is not an email address")
        found.append(address)
    if not found:
        raise ChannelConfigError("email: 'to' names no address")
    if len(found) > MAX_RECIPIENTS:
        raise ChannelConfigError(f"email: at most {MAX_RECIPIENTS} recipients")
    return found


def build_message(alert: Alert, sender: str, recipients: list[str]) -> EmailMessage:
    """The email for ``alert``: its title as subject, its message as the text."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = alert.title.replace("\r", " ").replace("\n", " ")[:200]
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["X-Alert-Id"] = alert.id
    unsubscribe = alert.details.get("unsubscribe_url")
    if isinstance(unsubscribe, str) and unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message.set_content(alert.message or alert.title)
    return message


def send_message(message: EmailMessage, recipients: list[str]) -> None:
    """Hand ``message`` to the configured SMTP server; raises ``smtplib.SMTPException`` or ``OSError``."""
    server = smtp_server()
    context = ssl.create_default_context(cafile=server["ca_file"])
    if server["mode"] == "tls":
        client = smtplib.SMTP_SSL(server["host"], server["port"], timeout=server["timeout"], context=context)
    else:
        client = smtplib.SMTP(server["host"], server["port"], timeout=server["timeout"])
    with client:
        client.ehlo()
        if server["mode"] == "starttls":
            if not client.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the SMTP server does not offer STARTTLS")
            client.starttls(context=context)
            client.ehlo()
        if server["user"]:
            client.login(server["user"], server["password"] or "")
        client.send_message(message, from_addr=parseaddr(server["sender"])[1], to_addrs=recipients)


class EmailChannel(AlertChannel):
    """Email the alert to ``to`` (comma-separated addresses) through the configured SMTP server."""

    name = "email"
    description = "email the alert over SMTP (AGENTDECK_SMTP_URL: STARTTLS, TLS or a local relay)"
    config_fields = (ConfigField("to", str, required=True, help="comma-separated recipient addresses"),)

    def check_config(self, config: dict) -> None:
        """The addresses must parse; the server settings must be there."""
        recipients_of(config["to"])
        smtp_server()

    def send(self, alert: Alert, config: dict) -> AlertOutcome:
        """Send now; an SMTP failure is a ``failed`` outcome naming it."""
        recipients = recipients_of(config["to"])
        try:
            send_message(build_message(alert, smtp_server()["sender"], recipients), recipients)
        except (smtplib.SMTPException, OSError) as exc:
            return AlertOutcome(self.name, "failed", f"{type(exc).__name__}: {exc}"[:500])
        return AlertOutcome(self.name, "delivered", f"sent to {len(recipients)} recipient(s)")


@hookimpl
def register_alert_channels(register):
    """Supply the ``email`` channel."""
    register(EmailChannel)
