"""Provider streaming benchmark (not a test): how many paced model streams one agentdeck worker
relays, and what it adds to the first token.

Three processes on loopback: a paced OpenAI-compatible upstream (``paced_upstream.py``: a
minimal asyncio HTTP/1.1 server sending ``--tokens`` SSE chunks per stream, one every
1/``--rate`` seconds, the first one after that interval, then usage and ``[DONE]``),
``agentdeck serve`` (``--workers``, SQLite, the Amplifier surface, one session per stream on a
``provider-openai`` config pointing at the upstream) and this load generator. Per run, with the
same load:

- **upstream**: N concurrent streams read straight from the upstream (its own latency);
- **agentdeck**: N concurrent ``POST /amplifier/sessions/{id}/stream``, relayed from the upstream.

N streams start evenly over ``--ramp`` seconds. Printed: streams completed (every token and the
closing event), first-token latency (request sent to first text token) p50 / p99 and what
agentdeck adds over the upstream's own, tokens/s delivered while all N streams are open against
the N x rate offered, CPU seconds of the agentdeck process tree per relayed token (and of the
upstream and this client), the 1-minute load average, and a warning when this load generator was
starved (its event loop lagging or its CPU near one core), which makes the latencies its own.

    python bench/provider_stream.py [--streams 1000] [--rate 5] [--tokens 100] [--ramp 5]
                                    [--workers 1]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from amplifier_stream import make_sessions  # the same Amplifier config and sessions

HERE = os.path.dirname(os.path.abspath(__file__))
AGENTDECK = os.path.join(os.path.dirname(sys.executable), "agentdeck")
TICKS = os.sysconf("SC_CLK_TCK")
LAG_INTERVAL = 0.02  # seconds between the load generator's own loop-lag probes
CPU_INTERVAL = 0.5  # seconds between samples of the server's CPU time

try:
    import uvloop
except ImportError:  # plain asyncio works, with a costlier client
    uvloop = None


# -- the load generator's client --------------------------------------------------------------

@dataclass
class Phase:
    """What one phase (N streams one way) delivered."""

    name: str
    arrivals: list = field(default_factory=list)  # (time, tokens) per read that carried tokens
    results: list = field(default_factory=list)
    lags: list = field(default_factory=list)
    seconds: float = 0.0
    cpu: dict = field(default_factory=dict)  # process -> CPU seconds during the phase
    cpu_samples: list = field(default_factory=list)  # (time, agentdeck CPU seconds) twice a second


class StreamClient(asyncio.Protocol):
    """Sends one POST and counts the token events of its streamed answer, as bytes arrive."""

    def __init__(self, request: bytes, markers: dict, phase: Phase, done: asyncio.Future):
        self.request, self.markers, self.phase, self.done = request, markers, phase, done
        self.buffer = b""
        self.started = time.perf_counter()
        self.first: float | None = None
        self.last: float | None = None
        self.tokens = 0
        self.status_ok: bool | None = None
        self.finished = False
        self.error: str | None = None

    def connection_made(self, transport) -> None:
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        buffer = self.buffer + data
        cut = buffer.rfind(b"\n") + 1
        complete, self.buffer = buffer[:cut], buffer[cut:]
        if self.status_ok is None and complete:
            self.status_ok = b" 200 " in complete[:complete.find(b"\n")]
            if not self.status_ok:
                self.error = complete[:complete.find(b"\r\n")].decode("latin-1")
        count = complete.count(self.markers["token"])
        if count:
            self.tokens += count
            self.first = self.first or now
            self.last = now
            self.phase.arrivals.append((now, count))
        if self.markers["end"] in complete:
            self.finished = True
        if self.markers["error"] in complete and self.error is None:
            self.error = complete.decode("utf-8", "replace")[:200]

    def connection_lost(self, exc) -> None:
        if not self.done.done():
            self.done.set_result(self)


async def one_stream(port: int, request: bytes, markers: dict, phase: Phase, delay: float):
    """Start one stream after ``delay`` seconds and wait for it to end."""
    await asyncio.sleep(delay)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    client = StreamClient(request, markers, phase, done)
    try:
        await loop.create_connection(lambda: client, "127.0.0.1", port)
    except OSError as exc:
        client.error = repr(exc)
        return client
    return await done


def post(path: str, body: dict) -> bytes:
    """An HTTP/1.1 POST of JSON that asks the server to close the connection after answering."""
    payload = json.dumps(body).encode()
    return (b"POST %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (path.encode(), len(payload), payload))


async def lag_probe(phase: Phase, stop: asyncio.Event) -> None:
    """How late this process's event loop wakes up: when it is busy, its timings are too."""
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(LAG_INTERVAL)
        phase.lags.append(time.perf_counter() - before - LAG_INTERVAL)


