"""The one guarded way agentdeck calls URLs that clients gave it.

Webhooks, alert channels, provider base URLs and installer URLs all go through here: only http and
https, a timeout, a cap on the response size, few redirects (each hop checked again), and no
private, loopback or link-local targets unless ``AGENTDECK_OUTBOUND_ALLOW_PRIVATE`` is on.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

import httpx

from agentdeck.settings import get_settings

MAX_RESPONSE_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
ALLOWED_SCHEMES = {"http", "https"}


class OutboundRefused(ValueError):
    """The target URL is not one agentdeck may call."""


@dataclass(frozen=True)
class OutboundResponse:
    """What came back: status, headers and at most ``MAX_RESPONSE_BYTES`` of body."""

    status_code: int
    headers: dict
    body: bytes
    truncated: bool

    def json(self):
        """The body parsed as JSON (raises ``ValueError`` when it is not)."""
        import json

        return json.loads(self.body)


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _is_literal_private(host: str) -> bool:
    try:
        return _is_private(host)
    except ValueError:
        return False


def validate_url(url: str, *, allow_private: bool | None = None, resolve: bool = True) -> str:
    """Return ``url`` when agentdeck may call it; raise ``OutboundRefused`` saying why not.

    With ``resolve=False`` (checking a URL stored for later, such as a webhook at registration)
    host names are not looked up, but literal private addresses and ``localhost`` are still
    refused; every actual request checks again with resolution.
    """
    try:
        parsed = urlparse(url)
        hostname = parsed.hostname
    except ValueError as exc:  # an unclosed IPv6 bracket and the like
        raise OutboundRefused(f"the URL cannot be parsed: {exc}") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise OutboundRefused(f"scheme {parsed.scheme or '(none)'!r} is not allowed; use http or https")
    if not hostname:
        raise OutboundRefused("the URL has no host")
    try:
        hostname.encode("idna")  # what the HTTP client does with it: labels of 1-63 characters
    except UnicodeError:
        raise OutboundRefused(f"{hostname[:80]!r} is not a valid host name") from None
    if allow_private is None:
        allow_private = get_settings().outbound_allow_private
    if allow_private:
        return url
    if not resolve:
        if parsed.hostname.lower() in {"localhost", "localhost.localdomain"} or _is_literal_private(parsed.hostname):
            raise OutboundRefused(f"{parsed.hostname!r} is a private or loopback address")
        return url
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"cannot resolve {parsed.hostname!r}: {exc}") from exc
    for info in infos:
        if _is_private(info[4][0]):
            raise OutboundRefused(f"{parsed.hostname!r} resolves to a private or loopback address")
    return url


def request(method: str, url: str, *, json=None, content: bytes | None = None,
            headers: dict | None = None, timeout: float | None = None) -> OutboundResponse:
    """Make one guarded request (synchronous); raises ``OutboundRefused`` or ``httpx.HTTPError``."""
    timeout = get_settings().outbound_timeout if timeout is None else timeout
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            validate_url(url)
            with client.stream(method, url, json=json, content=content, headers=headers) as resp:
                if resp.is_redirect and "location" in resp.headers:
                    url = urljoin(url, resp.headers["location"])
                    if resp.status_code in (301, 302, 303):
                        method, json, content = "GET", None, None
                    continue
                body, truncated = _read_capped(resp.iter_bytes())
                return OutboundResponse(resp.status_code, dict(resp.headers), body, truncated)
    raise OutboundRefused(f"more than {MAX_REDIRECTS} redirects")


def _read_capped(chunks) -> tuple[bytes, bool]:
    buf = bytearray()
    for chunk in chunks:
        buf += chunk
        if len(buf) > MAX_RESPONSE_BYTES:
            return bytes(buf[:MAX_RESPONSE_BYTES]), True
    return bytes(buf), False


@contextmanager
def stream(method: str, url: str, *, headers: dict | None = None,
           timeout: float | None = None) -> Iterator[httpx.Response]:
    """A guarded request whose body is read by the caller as it arrives (a file download): the
    same checks as ``request`` on every hop, no cap on the size (the caller counts what it
    keeps). Yields the final response, open; raises ``OutboundRefused`` or ``httpx.HTTPError``."""
    timeout = get_settings().outbound_timeout if timeout is None else timeout
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            validate_url(url)
            with client.stream(method, url, headers=headers) as resp:
                if resp.is_redirect and "location" in resp.headers:
                    url = urljoin(url, resp.headers["location"])
                    continue
                yield resp
                return
    raise OutboundRefused(f"more than {MAX_REDIRECTS} redirects")
