"""What a chat request may carry, and the user message built from it for the chat slot's provider.

Text is 1-10,000 characters and not only whitespace. ``files`` are images
(``{content: base64, mimeType: "image/...", encoding: "base64"}``); they are sent in the shape of
the provider the chat slot names (OpenAI-compatible ``image_url`` parts for ``openai`` and
``openrouter``, Anthropic image blocks for ``claude``, Ollama's ``images`` list for ``ollama``).
A provider that takes no images (``echo``, other plugins) makes a request with files a 400.
"""
from __future__ import annotations

import base64
import binascii

from agentdeck.errors import InvalidInput
from agentdeck.agtos.chat.limits import TEXT_MAX_CHARS

#: Provider plugins that accept images, by the message shape they read.
IMAGE_DIALECTS = ("openai", "anthropic", "ollama")


def checked_text(value, field: str = "text") -> str:
    """``value`` when it is a non-blank string of at most 10,000 characters; else ``InvalidInput``
    with the reference's message (``Missing or empty required field: <field>``)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Missing or empty required field: {field}")
    if len(value) > TEXT_MAX_CHARS:
        raise InvalidInput(f"Field {field} must be at most {TEXT_MAX_CHARS:,} characters")
    return value


def checked_images(files) -> list[tuple[str, str]]:
    """``(mime type, base64 data)`` of each entry of ``files``; raises ``InvalidInput``."""
    if files is None:
        return []
    if not isinstance(files, list):
        raise InvalidInput("Field files must be an array")
    images = []
    for index, item in enumerate(files):
        where = f"files[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object")
        mime, content = item.get("mimeType"), item.get("content")
        if not isinstance(mime, str) or not mime.startswith("image/"):
            raise InvalidInput(f"{where}: only images are accepted (mimeType image/...)")
        if item.get("encoding", "base64") != "base64":
            raise InvalidInput(f"{where}: encoding must be base64")
        if not isinstance(content, str) or not content:
            raise InvalidInput(f"{where}: content must be base64 data")
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"{where}: content is not valid base64") from None
        images.append((mime, content))
    return images


def user_message(text: str, images: list[tuple[str, str]], provider: str,
                 dialect: str | None) -> dict:
    """The user turn for ``provider`` (a router id) whose plugin is ``dialect``; raises
    ``InvalidInput`` when there are images and the provider takes none."""
    if not images:
        return {"role": "user", "content": text}
    if dialect not in IMAGE_DIALECTS:
        raise InvalidInput(f"The chat model's provider ({provider}) does not accept images")
    if dialect == "ollama":
        return {"role": "user", "content": text, "images": [data for _, data in images]}
    if dialect == "anthropic":
        parts = [{"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}
                 for mime, data in images]
    else:
        parts = [{"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}}
                 for mime, data in images]
    return {"role": "user", "content": [{"type": "text", "text": text}, *parts]}
