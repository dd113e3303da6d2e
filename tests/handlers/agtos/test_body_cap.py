"""agtOS takes request bodies of at most 1 MB (below the server-wide cap); past it, 413 in
agtOS's shape and the connection is closed without reading the rest."""
import httpx

ONE_MB = 1024 * 1024


def _text_body(size: int) -> bytes:
    prefix, suffix = b'{"text": "', b'"}'
    return prefix + b"a" * (size - len(prefix) - len(suffix)) + suffix


def test_a_body_over_one_megabyte_is_refused_and_the_connection_closed(client):
    response = client.post("/agtos/api/chat", content=_text_body(ONE_MB + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"error": f"Request body is larger than {ONE_MB} bytes"}
    assert response.headers["connection"] == "close"


def test_a_chunked_body_over_one_megabyte_is_refused(client):
    def chunks():
        body = _text_body(ONE_MB + 10)
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    response = client.post("/agtos/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_body_of_one_megabyte_reaches_the_operation(client):
    # At the cap the body is read and validated (text is limited to 10,000 characters: 400).
    response = client.post("/agtos/api/chat", content=_text_body(ONE_MB),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_other_surfaces_keep_the_server_wide_cap(client):
    response = client.post("/augmentos/api/tpa-server/register", content=_text_body(ONE_MB + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code != 413


def test_a_real_server_closes_the_connection_after_the_413(live_server):
    with httpx.Client() as http:
        response = http.post(f"{live_server}/agtos/api/chat", content=_text_body(2 * ONE_MB),
                             headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.headers["connection"] == "close"
