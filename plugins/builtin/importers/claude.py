"""The ``claude`` memory importer: Claude's exported conversations and its memory files.

- ``conversations.json`` of a Claude data export: a list of conversations (``uuid``, ``name``,
  ``created_at``, ``chat_messages`` of ``sender`` human/assistant with ``text``); each is one
  memory, keyed by its ``uuid``.
- Memory files: Markdown files in a ``claude`` folder of the import folder (``CLAUDE.md`` and
  other ``*.md``); each non-empty paragraph or list item is one memory.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone

from agentdeck import hookimpl
from agentdeck.memory import MemoryImporter

MAX_CHARS = 8000
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def _message_text(message: dict) -> str:
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    parts = [c.get("text") for c in message.get("content") or [] if isinstance(c, dict)]
    return "\n".join(p for p in parts if isinstance(p, str)).strip()


class ClaudeImporter(MemoryImporter):
    name = "claude"
    description = "Claude's exported conversations.json and its Markdown memory files"
    file_suffixes = (".json", ".md")

    def detect(self, filename: str, head: bytes) -> bool:
        lower = filename.lower()
        if lower.endswith(".md"):
            return "claude" in lower.split("/")[:-1] or lower.endswith("claude.md")
        return lower.endswith("conversations.json") and b'"chat_messages"' in head

    def read(self, source):
        raw = source.read()
        name = getattr(source, "name", "") or ""
        if str(name).lower().endswith(".md"):
            yield from self._memory_file(raw, str(name))
            return
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(data, list):
            raise ValueError("not a Claude export: conversations.json holds a list of conversations")
        for conversation in data:
            if not isinstance(conversation, dict) or not isinstance(conversation.get("chat_messages"), list):
                raise ValueError("not a Claude export: a conversation has no chat_messages")
            title = str(conversation.get("name") or "").strip()
            lines = []
            for message in conversation["chat_messages"]:
                if not isinstance(message, dict):
                    continue
                role = {"human": "user", "assistant": "assistant"}.get(message.get("sender"))
                text = _message_text(message)
                if role and text:
                    lines.append(f"{role}: {text}")
            if not lines:
                continue
            body = "\n".join(lines)
            yield {"content": (f"{title}\n{body}" if title else body)[:MAX_CHARS],
                   "created_at": _time(conversation.get("created_at")),
                   "external_id": str(conversation.get("uuid") or "") or None, "metadata": {"title": title}}

    def _memory_file(self, raw: bytes, name: str):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("a memory file that is not UTF-8 text") from None
        items, paragraph = [], []
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                if paragraph:
                    items.append(" ".join(paragraph))
                    paragraph = []
                continue
            if _BULLET.match(line):
                if paragraph:
                    items.append(" ".join(paragraph))
                    paragraph = []
                items.append(_BULLET.sub("", line).strip())
            else:
                paragraph.append(line.strip())
        if paragraph:
            items.append(" ".join(paragraph))
        file_name = name.rsplit("/", 1)[-1]
        for item in items:
            if item:
                digest = hashlib.sha256(item.encode()).hexdigest()[:32]
                yield {"content": item[:MAX_CHARS], "created_at": None,
                       "external_id": f"{file_name}:{digest}", "metadata": {"title": file_name}}


@hookimpl
def register_memory_importers(register):
    register(ClaudeImporter)
