"""The message and tool shapes providers accept, and helpers to read them whatever their dialect.

Messages are plain dicts ``{"role", "content"}`` with role ``system``, ``user``, ``assistant`` or
``tool``; ``content`` is a string or a list of ``{"type": "text", "text"}`` parts. An assistant
message may carry ``tool_calls``, each ``{"id", "name", "arguments": dict}`` (the OpenAI shape
``{"id", "type": "function", "function": {"name", "arguments": "<json>"}}`` and ``ToolCall``
objects are read too); a ``tool`` message answers one call through ``tool_call_id``.

Tools are ``{"name", "description", "parameters": <JSON Schema>}``; the OpenAI shape
``{"type": "function", "function": {...}}`` and Anthropic's ``input_schema`` are read too.
"""
from __future__ import annotations

import json

from agentdeck.providers.errors import ProviderBadRequest
from agentdeck.providers.events import ToolCall

ROLES = ("system", "user", "assistant", "tool")
_EMPTY_SCHEMA = {"type": "object", "properties": {}}


def text_of(content) -> str:
    """The plain text of ``content`` (a string, a list of text parts, or None)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content
                       if isinstance(part, dict) and part.get("type", "text") == "text")
    raise ProviderBadRequest(f"message content must be a string or a list of parts, not "
                             f"{type(content).__name__}")


def check_messages(messages) -> list[dict]:
    """``messages`` as a list, after checking each has a known role; raises ``ProviderBadRequest``."""
    if not isinstance(messages, (list, tuple)) or not messages:
        raise ProviderBadRequest("messages must be a non-empty list")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise ProviderBadRequest(f"message {index} needs a role among {', '.join(ROLES)}")
    return list(messages)


def last_user_text(messages: list[dict]) -> str:
    """The text of the last ``user`` message, or ``""``."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def tool_calls_of(message: dict) -> list[ToolCall]:
    """The tool calls an assistant message carries, whichever shape they were written in."""
    calls = []
    for raw in message.get("tool_calls") or []:
        if isinstance(raw, ToolCall):
            calls.append(raw)
            continue
        function = raw.get("function") or {}
        name = raw.get("name") or function.get("name")
        arguments = raw.get("arguments", function.get("arguments"))
        if not name:
            raise ProviderBadRequest("a tool call needs a name")
        calls.append(ToolCall(str(raw.get("id") or ""), name, parse_arguments(arguments)))
    return calls


def parse_arguments(raw) -> dict:
    """Tool-call arguments as a dict: JSON text is parsed; text that is not a JSON object is kept
    under ``"_raw"`` so a malformed call reaches the caller instead of failing the stream."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_raw": raw}


def normalize_tools(tools) -> list[dict]:
    """Tools as ``{"name", "description", "parameters"}``; raises ``ProviderBadRequest`` if unnamed."""
    out = []
    for tool in tools or []:
        spec = tool.get("function", tool) if isinstance(tool, dict) else None
        if not spec or not spec.get("name"):
            raise ProviderBadRequest("each tool needs a name")
        parameters = spec.get("parameters") or spec.get("input_schema") or _EMPTY_SCHEMA
        out.append({"name": spec["name"], "description": spec.get("description") or "",
                    "parameters": parameters})
    return out


def openai_tools(tools) -> list[dict]:
    """Tools in the OpenAI ``{"type": "function", "function": {...}}`` shape (Ollama uses it too)."""
    return [{"type": "function", "function": spec} for spec in normalize_tools(tools)]
