"""agtOS entities through the HTTP surface: list and search, stats, get, update, soft delete,
merge, the per-entity lists, and who may call them."""
import pytest

from agentdeck.agtos.entities.extraction import store_extraction

DAY = 86_400_000


def _episode(n: int, ts: int) -> dict:
    return {"id": f"ep-{n}", "summary": f"episode {n}", "timestamp": ts}


@pytest.fixture
def people(client):
    """Alice (two episodes, an alias), Acme and Globex; Alice worked at Acme, then at Globex."""
    store_extraction(_episode(1, 1_700_000_000_000),
                     [{"name": "Alice", "type": "person", "aliases": ["Alice Smith"], "confidence": 0.9},
                      {"name": "Acme Corp", "type": "organization"}],
                     [{"subject": "Alice", "predicate": "works at", "object": "Acme Corp", "confidence": 0.8}])
    store_extraction(_episode(2, 1_700_000_000_000 + DAY),
                     [{"name": "alice smith", "type": "person"}, {"name": "Globex", "type": "organization"}],
                     [{"subject": "alice smith", "predicate": "works-at", "object": "Globex"}])
    listed = client.get("/agtos/api/entities").json()["entities"]
    return {e["name"]: e for e in listed}


def test_entities_list_newest_mention_first_with_counts(client, people):
    body = client.get("/agtos/api/entities").json()
    assert body["count"] == 3
    alice = people["Alice"]
    assert alice["type"] == "person" and alice["aliases"] == ["Alice Smith"]
    assert alice["episodeCount"] == 2 and alice["lastMentioned"] == 1_700_000_000_000 + DAY
    assert alice["confidence"] == 0.9
    assert body["entities"][0]["lastMentioned"] == 1_700_000_000_000 + DAY


def test_search_by_part_of_a_name_or_alias_and_by_type(client, people):
    assert [e["name"] for e in client.get("/agtos/api/entities?q=smith").json()["entities"]] == ["Alice"]
    assert {e["name"] for e in client.get("/agtos/api/entities?type=organization").json()["entities"]} == {
        "Acme Corp", "Globex"}
    assert client.get("/agtos/api/entities?limit=1").json()["count"] == 1
    assert client.get("/agtos/api/entities?type=robot").status_code == 400
    assert client.get("/agtos/api/entities?limit=101").status_code == 400


def test_stats_count_every_type(client, people):
    assert client.get("/agtos/api/entities/stats").json() == {
        "stats": {"person": 1, "place": 0, "organization": 2, "event": 0, "thing": 0}, "total": 3}


def test_get_update_and_soft_delete(client, people):
    alice = people["Alice"]["id"]
    assert client.get(f"/agtos/api/entities/{alice}").json()["entity"]["name"] == "Alice"
    updated = client.put(f"/agtos/api/entities/{alice}",
                         json={"name": "Alice S.", "aliases": [" Ali ", "ali", "", "Alice S."], "confidence": 0.5})
    assert updated.status_code == 200
    assert updated.json()["entity"] | {} == {**people["Alice"], "name": "Alice S.", "aliases": ["Ali"], "confidence": 0.5}
    assert client.put(f"/agtos/api/entities/{alice}", json={"name": "  "}).json() == {
        "error": "Field name must not be blank"}
    assert client.put(f"/agtos/api/entities/{alice}", json={"colour": "red"}).status_code == 400
    assert client.put(f"/agtos/api/entities/{alice}", json={"confidence": 2}).status_code == 400
    assert client.delete(f"/agtos/api/entities/{alice}").json() == {"deleted": True, "entityId": alice}
    assert client.get(f"/agtos/api/entities/{alice}").status_code == 404
    assert client.delete(f"/agtos/api/entities/{alice}").json() == {"error": "Entity not found"}
    assert client.get("/agtos/api/entities/stats").json()["total"] == 2


def test_a_later_exclusive_fact_supersedes_the_earlier_one(client, people):
    alice = people["Alice"]["id"]
    body = client.get(f"/agtos/api/entities/{alice}/relationships").json()
    assert body["count"] == 2
    current, earlier = body["relationships"]
    assert current["object"]["name"] == "Globex" and current["validTo"] is None
    assert current["predicate"] == "works-at" and current["episodeId"] == "ep-2"
    assert earlier["object"]["name"] == "Acme Corp"
    assert earlier["validFrom"] == 1_700_000_000_000 and earlier["validTo"] == 1_700_000_000_000 + DAY
    assert earlier["supersededBy"] == current["id"]
    acme = people["Acme Corp"]["id"]
    assert client.get(f"/agtos/api/entities/{acme}/relationships").json()["relationships"] == [earlier]