async def cpu_probe(phase: Phase, pid: int, stop: asyncio.Event) -> None:
    """The server's CPU time, sampled, to tell its cost per token from its cost per stream."""
    while not stop.is_set():
        phase.cpu_samples.append((time.perf_counter(), cpu_seconds(pid)))
        await asyncio.sleep(CPU_INTERVAL)


async def run_phase(name: str, port: int, requests: list[bytes], markers: dict, ramp: float,
                    processes: dict) -> Phase:
    """Start ``requests`` evenly over ``ramp`` seconds and wait for every stream to end."""
    phase, stop = Phase(name), asyncio.Event()
    probe = asyncio.create_task(lag_probe(phase, stop))
    sampler = asyncio.create_task(cpu_probe(phase, processes["agentdeck"], stop))
    cpu_before = {label: cpu_seconds(pid) for label, pid in processes.items()}
    started = time.perf_counter()
    count = len(requests)
    phase.results = await asyncio.gather(*[one_stream(port, request, markers, phase, ramp * i / count)
                                           for i, request in enumerate(requests)])
    phase.seconds = time.perf_counter() - started
    phase.cpu = {label: cpu_seconds(pid) - cpu_before[label] for label, pid in processes.items()}
    stop.set()
    await asyncio.gather(probe, sampler)
    return phase


UPSTREAM_MARKERS = {"token": b'"delta": {"content": "', "end": b"data: [DONE]", "error": b'"error"'}
AGENTDECK_MARKERS = {"token": b'"type": "provider:stream:delta"', "end": b'"type": "done"',
                     "error": b'"type": "error"'}


# -- processes ----------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and every live process below it."""
    total, family = 0.0, {pid}
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    grew = True
    while grew:  # children, grandchildren, ...
        grew = False
        for child, (parent, _) in stats.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    for member in family:
        total += stats.get(member, (0, 0.0))[1]
    return total


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, what: str, seconds: float = 60) -> None:
    """Return once ``port`` accepts connections; raise if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def start_upstream(port: int, rate: float, tokens: int) -> subprocess.Popen:
    """The paced upstream (``paced_upstream.py``), in its own process."""
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "paced_upstream.py"), "--port", str(port),
                             "--rate", str(rate), "--tokens", str(tokens)], stdout=subprocess.DEVNULL)
    wait_for_port(port, proc, "the upstream")
    return proc


def start_agentdeck(data_dir: str, port: int, workers: int) -> subprocess.Popen:
    """``agentdeck serve`` with only the Amplifier surface, SQLite in ``data_dir``."""
    env = {**os.environ, "AGENTDECK_DATA_DIR": data_dir, "AGENTDECK_SURFACES": "amplifier",
           "AGENTDECK_OUTBOUND_ALLOW_PRIVATE": "true", "AGENTDECK_LOG_LEVEL": "WARNING",
           "AGENTDECK_MAINTENANCE_INTERVAL": "0", "BENCH_UPSTREAM_KEY": "sk-bench"}
    log = open(os.path.join(data_dir, "server.log"), "w")
    proc = subprocess.Popen([AGENTDECK, "serve", "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port, proc, f"agentdeck (see {data_dir}/server.log)")
    return proc


def percentile(values: list, pct: float) -> float:
    """The ``pct`` percentile of ``values`` (nearest rank), NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def first_tokens(phase: Phase) -> list[float]:
    """Seconds from each request to its first text token."""
    return [r.first - r.started for r in phase.results if r.first is not None]


