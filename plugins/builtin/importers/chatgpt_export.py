"""The ``chatgpt-export`` memory importer: the ``conversations.json`` of a ChatGPT data export.

Each conversation is one memory: its title and its messages' text in order (the branch that
ends at ``current_node``; other branches are edits the user left behind), with the
conversation's id as the memory's id.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from agentdeck import hookimpl
from agentdeck.memory import MemoryImporter

MAX_CHARS = 8000


def _text(message: dict) -> str:
    content = message.get("content") or {}
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list):
        return ""
    return "\n".join(p for p in parts if isinstance(p, str)).strip()


def _branch(mapping: dict, current: str | None) -> list[dict]:
    if current not in mapping:  # no current node: the nodes in their order in the file
        return [node.get("message") or {} for node in mapping.values() if isinstance(node, dict)]
    chain, seen = [], set()
    while current in mapping and current not in seen:
        seen.add(current)
        node = mapping[current] if isinstance(mapping[current], dict) else {}
        chain.append(node.get("message") or {})
        current = node.get("parent")
    return chain[::-1]


def _time(value) -> datetime | None:
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value, tz=timezone.utc).replace(tzinfo=None)
    return None


class ChatGPTExportImporter(MemoryImporter):
    name = "chatgpt-export"
    description = "The conversations.json of a ChatGPT data export (Settings → Data controls → Export)"
    file_suffixes = (".json",)

    def detect(self, filename: str, head: bytes) -> bool:
        return filename.lower().endswith("conversations.json") and b'"mapping"' in head

    def read(self, source):
        try:
            data = json.load(source)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(data, list):
            raise ValueError("not a ChatGPT export: conversations.json holds a list of conversations")
        for conversation in data:
            if not isinstance(conversation, dict) or not isinstance(conversation.get("mapping"), dict):
                raise ValueError("not a ChatGPT export: a conversation has no mapping")
            title = str(conversation.get("title") or "").strip()
            lines = []
            for message in _branch(conversation["mapping"], conversation.get("current_node")):
                role = ((message.get("author") or {}).get("role")) if isinstance(message, dict) else None
                text = _text(message) if role in {"user", "assistant"} else ""
                if text:
                    lines.append(f"{role}: {text}")
            if not lines:
                continue
            body = "\n".join(lines)
            content = (f"{title}\n{body}" if title else body)[:MAX_CHARS]
            yield {"content": content, "created_at": _time(conversation.get("create_time")),
                   "external_id": str(conversation.get("conversation_id") or conversation.get("id") or "") or None,
                   "metadata": {"title": title}}


@hookimpl
def register_memory_importers(register):
    register(ChatGPTExportImporter)
