"""The intervention channel: operators queue commands for a live run (viewer API, CLI), the run's
SDK long-polls them with its DSN. Polls go to a real server on loopback, so holding is real."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from click.testing import CliRunner

from agentdeck.augur.commands import CHECK_ENV, HOLD_ENV
from agentdeck.cli import main

from tests.augur.world import API, PASSWORD

HOLD = 0.6


@pytest.fixture
def short_hold(settings, monkeypatch):
    """Polls are held HOLD seconds and re-read the database every 0.1 s."""
    monkeypatch.setenv(HOLD_ENV, str(HOLD))
    monkeypatch.setenv(CHECK_ENV, "0.1")


class Deck:
    """Two tenants on a live server: each with an SDK client (DSN) and a signed-in viewer."""

    def __init__(self, augur, base: str):
        self.base = base
        self.clients: list[httpx.Client] = []
        self.sdk, self.viewer, self.user_ids = {}, {}, {}
        for slug in ("acme", "globex"):
            tenant = augur.tenant(slug)
            self.user_ids[slug] = augur.user(f"user@{slug}.example", tenant).id
            self.sdk[slug] = self._client({"Authorization": f"Bearer {augur.dsn_key(tenant)}"})
            self.viewer[slug] = self._client({})
            login = self.viewer[slug].post(f"{API}/auth/login",
                                           json={"email": f"user@{slug}.example", "password": PASSWORD})
            assert login.status_code == 200, login.text

    def _client(self, headers) -> httpx.Client:
        client = httpx.Client(base_url=self.base, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def open_run(self, slug="acme", run_id="run_abc"):
        response = self.sdk[slug].put(f"{API}/runs/{run_id}/steps/0", json={"step_index": 0})
        assert response.status_code == 200, response.text

    def queue(self, command, slug="acme", run_id="run_abc"):
        return self.viewer[slug].post(f"{API}/runs/{run_id}/commands", json=command)

    def poll(self, slug="acme", run_id="run_abc", cursor=None):
        """``(response, seconds it took)``."""
        params = {} if cursor is None else {"cursor": cursor}
        started = time.monotonic()
        response = self.sdk[slug].get(f"{API}/runs/{run_id}/commands", params=params)
        return response, time.monotonic() - started


@pytest.fixture
def deck(augur, live_server, short_hold):
    world = Deck(augur, live_server)
    yield world
    for client in world.clients:
        client.close()


def test_a_poll_with_nothing_queued_is_held_then_answered_empty(deck):
    deck.open_run()
    response, took = deck.poll()
    assert response.status_code == 200
    assert response.json() == {"commands": [], "cursor": None}
    assert took >= HOLD
    response, took = deck.poll(cursor="7")
    assert response.json() == {"commands": [], "cursor": "7"} and took >= HOLD


def test_a_run_not_opened_yet_is_held_too(deck):
    # Not a 404: the published SDK polls again at once after any answer, with no back-off.
    response, took = deck.poll(run_id="not_yet")
    assert (response.status_code, response.json()) == (200, {"commands": [], "cursor": None})
    assert took >= HOLD


def test_a_queued_command_is_answered_at_once_as_the_sdk_reads_it(deck):
    deck.open_run()
    queued = deck.queue({"type": "inject_hint", "payload": {"text": "Submit is below the fold"}})
    assert queued.status_code == 201, queued.text
    command = queued.json()
    assert command | {"issued_at": None} == {"command_id": "1", "type": "inject_hint", "issued_at": None,
                                            "operator_id": deck.user_ids["acme"],
                                            "payload": {"text": "Submit is below the fold"}}
    assert command["issued_at"].endswith("Z")
    response, took = deck.poll()
    assert response.json() == {"commands": [command], "cursor": "1"}
    assert took < HOLD


def test_a_held_poll_wakes_when_a_command_is_queued(deck, monkeypatch):
    monkeypatch.setenv(HOLD_ENV, "8")
    monkeypatch.setenv(CHECK_ENV, "5")  # waking must not wait for the next database read
    deck.open_run()
    with ThreadPoolExecutor(1) as pool:
        polled = pool.submit(deck.poll)
        time.sleep(0.5)
        assert not polled.done()
        assert deck.queue({"type": "pause"}).status_code == 201
        response, took = polled.result(timeout=10)
    assert [c["type"] for c in response.json()["commands"]] == ["pause"]
    assert 0.5 <= took < 3


def test_a_held_poll_sees_a_command_another_process_queued(deck, monkeypatch):
    # Another worker's commit wakes nobody here: the held poll's database re-read finds it.
    from agentdeck.augur.runs import run_pk
    from agentdeck.augur.tenants import get_tenant
    from agentdeck.storage.models.augur_commands import AugurCommand

    monkeypatch.setenv(HOLD_ENV, "8")
    deck.open_run()
    with ThreadPoolExecutor(1) as pool:
        polled = pool.submit(deck.poll)
        time.sleep(0.5)
        AugurCommand.create(run=run_pk(get_tenant("acme").id, "run_abc"), seq=1, type="kill")
        response, took = polled.result(timeout=10)
    assert [c["command_id"] for c in response.json()["commands"]] == ["1"]
    assert took < 3


def test_cursor_semantics(deck):
    deck.open_run()
    sent = [deck.queue(c).json() for c in ({"type": "pause"}, {"type": "resume"},
                                            {"type": "override_action", "payload": {"coordinates": {"x": 640, "y": 412.5}}})]
    assert [c["command_id"] for c in sent] == ["1", "2", "3"]
    assert "payload" not in sent[0] and sent[2]["payload"] == {"coordinates": {"x": 640, "y": 412.5}}
    assert deck.poll()[0].json() == {"commands": sent, "cursor": "3"}
    assert deck.poll(cursor="")[0].json() == {"commands": sent, "cursor": "3"}
    assert deck.poll(cursor="1")[0].json() == {"commands": sent[1:], "cursor": "3"}
    # at least once: the same cursor gets the same commands again
    assert deck.poll(cursor="1")[0].json() == {"commands": sent[1:], "cursor": "3"}
    response, took = deck.poll(cursor="3")
    assert response.json() == {"commands": [], "cursor": "3"} and took >= HOLD
    # cursors are per run
    deck.open_run(run_id="run_other")
    assert deck.queue({"type": "kill"}, run_id="run_other").json()["command_id"] == "1"
    assert deck.poll(cursor="3")[0].json()["commands"] == []
    assert deck.poll(run_id="run_other")[0].json()["cursor"] == "1"


def test_a_cursor_the_server_never_handed_out_is_422(deck):
    for cursor in ("abc", "-1", "1.5"):
        response, _ = deck.poll(cursor=cursor)
        assert response.status_code == 422 and set(response.json()) == {"detail"}, cursor


def test_concurrent_commands_take_consecutive_cursors(deck):
    deck.open_run()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda i: deck.queue({"type": "inject_hint", "payload": {"text": f"hint {i}"}}),
                                  range(16)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert sorted(int(r.json()["command_id"]) for r in responses) == list(range(1, 17))
    delivered = deck.poll()[0].json()["commands"]
    assert [c["command_id"] for c in delivered] == [str(i) for i in range(1, 17)]


def test_another_tenant_can_neither_queue_for_nor_read_this_tenants_commands(deck):
    deck.open_run()
    assert deck.queue({"type": "kill"}, slug="globex").status_code == 404
    assert deck.queue({"type": "pause"}).status_code == 201
    # globex's key naming acme's run id polls globex's own (unopened) run of that name
    response, took = deck.poll(slug="globex")
    assert response.json() == {"commands": [], "cursor": None} and took >= HOLD
    deck.open_run(slug="globex")
    assert deck.queue({"type": "resume"}, slug="globex").status_code == 201
    assert [c["type"] for c in deck.poll(slug="globex")[0].json()["commands"]] == ["resume"]
    assert [c["type"] for c in deck.poll()[0].json()["commands"]] == ["pause"]


@pytest.mark.parametrize("command", [
    {"type": "stop"},
    {"type": ""},
    {"type": "pause", "payload": {"reason": "x"}},
    {"type": "kill", "payload": {"text": "now"}},
    {"type": "inject_hint"},
    {"type": "inject_hint", "payload": {"text": "  "}},
    {"type": "inject_hint", "payload": {"text": 5}},
    {"type": "inject_hint", "payload": {"text": "hi", "extra": 1}},
    {"type": "inject_hint", "payload": {"text": "x" * 10001}},
    {"type": "override_action", "payload": {"coordinates": {"x": 1}}},
    {"type": "override_action", "payload": {"coordinates": {"x": "1", "y": 2}}},
    {"type": "override_action", "payload": {"coordinates": {"x": True, "y": 2}}},
    {"type": "override_action", "payload": {"coordinates": [1, 2]}},
    {"type": "override_action", "payload": {"x": 1, "y": 2}},
])
def test_a_bad_command_is_400(deck, command):
    deck.open_run()
    response = deck.queue(command)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"detail"}
    assert deck.queue({"type": "pause"}).json()["command_id"] == "1"  # nothing was kept


def test_malformed_bodies_are_422(deck):
    deck.open_run()
    for body in ({}, {"type": 5}, {"type": "pause", "payload": "x"}, {"type": "pause", "extra": 1}, []):
        response = deck.queue(body)
        assert response.status_code == 422 and set(response.json()) == {"detail"}, body


def test_unknown_and_ended_runs(deck):
    assert deck.queue({"type": "pause"}, run_id="nope").status_code == 404
    deck.open_run()
    trace = {"session": {"run_id": "run_abc", "status": "running"}, "steps": []}
    assert deck.sdk["acme"].put(f"{API}/runs/run_abc/trace", json=trace).status_code == 200
    assert deck.queue({"type": "pause"}).status_code == 201
    trace["session"]["status"] = "succeeded"
    assert deck.sdk["acme"].put(f"{API}/runs/run_abc/trace", json=trace).status_code == 200
    ended = deck.queue({"type": "kill"})
    assert ended.status_code == 409 and "ended" in ended.json()["detail"]


def test_who_may_call(deck):
    deck.open_run()
    no_key = httpx.get(f"{deck.base}{API}/runs/run_abc/commands")
    assert no_key.status_code == 401
    bad_key = httpx.get(f"{deck.base}{API}/runs/run_abc/commands", headers={"Authorization": "Bearer " + "0" * 48})
    assert bad_key.status_code == 403
    # queueing takes a viewer session, not a DSN key
    assert deck.sdk["acme"].post(f"{API}/runs/run_abc/commands", json={"type": "pause"}).status_code == 401
    assert deck.viewer["acme"].get(f"{API}/runs/run_abc/commands").status_code == 401


def _cli(*args):
    return CliRunner().invoke(main, ["augur", "command-send", *args], catch_exceptions=False)


def test_cli_command_send(deck):
    deck.open_run()
    sent = _cli("run_abc", "inject_hint", "--tenant", "acme", "--text", "try the other tab", "--json")
    assert sent.exit_code == 0, sent.output
    command = json.loads(sent.stdout)
    assert command | {"issued_at": None} == {"command_id": "1", "type": "inject_hint", "issued_at": None,
                                            "operator_id": "cli", "payload": {"text": "try the other tab"}}
    plain = _cli("run_abc", "override_action", "--tenant", "acme", "--x", "10", "--y", "20.5", "--operator", "ops")
    assert plain.exit_code == 0 and plain.output.strip() == "queued override_action for run run_abc (command 2)"
    delivered = deck.poll()[0].json()["commands"]
    assert delivered[0] == command
    assert delivered[1]["payload"] == {"coordinates": {"x": 10.0, "y": 20.5}} and delivered[1]["operator_id"] == "ops"

    for args, message in ((("run_abc", "inject_hint", "--tenant", "acme"), "inject_hint takes a payload"),
                          (("nope", "pause", "--tenant", "acme"), "not found"),
                          (("run_abc", "pause", "--tenant", "nope"), "not found")):
        failed = _cli(*args)
        assert failed.exit_code == 1 and message in failed.output, failed.output
    assert _cli("run_abc", "pause", "--tenant", "acme", "--text", "x").exit_code == 2
    assert _cli("run_abc", "stop", "--tenant", "acme").exit_code == 2


def test_held_polls_keep_no_worker_thread(deck, monkeypatch):
    # More polls held at once than the server has worker threads (40): had each held poll kept
    # a thread, the last 20 would start only when the first 40 ended, and take twice the hold.
    monkeypatch.setenv(HOLD_ENV, "2")
    deck.open_run()
    with ThreadPoolExecutor(60) as pool:
        results = list(pool.map(lambda _: deck.poll(), range(60)))
    assert all(r.status_code == 200 and r.json()["commands"] == [] for r, _ in results)
    assert all(2 <= took < 3.5 for _, took in results)