def test_a_non_exclusive_fact_keeps_the_earlier_one(client):
    store_extraction(_episode(5, 1000), [{"name": "Bob", "type": "person"}, {"name": "Carol", "type": "person"}],
                     [{"subject": "Bob", "predicate": "knows", "object": "Carol"}])
    store_extraction(_episode(6, 2000), [{"name": "Bob", "type": "person"}, {"name": "Dan", "type": "person"}],
                     [{"subject": "Bob", "predicate": "knows", "object": "Dan"}])
    bob = client.get("/agtos/api/entities?q=bob").json()["entities"][0]["id"]
    rels = client.get(f"/agtos/api/entities/{bob}/relationships").json()["relationships"]
    assert [r["validTo"] for r in rels] == [None, None]


def test_merge_moves_episodes_relationships_and_names(client, people):
    store_extraction(_episode(3, 1_700_000_000_000 + 2 * DAY), [{"name": "A. Smith", "type": "person"},
                                                               {"name": "Paris", "type": "place"}],
                     [{"subject": "A. Smith", "predicate": "lives-in", "object": "Paris"}])
    primary = people["Alice"]["id"]
    duplicate = client.get("/agtos/api/entities?q=a.%20smith").json()["entities"][0]["id"]
    merged = client.post(f"/agtos/api/entities/{primary}/merge", json={"targetId": duplicate})
    assert merged.status_code == 200
    entity = merged.json()["entity"]
    assert entity["id"] == primary and entity["aliases"] == ["Alice Smith", "A. Smith"]
    assert entity["episodeCount"] == 3 and entity["lastMentioned"] == 1_700_000_000_000 + 2 * DAY
    assert client.get(f"/agtos/api/entities/{duplicate}").status_code == 404
    predicates = {r["predicate"] for r in client.get(f"/agtos/api/entities/{primary}/relationships").json()["relationships"]}
    assert predicates == {"works-at", "lives-in"}


def test_merge_refusals(client, people):
    alice = people["Alice"]["id"]
    assert client.post(f"/agtos/api/entities/{alice}/merge", json={"targetId": alice}).json() == {
        "error": "Cannot merge an entity into itself"}
    assert client.post(f"/agtos/api/entities/{alice}/merge", json={"targetId": "ent-none"}).status_code == 404
    assert client.post("/agtos/api/entities/ent-none/merge", json={"targetId": alice}).status_code == 404
    assert client.post(f"/agtos/api/entities/{alice}/merge", json={}).status_code == 400


def test_per_entity_lists_of_an_unknown_entity_are_404(client):
    for tail in ("", "/episodes", "/conclusions", "/relationships"):
        response = client.get(f"/agtos/api/entities/ent-missing{tail}")
        assert response.status_code == 404 and response.json() == {"error": "Entity not found"}


def test_every_entity_operation_needs_the_key_when_one_is_set(api_key, client):
    calls = [("get", "/agtos/api/entities", None), ("get", "/agtos/api/entities/stats", None),
             ("get", "/agtos/api/entities/ent-a", None), ("put", "/agtos/api/entities/ent-a", {"name": "x"}),
             ("delete", "/agtos/api/entities/ent-a", None),
             ("post", "/agtos/api/entities/ent-a/merge", {"targetId": "ent-b"}),
             ("get", "/agtos/api/entities/ent-a/episodes", None),
             ("get", "/agtos/api/entities/ent-a/conclusions", None),
             ("get", "/agtos/api/entities/ent-a/relationships", None)]
    for method, path, body in calls:
        kwargs = {"json": body} if body is not None else {}
        refused = client.request(method, path, **kwargs)
        assert refused.status_code == 401, path
        assert refused.json()["error"] == "Unauthorized"
        assert client.request(method, path, headers={"Authorization": "Bearer wrong"}, **kwargs).status_code == 401
        assert client.request(method, path, headers=api_key, **kwargs).status_code in (200, 404), path