def all_open(phase: Phase) -> tuple[float, float] | None:
    """When every stream of the phase was open and streaming (from the last first token to the
    first last token), or None when that is under a second."""
    firsts = [r.first for r in phase.results if r.first is not None]
    lasts = [r.last for r in phase.results if r.last is not None]
    if not firsts or min(lasts) - max(firsts) < 1.0:
        return None
    return max(firsts), min(lasts)


def steady_rate(phase: Phase) -> float | None:
    """Tokens/s delivered while every stream was open (None without such a window)."""
    window = all_open(phase)
    if window is None:
        return None
    start, end = window
    return sum(n for t, n in phase.arrivals if start < t <= end) / (end - start)


def steady_cpu_per_token(phase: Phase) -> float | None:
    """Server CPU seconds per token while every stream was open: relaying alone, no stream
    starting or ending (None without a window spanning two CPU samples)."""
    window = all_open(phase)
    if window is None:
        return None
    inside = [(t, cpu) for t, cpu in phase.cpu_samples if window[0] <= t <= window[1]]
    if len(inside) < 2:
        return None
    (t0, cpu0), (t1, cpu1) = inside[0], inside[-1]
    tokens = sum(n for t, n in phase.arrivals if t0 < t <= t1)
    return (cpu1 - cpu0) / tokens if tokens else None


def describe(phase: Phase, tokens: int, rate: float) -> str:
    """One line: completion, first-token latency, delivered tokens/s against the offer."""
    complete = sum(1 for r in phase.results if r.finished and r.tokens == tokens and r.error is None)
    firsts = first_tokens(phase)
    delivered, offered = steady_rate(phase), len(phase.results) * rate
    if delivered is not None:
        share = f"{delivered:7.0f} tokens/s = {100 * delivered / offered:5.1f} % of {offered:.0f} offered"
    else:  # the last streams started after the first ended: say what the whole phase delivered
        times = [t for t, _ in phase.arrivals]
        overall = sum(n for _, n in phase.arrivals) / max(max(times, default=1) - min(times, default=0), 1e-9)
        share = f"{overall:7.0f} tokens/s over the phase (never all {len(phase.results)} open at once)"
    errors = [r.error for r in phase.results if r.error]
    line = (f"{phase.name:<10} complete {complete:>5}/{len(phase.results):<5} first token "
            f"p50 {1000 * percentile(firsts, 50):7.1f} ms  p99 {1000 * percentile(firsts, 99):7.1f} ms  "
            f"{share}")
    if errors:
        line += f"\n           {len(errors)} errors, e.g. {errors[0]}"
    return line


