"""Signed installer downloads: whatever the id, expiry or signature, a bad URL is refused with
the documented 403 (or 410 once expired), never a server error."""
from __future__ import annotations

import pytest

from tests.handlers.owlette.conftest import ORIGIN, sign_in

O = {"Origin": ORIGIN}
DOWNLOAD = "/owlette/api/installer/download"


@pytest.fixture
def installer(owlette, client):
    """A finalised installer uploaded by a global admin; its latest-installer document."""
    owlette.user("admin@example.com", admin=True)
    sign_in(client, "admin@example.com")
    started = client.post("/owlette/api/admin/installer/upload", headers=O,
                          json={"version": "2.1.9", "fileName": "OwletteSetup-2.1.9.exe"}).json()
    upload = "/owlette" + started["uploadUrl"].split("/owlette", 1)[1]
    put = client.put(upload, content=b"MZ-installer", headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200, put.text
    done = client.put("/owlette/api/admin/installer/upload", headers=O, json={"uploadId": started["uploadId"]})
    assert done.status_code == 200, done.text
    return client.get("/owlette/api/admin/installer/latest").json()


def test_the_signed_url_downloads_the_file(installer, client):
    download = client.get("/owlette" + installer["downloadUrl"].split("/owlette", 1)[1])
    assert download.status_code == 200 and download.content == b"MZ-installer"


@pytest.mark.parametrize("signature", ["bad", "\u00e3\r\u00feg\u00b98\u00e4\u00f3", "0" * 64 + "\u00e9"])
def test_a_bad_signature_is_forbidden(installer, client, signature):
    answer = client.get(f"{DOWNLOAD}/{installer['installer']['id']}",
                        params={"expires": 9999999999, "signature": signature})
    assert answer.status_code == 403 and answer.json() == {"error": "Invalid download signature"}


def test_an_unknown_id_with_a_negative_expiry_and_a_non_ascii_signature_is_forbidden(owlette, client):
    # What a fuzzer sent (schemathesis): it once raised TypeError in hmac.compare_digest (500).
    answer = client.get(f"{DOWNLOAD}/_%C3%B9%C2%B2%F1%93%B3%91?expires=-4463"
                        "&signature=%C3%A3%0D%C3%BEg%C2%B98%C2%8E%C3%A4%C3%B3")
    assert answer.status_code == 403 and answer.json() == {"error": "Invalid download signature"}


def test_an_expired_url_is_gone(installer, client):
    from agentdeck.owlette.fleet.installers import _sign

    installer_id = installer["installer"]["id"]
    answer = client.get(f"{DOWNLOAD}/{installer_id}", params={"expires": 1000, "signature": _sign(installer_id, 1000)})
    assert answer.status_code == 410


@pytest.mark.parametrize("name", ["../OwletteSetup.exe", "Owlette..exe", ".hidden", "C:\\Setup.exe", "a/b.exe"])
def test_an_upload_needs_a_plain_file_name(owlette, client, name):
    owlette.user("admin@example.com", admin=True)
    sign_in(client, "admin@example.com")
    refused = client.post("/owlette/api/admin/installer/upload", headers=O, json={"version": "2.1.9", "fileName": name})
    assert refused.status_code == 400 and "fileName" in refused.json()["error"]
