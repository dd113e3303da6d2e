"""Schemathesis over a surface's spec, through the app's ASGI interface, with every default check.

Use ``schema_fixture(surface)`` to make a pytest fixture that loads the surface's served spec from
a fresh app, then parametrize a test with ``schemathesis.pytest.from_fixture(<fixture name>)``
and call ``run_case(case, headers)``.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from agentdeck.surfaces import PLATFORM, SURFACES

CONTRACT_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                             suppress_health_check=list(HealthCheck))


def schema_fixture(surface_name: str):
    """A fixture returning the schemathesis schema of ``surface_name`` served by a fresh app."""

    @pytest.fixture
    def _schema(app):
        surface = PLATFORM if surface_name == "platform" else SURFACES[surface_name]
        mount = "" if surface_name == "platform" else f"/{surface_name}"
        return schemathesis.openapi.from_asgi(f"{mount}{surface.spec_path}", app)

    return _schema


def run_case(case, headers: dict | None = None):
    """Send one generated case with ``headers`` (the test's credentials) and run every default
    check on the response. A case made invalid at its cookies (a session cookie left out, for
    example) is sent with the cookies it was generated with, not the test's ``Cookie`` header; a
    declared header a case made invalid by leaving it out is not put back."""
    headers = dict(headers or {})
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.COOKIE):
        headers.pop("Cookie", None)
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        # A header the spec declares and the case left out on purpose stays out.
        sent = {name.lower() for name in (case.headers or {})}
        declared = {p.name.lower() for p in case.operation.headers}
        for name in [n for n in headers if n.lower() in declared and n.lower() not in sent]:
            headers.pop(name)
    return case.call_and_validate(headers=headers)


def unreachable_catalog(folder) -> str:
    """An agtOS model catalog of one pinned model on a closed loopback port (the shipped catalog
    names real hosts: a generated download must not leave the machine). Returns its path."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = folder / "contract-catalog.yaml"
    path.write_text(
        "models:\n"
        "  - {id: moonshine-tiny-en-v2, name: Moonshine Tiny (English), description: Lightweight STT model,\n"
        "     type: stt, family: moonshine, format: onnx, sizeBytes: 48000000,\n"
        f"     url: 'http://127.0.0.1:{port}/moonshine.tar.bz2', sha256: '{'0' * 64}'}}\n"
        "  - {id: kokoro-int8-multi-v1, name: Kokoro TTS, description: TTS model, type: tts, family: kokoro,\n"
        f"     format: onnx, sizeBytes: 100000000, url: 'http://127.0.0.1:{port}/kokoro.tar.bz2', sha256: null}}\n")
    return str(path)
