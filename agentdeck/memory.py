"""Memory importers: readers that turn another product's export into memories agentdeck can store.

Importers are plugins registered through the ``register_memory_importers`` hook. This module holds
only their base class; the importers themselves, and the code that stores what they read, come
with the memory feature.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar


class MemoryImporter:
    """Base class of memory importers. One instance reads one export; it holds no other state.

    Subclasses set:

    ``name``
        The source format, unique among importers (``chatgpt-export``, ``mem0-json``). Operators
        and API clients choose an importer by this name.
    ``description``
        One line saying what export this reads, shown when importers are listed.
    ``file_suffixes``
        The file name endings the export usually has (``(".json", ".zip")``), a hint for
        ``detect`` and for upload forms; empty when any file may do.

    and implement ``read``; ``detect`` is optional.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    file_suffixes: ClassVar[tuple[str, ...]] = ()

    def detect(self, filename: str, head: bytes) -> bool:
        """Whether this importer recognises the export, given its file name and first bytes.

        Used to suggest an importer when the operator does not name one. The default trusts the
        file name's suffix; override it to look at ``head`` (up to 64 KiB) when suffixes are
        shared with other formats.
        """
        return bool(self.file_suffixes) and filename.lower().endswith(self.file_suffixes)

    def read(self, source: BinaryIO) -> Iterator[dict]:
        """Yield one dict per memory found in ``source`` (a binary file opened for reading).

        Each dict has:

        - ``content`` (str, required): the memory's text, as the user would read it;
        - ``created_at`` (naive UTC ``datetime`` or None): when the source says it was made;
        - ``external_id`` (str or None): the source's own id, so that importing the same export
          twice can skip what is already there;
        - ``metadata`` (dict, JSON-ready): anything else worth keeping (tags, conversation title).

        Read lazily (exports can be large) and raise ``ValueError`` with a message an operator can
        act on when ``source`` is not an export of this format.
        """
        raise NotImplementedError
