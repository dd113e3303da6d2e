"""The app store as the reference's curl examples see it."""
from agentdeck.augmentos import apps

BASE = "/augmentos/api/apps"


def _make(package, name, description="", status="PUBLISHED", profile=None):
    apps.create_app(package, name, description=description, developer_profile=profile)
    apps.set_store_status(package, status)


def test_public_lists_only_published_apps(client):
    _make("com.augmentos.livecaptions", "Live Captions", "Live closed captions.")
    _make("com.example.draft", "Draft", status="DEVELOPMENT")
    body = client.get(f"{BASE}/public").json()
    assert body["success"] is True
    assert [a["packageName"] for a in body["data"]] == ["com.augmentos.livecaptions"]
    app = body["data"][0]
    assert app["appStoreStatus"] == "PUBLISHED" and app["tpaType"] == "standard"
    assert len(app["_id"]) == 24 and app["createdAt"].endswith("Z")
    assert "developerProfile" not in app


def test_available_includes_developer_profile(client):
    profile = {"company": "AugmentOS Team", "website": "https://augmentos.org", "contactEmail": "team@augmentos.org"}
    _make("com.augmentos.livecaptions", "Live Captions", profile=profile)
    _make("com.example.noprofile", "Plain")
    data = {a["packageName"]: a for a in client.get(f"{BASE}/available").json()["data"]}
    assert data["com.augmentos.livecaptions"]["developerProfile"] == profile
    assert data["com.example.noprofile"]["developerProfile"] is None


def test_search_matches_name_or_description_case_insensitively(client):
    _make("com.augmentos.livecaptions", "Live Captions", "Live closed captions.")
    _make("com.example.notes", "Notes", "Write down CAPTIONED thoughts")
    _make("com.example.weather", "Weather", "Forecasts")
    _make("com.example.hidden", "Hidden captions", status="SUBMITTED")
    found = client.get(f"{BASE}/search", params={"q": "caption"}).json()["data"]
    assert sorted(a["packageName"] for a in found) == ["com.augmentos.livecaptions", "com.example.notes"]
    assert client.get(f"{BASE}/search", params={"q": "100%"}).json()["data"] == []


def test_search_without_query_is_400_in_reference_shape(client):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(f"{BASE}/search", params=params)
        assert response.status_code == 400
        assert response.json() == {"success": False, "message": "Search query is required"}


def test_app_details_and_404(client):
    _make("com.augmentos.livecaptions", "Live Captions")
    _make("com.example.draft", "Draft", status="DEVELOPMENT")
    body = client.get(f"{BASE}/com.augmentos.livecaptions").json()
    assert body["success"] is True and body["data"]["name"] == "Live Captions"
    assert body["data"]["developerProfile"] is None
    for missing in ("com.example.none", "com.example.draft"):
        response = client.get(f"{BASE}/{missing}")
        assert response.status_code == 404
        assert response.json() == {"success": False, "message": f"App with package name {missing} not found"}


def test_health_and_error_report(client):
    health = client.get("/augmentos/health").json()
    assert health["status"] == "ok" and health["timestamp"].endswith("Z")
    response = client.post("/augmentos/api/error-report",
                           json={"component": "GlassesClient", "errorMessage": "Bluetooth connection lost"})
    assert response.status_code == 200 and response.json() == {"success": True}


def test_spec_and_swagger_ui_are_served_under_the_mount(client):
    spec = client.get("/augmentos/openapi.json").json()
    assert "/api/tpa-server/register" in spec["paths"]
    assert "Swagger UI" in client.get("/augmentos/ui/").text
