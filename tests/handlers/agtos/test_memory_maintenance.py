"""agtOS memory maintenance through the HTTP surface: the sweep's six steps and its report, the
resource guard's and the memory store's 503s, the stored reports, and who may call them."""
import asyncio
import gc
import time
from datetime import timedelta

import httpx
import pytest

from agentdeck.agtos.memory.maintenance import guard, reports
from agentdeck.router import credentials
from agentdeck.storage.db import database
from agentdeck.storage.models.agtos_entities import MaintenanceReport
from agentdeck.storage.models.agtos_memory import Conclusion, Episode
from agentdeck.timeutil import utcnow

VERDICT = '{"contradiction": true, "confidence": 0.9}'


@pytest.fixture(autouse=True)
def no_load_rule(settings, monkeypatch):
    """The shared test machine is often loaded: the load rule is off unless a test sets it."""
    monkeypatch.setenv("AGENTDECK_AGTOS_MAINTENANCE_MAX_LOAD", "0")


@pytest.fixture
def judge(maintenance_on_fake_openai):
    """The maintenance slot on the fake upstream: the contradiction judge."""
    return maintenance_on_fake_openai


def _episode(n: int, age_days: float = 0) -> str:
    return Episode.create(summary=f"episode {n}", source_kind="test", source_ref={"n": n}, source_key=f"k{n}",
                          created_at=utcnow() - timedelta(days=age_days)).id


def _conclusion(content: str, confidence: float, sources: list, age_days: float = 0, type_: str = "inferred") -> str:
    at = utcnow() - timedelta(days=age_days)
    return Conclusion.create(content=content, type=type_, confidence=confidence, sources=sources,
                             created_at=at, updated_at=at).id


@pytest.fixture
def memory(client):
    """Conclusions each step has something to do with."""
    fresh, old = _episode(1), _episode(2, age_days=60)
    return {
        "tea": _conclusion("User prefers tea in the morning", 0.8, [fresh]),
        "tea_again": _conclusion("The user prefers tea in the morning", 0.7, [fresh]),
        "coffee": _conclusion("User prefers coffee in the morning", 0.6, [fresh]),
        "stale": _conclusion("User has a dog named Rex", 0.5, [old], age_days=60),
        "weak": _conclusion("User lives in Berlin", 0.1, [fresh]),
        "dangling": _conclusion("User plays the cello", 0.7, ["ep-gone"]),
    }


def test_the_sweep_runs_the_six_steps_and_reports_them(client, judge, memory):
    judge.reply(VERDICT)
    response = client.post("/agtos/api/memory/maintain", json={})
    assert response.status_code == 200
    report = response.json()
    summary = report["summary"]
    assert {k: summary[k] for k in ("stale", "decayed", "redundant", "danglingSources", "orphans",
                                    "contradictions", "pruned")} == {
        "stale": 1, "decayed": 1, "redundant": 1, "danglingSources": 1, "orphans": 1, "contradictions": 1, "pruned": 1}
    pipeline = summary["contradictionPipeline"]
    assert pipeline["candidatesSelected"] == 1 and pipeline["nliConfirmed"] == 1 and pipeline["llmConfirmed"] == 1
    assert set(pipeline["stageLatencyMs"]) == {"stage1", "stage2", "stage3"}
    assert report["conclusionsExamined"] == 6 and report["episodesChecked"] == 2
    issues = {(i["type"], i["conclusionId"], i["action"]) for i in report["issues"]}
    assert ("contradiction", memory["coffee"], "flagged") in issues
    assert ("redundant", memory["tea_again"], "merged") in issues
    assert ("stale", memory["stale"], "decayed") in issues
    assert ("low_confidence", memory["weak"], "pruned") in issues
    assert ("orphan", memory["dangling"], "flagged") in issues
    # What the steps changed is in the memory itself.
    assert Conclusion.get_by_id(memory["stale"]).confidence == pytest.approx(0.45)
    assert Conclusion.get_by_id(memory["tea_again"]).deleted_at is not None
    assert Conclusion.get_by_id(memory["weak"]).deleted_at is not None
    assert Conclusion.get_by_id(memory["dangling"]).sources == []
    # The judge was the maintenance slot's model, asked about the two conclusions.
    judged = judge.requests[-1].json
    assert judged["model"] == "gpt-fake" and "coffee" in judged["messages"][-1]["content"]
    # And the report is stored.
    assert client.get(f"/agtos/api/memory/maintenance/reports/{report['timestamp']}").json() == report
    assert client.get("/agtos/api/memory/maintenance/reports").json() == {"reports": [report], "count": 1}


def test_a_judge_that_says_no_flags_nothing(client, judge, memory):
    judge.reply('{"contradiction": false, "confidence": 0.8}')
    summary = client.post("/agtos/api/memory/maintain", json={}).json()["summary"]
    assert summary["contradictions"] == 0 and summary["contradictionPipeline"]["llmConfirmed"] == 0


def test_the_body_must_be_empty(client):
    for body in ({"userId": "u1"}, [], "x"):
        response = client.post("/agtos/api/memory/maintain", json=body)
        assert response.status_code == 400 and "error" in response.json()