def report(direct: Phase, relayed: Phase, tokens: int, rate: float) -> list[str]:
    """What agentdeck adds, what it costs, and whether the measurement can be trusted."""
    base, via = first_tokens(direct), first_tokens(relayed)
    relayed_tokens = sum(r.tokens for r in relayed.results) or 1
    lines = [describe(direct, tokens, rate), describe(relayed, tokens, rate),
             f"added first-token latency: p50 {1000 * (percentile(via, 50) - percentile(base, 50)):+.1f} ms"
             f"  p99 {1000 * (percentile(via, 99) - percentile(base, 99)):+.1f} ms",
             f"agentdeck CPU: {relayed.cpu['agentdeck']:.2f} s for {relayed_tokens} relayed tokens = "
             f"{1e6 * relayed.cpu['agentdeck'] / relayed_tokens:.0f} us per token "
             f"({100 * relayed.cpu['agentdeck'] / relayed.seconds:.0f} % of a core over {relayed.seconds:.1f} s); "
             f"upstream {relayed.cpu['upstream']:.2f} s, load generator {relayed.cpu['client']:.2f} s"]
    per_token = steady_cpu_per_token(relayed)
    if per_token is not None:
        per_stream = (relayed.cpu["agentdeck"] - per_token * relayed_tokens) / len(relayed.results)
        lines.append(f"  of which relaying, while every stream was open: {1e6 * per_token:.0f} us per token; "
                     f"the rest, starting and ending streams: {1000 * per_stream:.1f} ms per stream")
    for phase in (direct, relayed):
        lag99, lag_max = percentile(phase.lags, 99), max(phase.lags, default=0.0)
        client_share = phase.cpu["client"] / phase.seconds
        starved = lag99 > 0.01 or client_share > 0.9
        lines.append(f"load generator ({phase.name}): loop lag p99 {1000 * lag99:.1f} ms, max "
                     f"{1000 * lag_max:.1f} ms, CPU {100 * client_share:.0f} % of a core"
                     + ("  ** STARVED: latencies above include the load generator's own delay **"
                        if starved else ""))
    lines.append(f"load average (1 min) {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    return lines


async def bench(args) -> None:
    """Start the upstream and agentdeck, then measure each level both ways."""
    levels = [int(n) for n in args.streams.split(",")]
    upstream_port, port = free_port(), free_port()
    upstream = start_upstream(upstream_port, args.rate, args.tokens)
    data_dir = tempfile.mkdtemp(prefix="agentdeck-bench-")
    server = start_agentdeck(data_dir, port, args.workers)
    try:
        sessions = await make_sessions(port, f"http://127.0.0.1:{upstream_port}/v1", max(levels) + 1)
        direct_request = post("/v1/chat/completions", {"model": "gpt-fake", "stream": True,
                                                        "messages": [{"role": "user", "content": "go"}]})
        processes = {"agentdeck": server.pid, "upstream": upstream.pid}
        print(f"upstream: {args.tokens} tokens a stream at {args.rate:g} tokens/s, streams start over "
              f"{args.ramp:g} s; agentdeck: {args.workers} worker(s), SQLite, provider-openai\n")
        # One stream each way first: the first use of a provider imports the client library.
        await measured("warm-up", upstream_port, [direct_request], UPSTREAM_MARKERS, 0, processes)
        await measured("warm-up", port, [post(f"/amplifier/sessions/{sessions[-1]}/stream", {"message": "go"})],
                       AGENTDECK_MARKERS, 0, processes)
        for count in levels:
            direct = await measured("upstream", upstream_port, [direct_request] * count,
                                    UPSTREAM_MARKERS, args.ramp, processes)
            relayed = await measured("agentdeck", port,
                                     [post(f"/amplifier/sessions/{sid}/stream", {"message": "go"})
                                      for sid in sessions[:count]],
                                     AGENTDECK_MARKERS, args.ramp, processes)
            print(f"{count} concurrent streams")
            print("\n".join(report(direct, relayed, args.tokens, args.rate)) + "\n", flush=True)
    finally:
        server.terminate()
        upstream.terminate()
        server.wait(timeout=20)
        upstream.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


async def measured(name: str, port: int, requests: list[bytes], markers: dict, ramp: float,
                   processes: dict) -> Phase:
    """``run_phase``, with this process's own CPU time added as ``client``."""
    before = time.process_time()
    phase = await run_phase(name, port, requests, markers, ramp, processes)
    phase.cpu["client"] = time.process_time() - before
    return phase


def raise_open_file_limit() -> None:
    """Each stream holds two sockets in agentdeck and one here: lift the soft limit to the hard."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main() -> None:
    """Parse the arguments and run the bench."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", default="1000", help="concurrency levels, comma-separated")
    parser.add_argument("--rate", type=float, default=5.0, help="upstream tokens/s per stream")
    parser.add_argument("--tokens", type=int, default=100, help="tokens in every stream")
    parser.add_argument("--ramp", type=float, default=5.0,
                        help="seconds over which the streams of a level start (0: all at once)")
    parser.add_argument("--workers", type=int, default=1, help="agentdeck worker processes")
    args = parser.parse_args()
    raise_open_file_limit()
    if uvloop is not None:
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
