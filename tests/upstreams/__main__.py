"""Run one fake upstream in the foreground, e.g. as the model server behind a benchmark::

    python -m tests.upstreams openai --port 9100 --tokens-per-second 50 --reply "one two three"

Point agentdeck's provider config at the printed base URL (loopback needs
``AGENTDECK_OUTBOUND_ALLOW_PRIVATE=true``). Stops on Ctrl-C.
"""
from __future__ import annotations

import argparse

import uvicorn

from tests.upstreams import FakeAnthropic, FakeOllama, FakeOpenAI

FAKES = {"openai": FakeOpenAI, "anthropic": FakeAnthropic, "ollama": FakeOllama}


def main(argv=None) -> None:
    """Parse the options, configure the fake and serve it until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.upstreams", description=__doc__.split("\n")[0])
    parser.add_argument("upstream", choices=sorted(FAKES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--tokens-per-second", type=float, default=0.0, help="0: as fast as possible")
    parser.add_argument("--response-delay", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--reply", default=None, help="fixed reply text (default: echo the prompt)")
    parser.add_argument("--api-key", default=None, help="require this key")
    args = parser.parse_args(argv)
    fake = FAKES[args.upstream]()
    fake.set_tokens_per_second(args.tokens_per_second)
    fake.response_delay = args.response_delay
    fake.default_text = args.reply
    fake.api_key = args.api_key
    suffix = "/v1" if args.upstream == "openai" else ""
    print(f"fake {args.upstream} upstream: base_url http://{args.host}:{args.port}{suffix}", flush=True)
    uvicorn.run(fake.app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
