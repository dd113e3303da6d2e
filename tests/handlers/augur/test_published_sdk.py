"""The published ``augur-sdk`` streams a real run, the way its README shows, to agentdeck on
loopback (any network call beyond loopback refused); an operator steers the live run through the
intervention channel; then the viewer API reads the run back and it matches the bundle the SDK
wrote locally, file for file."""
from __future__ import annotations

import io
import ipaddress
import json
import socket
import tarfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from agentdeck.augur.commands import HOLD_ENV

from tests.augur.world import PASSWORD, png_bytes

augur_sdk = pytest.importorskip("augur_sdk")

RUN_ID = "run_published_sdk"
STEPS = 4
API = "/augur/api/v1"


def _loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch):
    """Refuse every connection and name lookup beyond loopback; yields what was refused."""
    refused: list = []
    real_connect, real_connect_ex, real_getaddrinfo = (socket.socket.connect, socket.socket.connect_ex,
                                                       socket.getaddrinfo)

    def allowed(sock, address) -> bool:
        return sock.family == getattr(socket, "AF_UNIX", None) or _loopback(address[0])

    def connect(sock, address):
        if not allowed(sock, address):
            refused.append(address)
            raise ConnectionRefusedError(f"no network beyond loopback in this test: {address!r}")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if not allowed(sock, address):
            refused.append(address)
            return 111  # ECONNREFUSED
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            refused.append(host)
            raise socket.gaierror(f"no name lookups beyond loopback in this test: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield refused


class Operator:
    """The viewer side: a signed-in user of the tenant, on the same loopback server."""

    def __init__(self, base: str, email: str):
        self.http = httpx.Client(base_url=base, timeout=30)
        login = self.http.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text

    def send(self, command: dict) -> dict:
        response = self.http.post(f"{API}/runs/{RUN_ID}/commands", json=command)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, path: str) -> httpx.Response:
        return self.http.get(f"{API}/runs/{RUN_ID}/{path}")


class RecordingAdapter:
    """An adapter implementing the SDK's intervention hooks; each call is kept, in order."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.arrived = threading.Condition()

    def _record(self, *call):
        with self.arrived:
            self.calls.append(call)
            self.arrived.notify_all()

    def on_pause(self):
        self._record("pause")

    def on_resume(self):
        self._record("resume")

    def on_kill(self):
        self._record("kill")

    def on_inject_hint(self, hint_text):
        self._record("inject_hint", hint_text)

    def on_action_override(self, coordinates, *, provenance):
        self._record("override_action", coordinates, provenance)

    def wait_for(self, count: int, timeout: float = 15) -> list[tuple]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.calls) >= count, timeout), self.calls
            return list(self.calls)


def _step(i: int, pre: str, post: str, hint: str | None) -> dict:
    """A StepTrace shaped like the README's example."""
    return {
        "step_id": f"{RUN_ID}/step/{i:04d}",
        "step_index": i,
        "step_type": "click",
        "intent": hint or f"Click button {i}",
        "status": "succeeded",
        "started_at": f"2026-05-19T00:00:{i:02d}Z",
        "observation_pre": pre,
        "observation_post": post,
        "action": {"type": "click", "params": {"x": 100 + i, "y": 200},
                   "coordinate_space": "viewport_css_px", "dispatch_backend": "playwright"},
        "grounding": {"provider": "myagent", "provenance": "screenshot"},
        "verdict": {"status": "passed"},
    }


def _record_step(session, i: int, hint: str | None, logs: list[str]) -> None:
    """Everything the agent records for step ``i``, through the SDK's public calls."""
    pre = session.attach_observation(step_index=i, kind="pre", png_bytes=png_bytes(seed=2 * i))
    post = session.attach_observation(step_index=i, kind="post", png_bytes=png_bytes(seed=2 * i + 1))
    session.record_step(_step(i, pre, post, hint))
    session.record_event({"ts": f"2026-05-19T00:00:{i:02d}.100Z", "step_index": i, "layer": "planner",
                          "kind": "decision", "summary": f"click button {i}", "detail": {"x": 100 + i}})
    session.record_event({"ts": f"2026-05-19T00:00:{i:02d}.200Z", "step_index": i, "layer": "verifier",
                          "kind": "observation", "summary": "button pressed"})
    session.record_modelio({"request": {"model": "planner-large",
                                        "messages": [{"role": "user", "content": f"step {i}: what next?"}]},
                            "response": {"text": f"click button {i}"}, "duration_ms": 120 + i},
                           step_index=i, layer="planner")
    logs.append(f"step {i}: clicked ✓\n")
    session.append_log(logs[-1], step_index=i)
    session.record_reasoning(i, f"Button {i} is what the task names next.", tokens=40 + i,
                             format="claude_extended_thinking", model="planner-large")
    session.record_judge_decision(i, judge_id="verifier", judge_type="rule", verdict={"status": "passed"},
                                  confidence=0.9, evidence_refs=[post])
    session.set_costs(total_usd=0.01 * (i + 1), tokens_in=1000 * (i + 1), tokens_out=50 * (i + 1))
    charge = session.declare_side_effect(i, "payments", "charge", idempotency_key=f"charge-{i}")
    if i < STEPS - 1:
        session.commit_side_effect(charge, {"charged": True, "amount_cents": 100 * i})


