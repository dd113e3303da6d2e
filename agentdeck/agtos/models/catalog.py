"""The model registry's catalog: the YAML shipped beside this module, or the operator's own
(``AGENTDECK_AGTOS_MODEL_CATALOG``). Read again when the file changes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from agentdeck.settings import get_settings

SHIPPED = Path(__file__).with_name("catalog.yaml")
_ID = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_cache: dict[tuple[str, float], dict[str, "CatalogModel"]] = {}


class CatalogError(ValueError):
    """The catalog file cannot be used (says which entry and why)."""


@dataclass(frozen=True)
class CatalogModel:
    id: str
    name: str
    description: str
    type: str
    family: str
    format: str
    size_bytes: int
    url: str
    sha256: str | None

    @property
    def file_name(self) -> str:
        """The downloaded file's name: the URL's last segment (``model`` when it has none)."""
        name = self.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return name if name and name not in (".", "..") else "model"


def catalog_path() -> Path:
    configured = get_settings().agtos_model_catalog
    return Path(configured) if configured else SHIPPED


def _parse(text: str, source: Path) -> dict[str, CatalogModel]:
    data = yaml.safe_load(text) or {}
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CatalogError(f"{source}: expected a `models` list")
    models: dict[str, CatalogModel] = {}
    for number, entry in enumerate(entries, 1):
        where = f"{source}: model {number}"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where}: expected a mapping")
        model_id = entry.get("id")
        if not isinstance(model_id, str) or not _ID.match(model_id):
            raise CatalogError(f"{where}: `id` must be 1-128 letters, digits, '_' or '-'")
        if model_id in models:
            raise CatalogError(f"{where}: duplicate id {model_id!r}")
        for name in ("name", "type", "family", "format", "url"):
            if not isinstance(entry.get(name), str) or not entry[name]:
                raise CatalogError(f"{where} ({model_id}): `{name}` must be a non-empty string")
        if not entry["url"].startswith(("http://", "https://")):
            raise CatalogError(f"{where} ({model_id}): `url` must be http or https")
        size = entry.get("sizeBytes")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise CatalogError(f"{where} ({model_id}): `sizeBytes` must be a whole number of bytes")
        sha = entry.get("sha256")
        if sha is not None and (not isinstance(sha, str) or not _SHA.match(sha.lower())):
            raise CatalogError(f"{where} ({model_id}): `sha256` must be 64 hex digits")
        models[model_id] = CatalogModel(model_id, entry["name"], str(entry.get("description") or ""),
                                        entry["type"], entry["family"], entry["format"], size,
                                        entry["url"], sha.lower() if sha else None)
    return models


def load() -> dict[str, CatalogModel]:
    """The catalog's models by id, in the file's order; CatalogError when it cannot be used."""
    path = catalog_path()
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise CatalogError(f"model catalog {path} cannot be read: {exc.strerror}") from exc
    if key not in _cache:
        _cache.clear()
        _cache[key] = _parse(path.read_text(encoding="utf-8"), path)
    return _cache[key]
