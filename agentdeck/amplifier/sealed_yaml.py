"""Config YAML at rest: sealed with the server key (``agentdeck.secretbox``), opened on read.

A config may carry a provider's key as a literal (``api_key: sk-...``) instead of a ``${VAR}``,
and the YAML is a bundle of many plugins' settings: a secret can also sit under another name
(``token``, ``password``, a header) or inside a ``base_url``. Telling secrets apart reliably is
not possible, so every config's YAML, and each session's copy of it, is stored sealed; sealing a
bundle of a few hundred bytes takes microseconds.

Reads return the YAML exactly as the client sent it: the reference's ``GET /configs/{id}``
returns the full YAML, and clients edit a config by reading it, changing it and sending it back.

Rows written before sealing (or by a worker of an older release during an upgrade) hold plain
YAML; they are still read as they are. A plain bundle can never look sealed: a sealed value is
``v1:`` and base64 with no blank or line break, which YAML reads as one plain string, never as
the mapping with ``bundle.name`` that every stored config is checked to be.
"""
from __future__ import annotations

import re

from agentdeck import secretbox

_SEALED = re.compile(r"v1:[A-Za-z0-9+/]+={0,2}")


def seal_yaml(yaml_content: str) -> str:
    """The form of ``yaml_content`` to store."""
    return secretbox.seal(yaml_content)


def is_sealed(stored: str) -> bool:
    """True for a value made by ``seal_yaml``, False for YAML stored in clear."""
    return _SEALED.fullmatch(stored) is not None


def open_yaml(stored: str) -> str:
    """The YAML as sent, from a stored value sealed or (written before sealing) in clear."""
    return secretbox.unseal(stored) if is_sealed(stored) else stored
