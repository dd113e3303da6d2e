"""A real SMTP server on loopback (aiosmtpd) that keeps what it is sent.

``SmtpServer(mode="starttls")`` offers STARTTLS and refuses mail before it; ``mode="tls"`` speaks
TLS from the first byte; ``mode="plain"`` neither. The certificate is self-signed, made for this
server (``ca_file`` is its PEM, for ``AGENTDECK_SMTP_CA_FILE``). With ``user``/``password`` set,
AUTH is required (only after TLS). ``url`` is the ``AGENTDECK_SMTP_URL`` that reaches it.
"""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A key and a self-signed certificate for 127.0.0.1 and localhost, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_path, cert_path = directory / "smtp.key", directory / "smtp.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass
class Delivered:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    authenticated_as: str | None


@dataclass
class _Handler:
    server: "SmtpServer"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        with self.server.lock:
            self.server.messages.append(Delivered(envelope.mail_from, list(envelope.rcpt_tos), message,
                                                  session.ssl is not None or self.server.mode == "tls", login))
        return "250 OK"


@dataclass
class SmtpServer:
    """Use as a context manager; ``messages`` fills as mail arrives."""

    mode: str = "starttls"
    user: str | None = None
    password: str | None = None
    messages: list[Delivered] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> "SmtpServer":
        self._dir = tempfile.TemporaryDirectory()
        key, cert = self_signed_certificate(Path(self._dir.name))
        self.ca_file = str(cert)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        options = {"authenticator": self._authenticate, "auth_required": True} if self.user else {}
        if self.mode == "starttls":
            options.update(tls_context=context, require_starttls=True, auth_require_tls=True)
        elif self.mode == "tls":
            # The connection is TLS from its first byte; aiosmtpd's own check looks for STARTTLS.
            options.update(ssl_context=context, auth_require_tls=False)
        else:
            options.update(auth_require_tls=False)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      server_hostname="localhost", **options)
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
        self._dir.cleanup()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    @property
    def url(self) -> str:
        scheme = {"starttls": "smtp", "tls": "smtps", "plain": "smtp+insecure"}[self.mode]
        credentials = f"{self.user}:{self.password}@" if self.user else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.port}"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Delivered]:
        """Wait until ``count`` messages have arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    def env(self) -> dict:
        """The settings pointing agentdeck's email channel at this server."""
        return {"AGENTDECK_SMTP_URL": self.url, "AGENTDECK_SMTP_FROM": "owlette <alerts@owlette.test>",
                "AGENTDECK_SMTP_CA_FILE": self.ca_file}