def test_a_chat_stream_in_flight_defers_the_sweep(client, memory):
    async def during_a_stream():
        async with guard.chat_stream_in_flight():
            return await asyncio.to_thread(client.post, "/agtos/api/memory/maintain", json={})

    response = asyncio.run(during_a_stream())
    assert response.status_code == 503
    assert response.json() == {"error": "Memory maintenance deferred", "errorCode": "RESOURCES_BUSY",
                               "message": "Background work not safe right now", "reason": "active sessions: 1"}
    assert client.post("/agtos/api/memory/maintain", json={}).status_code == 200  # the stream ended


def test_the_chat_stream_handler_is_counted_while_it_streams(client, live_server, use_fake_openai):
    credentials.set_key("openai", "sk-test")
    assert client.put("/agtos/api/slots", json={"chat": {"provider": "openai", "model": "gpt-fake"}}).status_code == 200
    use_fake_openai.reset()
    use_fake_openai.reply("one two three four five six seven eight nine ten")
    use_fake_openai.set_tokens_per_second(4)
    # A real server: the test client would run the whole stream before handing over its first line.
    with httpx.stream("POST", f"{live_server}/agtos/api/chat/stream", json={"text": "hello"}, timeout=30) as response:
        first = next(line for line in response.iter_lines() if line.startswith("data:"))
        assert '"content"' in first, first  # streaming from the paced upstream, not an early error
        assert guard.streams_in_flight() == 1
    for _ in range(200):  # the stream's end is counted once its generator has closed
        if guard.streams_in_flight() == 0:
            break
        gc.collect()
        time.sleep(0.1)
    assert guard.streams_in_flight() == 0


def test_high_load_defers_the_sweep(client, monkeypatch, memory):
    monkeypatch.setenv("AGENTDECK_AGTOS_MAINTENANCE_MAX_LOAD", "0.000001")
    monkeypatch.setattr("os.getloadavg", lambda: (4.0, 1.0, 1.0))
    response = client.post("/agtos/api/memory/maintain", json={})
    assert response.status_code == 503
    assert response.json()["errorCode"] == "RESOURCES_BUSY"
    assert response.json()["reason"].startswith("high load: ")


def test_an_unreadable_memory_store_is_profile_disconnected(client):
    database.execute_sql("DROP TABLE agtos_memory_conclusion")
    response = client.post("/agtos/api/memory/maintain", json={})
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "Memory maintenance unavailable" and body["errorCode"] == "PROFILE_DISCONNECTED"


def _report(ts: int) -> dict:
    return {"timestamp": ts, "durationMs": 1, "conclusionsExamined": 0, "episodesChecked": 0, "issues": [],
            "summary": {"contradictions": 0, "stale": 0, "orphans": 0, "redundant": 0, "pruned": 0,
                        "decayed": 0, "danglingSources": 0}}


def test_reports_expire_after_30_days_and_keep_at_most_200(client):
    reports.store_report(_report(1_000), "request")
    assert client.get("/agtos/api/memory/maintenance/reports/1000").status_code == 200
    MaintenanceReport.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    expired = client.get("/agtos/api/memory/maintenance/reports/1000")
    assert expired.status_code == 404 and expired.json() == {"error": "Report not found"}
    for ts in range(2_000, 2_205):
        reports.store_report(_report(ts), "schedule")
    assert MaintenanceReport.select().count() == 200
    assert client.get("/agtos/api/memory/maintenance/reports/2004").status_code == 404
    listed = client.get("/agtos/api/memory/maintenance/reports?limit=3").json()
    assert [r["timestamp"] for r in listed["reports"]] == [2204, 2203, 2202] and listed["count"] == 3


def test_report_lookups_check_their_input(client):
    assert client.get("/agtos/api/memory/maintenance/reports/yesterday").status_code == 400
    assert client.get("/agtos/api/memory/maintenance/reports?limit=0").status_code == 400
    assert client.get("/agtos/api/memory/maintenance/reports/5").json() == {"error": "Report not found"}


def test_every_maintenance_operation_needs_the_key_when_one_is_set(api_key, client):
    calls = [("post", "/agtos/api/memory/maintain", {}), ("get", "/agtos/api/memory/maintenance/reports", None),
             ("get", "/agtos/api/memory/maintenance/reports/1000", None)]
    for method, path, body in calls:
        kwargs = {"json": body} if body is not None else {}
        refused = client.request(method, path, **kwargs)
        assert refused.status_code == 401 and refused.json()["error"] == "Unauthorized", path
        assert client.request(method, path, headers={"Authorization": "Bearer nope"}, **kwargs).status_code == 401
    assert client.get("/agtos/api/memory/maintenance/reports", headers=api_key).status_code == 200


def test_the_sweep_forgets_entity_mentions_of_deleted_episodes(client):
    from agentdeck.agtos.entities.extraction import store_extraction
    kept, deleted = _episode(1), _episode(2)
    for n, episode_id in enumerate((kept, deleted)):
        store_extraction({"id": episode_id, "summary": "s", "timestamp": 1000 + n}, [{"name": "Alice", "type": "person"}], [])
    Episode.update(deleted_at=utcnow()).where(Episode.id == deleted).execute()
    assert client.post("/agtos/api/memory/maintain", json={}).status_code == 200
    alice = client.get("/agtos/api/entities").json()["entities"][0]
    assert alice["episodeCount"] == 1 and alice["lastMentioned"] == 1000
