"""The values providers hand back: stream events, completions, model and account descriptions.

A stream is a sequence of ``ContentDelta`` / ``ThinkingDelta`` fragments and whole ``ToolCall``
events, then at most one ``Usage``, then exactly one ``Done`` as the last event. Each event class
has a ``type`` (``content``, ``thinking``, ``tool_call``, ``usage``, ``done``) so surfaces can
serialise events with ``event.to_dict()`` without an isinstance ladder.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import AsyncIterator, ClassVar, Union

#: Finish reasons every provider maps its upstream's vocabulary onto.
FINISH_REASONS = ("stop", "length", "tool_calls", "content_filter")


class _Event:
    type: ClassVar[str]

    def to_dict(self) -> dict:
        """The event as JSON-ready data, with its ``type``."""
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True)
class ContentDelta(_Event):
    """A fragment of the reply text."""

    type: ClassVar[str] = "content"
    text: str


@dataclass(frozen=True)
class ThinkingDelta(_Event):
    """A fragment of the model's visible reasoning (Anthropic thinking, ``reasoning_content``)."""

    type: ClassVar[str] = "thinking"
    text: str


@dataclass(frozen=True)
class ToolCall(_Event):
    """A complete tool call: streamed argument fragments are assembled before it is emitted."""

    type: ClassVar[str] = "tool_call"
    id: str
    name: str
    arguments: dict


@dataclass(frozen=True)
class Usage(_Event):
    """Token counts for the whole request, as the upstream reported them."""

    type: ClassVar[str] = "usage"
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class Done(_Event):
    """The last event: why the model stopped (one of ``FINISH_REASONS``) and the full reply text."""

    type: ClassVar[str] = "done"
    finish_reason: str
    text: str


StreamEvent = Union[ContentDelta, ThinkingDelta, ToolCall, Usage, Done]


@dataclass(frozen=True)
class Completion:
    """A whole reply, as ``Provider.complete`` returns it."""

    text: str
    tool_calls: list[ToolCall]
    usage: Usage | None
    finish_reason: str
    model: str
    thinking: str = ""

    def to_dict(self) -> dict:
        """The completion as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Pricing:
    """Price in US dollars per million tokens; ``None`` where the upstream does not say."""

    input: float | None = None
    output: float | None = None


@dataclass(frozen=True)
class ModelInfo:
    """One model of a provider's catalog; fields the upstream does not expose are ``None``.

    ``capabilities`` uses the words ``chat``, ``tools``, ``vision``, ``thinking``.
    ``deprecation_date`` is an ISO date (``YYYY-MM-DD``) when the upstream announced one.
    """

    id: str
    name: str | None = None
    context_length: int | None = None
    max_output: int | None = None
    capabilities: tuple[str, ...] = ("chat",)
    pricing: Pricing | None = None
    deprecation_date: str | None = None

    def to_dict(self) -> dict:
        """The model as JSON-ready data."""
        data = asdict(self)
        data["capabilities"] = list(self.capabilities)
        return data


@dataclass(frozen=True)
class AccountInfo:
    """What the upstream says about the account behind the key (credits, spend, limits).

    ``balance`` is what is left to spend, in ``currency``; ``raw`` keeps the upstream's own fields.
    """

    balance: float | None = None
    currency: str = "USD"
    total_credits: float | None = None
    total_usage: float | None = None
    limit: float | None = None
    label: str | None = None
    raw: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The account data as JSON-ready data."""
        return asdict(self)


async def collect(events: AsyncIterator[StreamEvent], *, model: str) -> Completion:
    """Drain a stream into a ``Completion`` (closing it even when the caller is cancelled)."""
    text, thinking, calls = [], [], []
    usage, finish = None, "stop"
    try:
        async for event in events:
            if isinstance(event, ContentDelta):
                text.append(event.text)
            elif isinstance(event, ThinkingDelta):
                thinking.append(event.text)
            elif isinstance(event, ToolCall):
                calls.append(event)
            elif isinstance(event, Usage):
                usage = event
            elif isinstance(event, Done):
                finish = event.finish_reason
    finally:
        # An async generator left suspended would keep its HTTP response open until GC.
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    return Completion("".join(text), calls, usage, finish, model, "".join(thinking))
