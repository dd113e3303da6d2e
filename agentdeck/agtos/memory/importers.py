"""Importing other products' exports into episodes, through the memory-importer plugins.

Every importer (``register_memory_importers``) is offered the files under the import folder
(``AGENTDECK_MEMORY_IMPORT_DIR``, default ``<data dir>/import``, searched two levels deep); the
files it ``detect``s are its source. Each memory an importer reads becomes one episode whose
``source_ref`` is ``{"importer", "file", "conversationId"}``. A memory is imported once: an
``ImportRecord`` keyed by importer and the export's own id makes a re-import skip it (a memory
with no id of its own is keyed by its content). A file an importer cannot read is reported in
the result's ``errorDetails`` and the import goes on with the others.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from agentdeck.agtos.memory import episodes
from agentdeck.settings import get_settings
from agentdeck.storage.db import writing
from agentdeck.storage.models.agtos_memory import ImportRecord

log = logging.getLogger(__name__)
HEAD_BYTES = 64 * 1024
MAX_FILES = 200
SUMMARY_CHARS = 2000
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP = frozenset("""the and for that with this you your are was were have has had but not what when
where which who why how can could would should will just about from they them their there then than
into out our ours its it's also been being some any all very more most such only over like get got
let me my mine i'm i've don't does did doing here want need know think make made sure yes okay""".split())


class UnknownSource(ValueError):
    """A source name no importer has."""


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    by_source: Counter = field(default_factory=Counter)

    def document(self) -> dict:
        names = ", ".join(sorted(n for n, c in self.by_source.items() if c)) or "no source"
        return {"imported": self.imported, "skipped": self.skipped, "errors": len(self.errors),
                "message": f"Imported {self.imported} memories from {names}", "errorDetails": self.errors}


def import_dir() -> Path:
    """The folder exports are read from."""
    current = get_settings()
    return Path(current.memory_import_dir or current.data_dir / "import")


def importers() -> dict[str, type]:
    """Importer classes by name."""
    from agentdeck.plugins.manager import get_plugin_manager

    return get_plugin_manager().memory_importers()


def _candidate_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    found = [p for p in sorted(root.glob("*")) + sorted(root.glob("*/*")) if p.is_file()]
    return found[:MAX_FILES]


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(HEAD_BYTES)
    except OSError:
        return b""


def files_for(importer, root: Path) -> list[Path]:
    """The files under ``root`` that ``importer`` recognises."""
    out = []
    for path in _candidate_files(root):
        try:
            if importer.detect(path.relative_to(root).as_posix(), _head(path)):
                out.append(path)
        except Exception:  # a plugin's detect failing must not fail the scan
            log.exception("importer %s failed to look at %s", importer.name, path)
    return out


def _count(importer, path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in importer.read(f))
    except Exception:  # an unreadable export counts as none here; import reports why
        return 0


def scan() -> list[dict]:
    """What each importer finds: ``{name, available, memoryCount, path}``."""
    root = import_dir()
    out = []
    for name, cls in sorted(importers().items()):
        importer = cls()
        files = files_for(importer, root)
        out.append({"name": name, "available": bool(files),
                    "memoryCount": sum(_count(importer, p) for p in files), "path": str(root)})
    return out


def keywords_of(text: str, limit: int = 8) -> list[str]:
    """The most frequent words of ``text`` that are not stop words (for imported episodes)."""
    counts = Counter(w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP)
    return [w for w, _ in counts.most_common(limit)]


def _record_key(importer: str, external_id: str) -> str:
    return hashlib.sha256(f"{importer}\0{external_id}".encode()).hexdigest()


def run_import(sources: list[str] | None = None) -> ImportResult:
    """Import from the named sources (default: every importer that finds files)."""
    known = importers()
    for name in sources or []:
        if name not in known:
            raise UnknownSource(name)
    root = import_dir()
    result = ImportResult()
    for name in sorted(sources or known):
        importer = known[name]()
        for path in files_for(importer, root):
            _import_file(importer, path, root, result)
    return result


def _import_file(importer, path: Path, root: Path, result: ImportResult) -> None:
    relative = path.relative_to(root).as_posix()
    try:
        with path.open("rb") as f:
            memories = list(importer.read(f))
    except Exception as exc:  # a malformed export is reported, not raised
        result.errors.append({"source": importer.name, "file": relative, "error": str(exc) or type(exc).__name__})
        return
    for memory in memories:
        content = memory.get("content") if isinstance(memory, dict) else None
        if not isinstance(content, str) or not content.strip():
            result.errors.append({"source": importer.name, "file": relative, "error": "a memory without content"})
            continue
        external = memory.get("external_id") or hashlib.sha256(content.encode()).hexdigest()
        key = _record_key(importer.name, str(external))
        if ImportRecord.get_or_none(ImportRecord.key == key) is not None:
            result.skipped += 1
            continue
        metadata = memory.get("metadata") or {}
        title = str(metadata.get("title") or "")[:200]
        episode, created = episodes.store(
            summary=content.strip()[:SUMMARY_CHARS], keywords=keywords_of(content), topic=title,
            type="imported", importance=0.5, created_at=memory.get("created_at"), source_kind="import",
            source_ref={"importer": importer.name, "file": relative, "conversationId": str(external)})
        with writing():
            ImportRecord.insert(key=key, importer=importer.name, external_id=str(external)[:255],
                                episode_id=episode.id).on_conflict_ignore().execute()
        if created:
            result.imported += 1
            result.by_source[importer.name] += 1
        else:
            result.skipped += 1