def _stream_run(dsn: str, out_dir: Path, operator: Operator) -> tuple[RecordingAdapter, list[dict], list[str]]:
    """One run streamed by the SDK; the operator sends commands while it is live."""
    from augur_sdk import CaptureMode, DebugSession

    adapter, sent, logs, hint = RecordingAdapter(), [], [], None
    with DebugSession(run_id=RUN_ID, client_name="myagent", client_version="1.4.0",
                      capture_mode=CaptureMode.FULL, out_dir=out_dir, dsn=dsn) as session:
        assert session.bind_intervention(adapter, poll_timeout=5) is not None
        for i in range(STEPS):
            _record_step(session, i, hint, logs)
            if i == 1:
                # Before close() (and so before the SDK sends its manifest) the viewer already
                # lists the live run and reads the steps streamed so far.
                _eventually(lambda: _listed(operator))  # its client fields come with the manifest
                _eventually(lambda: _assert_ok(operator.get("steps/0001.json")))
                assert operator.get("trace.json").json()["session"]["status"] == "running"
                # The operator steers the live run; the SDK's held poll answers at once.
                sent.append(operator.send({"type": "inject_hint", "payload": {"text": "use the other tab"}}))
                hint = adapter.wait_for(1)[0][1]
                sent.append(operator.send({"type": "override_action",
                                           "payload": {"coordinates": {"x": 640, "y": 412.5}}}))
                adapter.wait_for(2)
            if i == 2:
                sent += [operator.send({"type": "pause"}), operator.send({"type": "resume"})]
                adapter.wait_for(4)
                session.mark_for_eval(2, "the agent needed a hint", candidate_cluster_id="hint-needed")
        session.finalize_outcome(scope="step", step_index=1)
        # The last charge is still pending: the kill aborts it before the adapter's on_kill.
        sent.append(operator.send({"type": "kill"}))
        adapter.wait_for(5)
        session.record_event({"ts": "2026-05-19T00:00:59Z", "layer": "runner", "kind": "info",
                              "summary": "run killed"})
        session.finalize_outcome(scope="session", verdict={"status": "failed", "reason": "killed"},
                                 task_class="checkout")
        session.set_status("halted")
    return adapter, sent, logs


def _listed(operator: Operator) -> dict:
    runs = operator.http.get(f"{API}/runs").json()["runs"]
    found = [run for run in runs if run["run_id"] == RUN_ID]
    assert found, runs
    return found[0]


