"""Reading messages and tools whatever dialect a caller wrote them in."""
from __future__ import annotations

import pytest

from agentdeck.providers import ProviderBadRequest, ToolCall
from agentdeck.providers.messages import (check_messages, last_user_text, normalize_tools,
                                          openai_tools, parse_arguments, text_of, tool_calls_of)


def test_text_of_strings_parts_and_none():
    assert text_of("hi") == "hi"
    assert text_of([{"type": "text", "text": "a"}, {"type": "image_url"}, {"type": "text", "text": "b"}]) == "ab"
    assert text_of(None) == ""
    with pytest.raises(ProviderBadRequest):
        text_of(42)


@pytest.mark.parametrize("messages", [[], "hi", [{"content": "no role"}], [{"role": "robot", "content": ""}]])
def test_check_messages_refuses_malformed_input(messages):
    with pytest.raises(ProviderBadRequest):
        check_messages(messages)


def test_last_user_text():
    messages = [{"role": "user", "content": "first"}, {"role": "assistant", "content": "x"},
                {"role": "user", "content": [{"type": "text", "text": "second"}]},
                {"role": "assistant", "content": "y"}]
    assert last_user_text(messages) == "second"
    assert last_user_text([{"role": "system", "content": "s"}]) == ""


def test_tool_calls_in_every_shape():
    message = {"role": "assistant", "tool_calls": [
        {"id": "a", "name": "f", "arguments": {"x": 1}},
        {"id": "b", "type": "function", "function": {"name": "g", "arguments": '{"y": 2}'}},
        ToolCall("c", "h", {}),
    ]}
    assert tool_calls_of(message) == [ToolCall("a", "f", {"x": 1}), ToolCall("b", "g", {"y": 2}),
                                      ToolCall("c", "h", {})]
    with pytest.raises(ProviderBadRequest):
        tool_calls_of({"tool_calls": [{"id": "x"}]})


@pytest.mark.parametrize("raw, expected", [
    (None, {}), ("", {}), ({"a": 1}, {"a": 1}), ('{"a": 1}', {"a": 1}),
    ("{broken", {"_raw": "{broken"}), ("[1, 2]", {"_raw": "[1, 2]"}),
])
def test_parse_arguments(raw, expected):
    assert parse_arguments(raw) == expected


def test_tools_in_every_shape():
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    tools = [{"name": "flat", "description": "d", "parameters": schema},
             {"type": "function", "function": {"name": "wrapped", "parameters": schema}},
             {"name": "anthropic", "input_schema": schema},
             {"name": "bare"}]
    normalized = normalize_tools(tools)
    assert [t["name"] for t in normalized] == ["flat", "wrapped", "anthropic", "bare"]
    assert normalized[2]["parameters"] == schema
    assert normalized[3] == {"name": "bare", "description": "",
                             "parameters": {"type": "object", "properties": {}}}
    assert openai_tools(tools[:1]) == [{"type": "function", "function": normalized[0]}]
    with pytest.raises(ProviderBadRequest):
        normalize_tools([{"description": "no name"}])