def _assert_ok(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text


def _eventually(check, timeout: float = 20):
    """``check()``'s result once it stops raising AssertionError (the SDK's calls are in flight)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _jsonl(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _unordered(records: list) -> list:
    return sorted(records, key=lambda r: json.dumps(r, sort_keys=True))


def _bundle_files(out_dir: Path) -> dict[str, Path]:
    return {p.relative_to(out_dir).as_posix(): p for p in out_dir.rglob("*") if p.is_file()}


def _compare(operator: Operator, out_dir: Path) -> None:
    for path, local in _bundle_files(out_dir).items():
        if path in ("AGENT.md",) or path.startswith("schema/"):
            continue  # written for readers of the local bundle; never streamed
        response = operator.get(path)
        assert response.status_code == 200, (path, response.text)
        if path.endswith(".png"):
            assert response.content == local.read_bytes(), path
        elif path.endswith(".jsonl"):
            # the same records; the server keeps them in arrival order, which the SDK leaves open
            assert _unordered(_jsonl(response.text)) == _unordered(_jsonl(local.read_text())), path
        else:
            assert response.json() == json.loads(local.read_text()), path


def _compare_further_streams(operator: Operator, out_dir: Path) -> None:
    """What the bundle keeps inside other files: the cost roll-up (in the session record and the
    manifest) and each step's judge decisions (in the step record)."""
    trace = json.loads((out_dir / "trace.json").read_text())
    assert trace["session"]["status"] == "halted"
    assert operator.get("costs.json").json() == trace["session"]["costs"] == {
        "total_usd": 0.01 * STEPS, "tokens_in": 1000 * STEPS, "tokens_out": 50 * STEPS}
    for step in trace["steps"]:
        served = _jsonl(operator.get(f"judge_decisions/{step['step_index']:04d}.jsonl").text)
        assert served == [{**d, "step_index": step["step_index"]} for d in step["judge_decisions"]]
        assert step["verdict_source"] == "rule:verifier"
    side_effects = {p.name: json.loads(p.read_text()) for p in (out_dir / "side_effects").iterdir()}
    assert sorted(s["status"] for s in side_effects.values()) == ["aborted"] + ["committed"] * (STEPS - 1)
    outcomes = json.loads((out_dir / "outcomes.json").read_text())["outcomes"]
    assert [o["scope"] for o in outcomes] == ["step", "session"]
    assert json.loads((out_dir / "eval_candidates.json").read_text())["candidates"][0]["step_index"] == 2
    assert len(_jsonl((out_dir / "events/reasoning.jsonl").read_text())) == STEPS


def test_a_run_streamed_by_the_published_sdk_reads_back_as_its_local_bundle(
        augur, live_server, loopback_only, tmp_path, monkeypatch):
    monkeypatch.setenv(HOLD_ENV, "1")
    tenant = augur.tenant("acme")
    operator_id = augur.user("ops@acme.example", tenant).id
    dsn = f"{live_server}/augur/api/v1?token={augur.dsn_key(tenant)}&tenant=acme"
    operator = Operator(live_server, "ops@acme.example")
    out_dir = tmp_path / "bundle"
    with pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # the guard is on
    loopback_only.clear()

    adapter, sent, logs = _stream_run(dsn, out_dir, operator)

    # The commands reached the live run as queued, with the provenance the SDK guarantees.
    assert adapter.calls == [("inject_hint", "use the other tab"),
                             ("override_action", {"x": 640.0, "y": 412.5}, "human_override"),
                             ("pause",), ("resume",), ("kill",)]
    assert [c["command_id"] for c in sent] == ["1", "2", "3", "4", "5"]
    assert json.loads((out_dir / "steps/0002.json").read_text())["intent"] == "use the other tab"

    # Everything the SDK wrote locally reads back the same through the viewer API.
    _eventually(lambda: _compare(operator, out_dir))
    audit = {e["summary"]: e for e in _jsonl((out_dir / "events/run.jsonl").read_text())}
    assert set(audit) == {"intervention.inject_hint", "intervention.override_action", "intervention.pause",
                          "intervention.resume", "intervention.kill", "run killed"}
    for command in sent:
        assert audit[f"intervention.{command['type']}"]["detail"] == {
            "command_id": command["command_id"], "operator_id": operator_id, "payload": command.get("payload", {})}
        assert audit[f"intervention.{command['type']}"]["ts"] == command["issued_at"]
    for i, text in enumerate(logs):
        assert operator.get(f"logs/step-{i}.log").text == text
    _compare_further_streams(operator, out_dir)

    # The viewer's list and the stored bundle agree with the SDK too.
    manifest = json.loads((out_dir / "manifest.json").read_text())
    listed = operator.http.get(f"{API}/runs").json()["runs"]
    assert [r["run_id"] for r in listed] == [RUN_ID] and listed[0]["step_count"] == STEPS
    archive = operator.get("export.tar.gz")
    assert archive.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
        names = {n.removeprefix(f"{RUN_ID}/") for n in tar.getnames()}
        tar.extractall(tmp_path / "served", filter="data")
    streamed = {p for p in manifest["signatures"] if p != "AGENT.md" and not p.startswith("schema/")}
    assert streamed <= names and "diagnostics/findings.json" in names
    from augur_sdk.validation import validate_bundle

    # As valid as the SDK's own bundle (0.6.1's validator takes events/reasoning.jsonl, which it
    # writes itself, for decision events), and its findings.json as well.
    assert validate_bundle(tmp_path / "served" / RUN_ID) == validate_bundle(out_dir)

    assert loopback_only == [], "the SDK or the server reached beyond loopback"
