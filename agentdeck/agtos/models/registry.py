"""The model registry: the catalog's models and which of them are downloaded on this host.

A model is downloaded when ``<models dir>/<id>/<file>`` exists; that file only ever appears by
renaming a download whose SHA-256 matched the catalog (``download``), so a file in place is a
whole, verified one. A download in progress keeps ``<models dir>/.partial/<id>.part`` (kept
after a failure so the next attempt resumes it) and holds ``<id>.lock`` there.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from agentdeck.agtos.models import catalog
from agentdeck.agtos.models.catalog import CatalogModel
from agentdeck.errors import DomainError, InvalidInput, NotFound
from agentdeck.settings import get_settings

PARTIAL = ".partial"


class CatalogUnusable(DomainError):
    """The configured catalog file cannot be read (500, with why)."""

    status = 500

    def __init__(self, reason: str):
        super().__init__("Model catalog unusable", details=[{"message": reason}])


def models_dir() -> Path:
    settings = get_settings()
    return Path(settings.agtos_models_dir) if settings.agtos_models_dir else Path(settings.data_dir) / "agtos-models"


def all_models() -> dict[str, CatalogModel]:
    try:
        return catalog.load()
    except catalog.CatalogError as exc:
        raise CatalogUnusable(str(exc)) from exc


def find(model_id: str, *, unknown_status: int = 404) -> CatalogModel:
    """The catalog's model ``model_id``; NotFound (or InvalidInput for a download) otherwise."""
    model = all_models().get(model_id) if isinstance(model_id, str) else None
    if model is None:
        error = InvalidInput if unknown_status == 400 else NotFound
        raise error("Unknown model ID", details=[{"modelId": model_id}])
    return model


def model_path(model: CatalogModel) -> Path:
    return models_dir() / model.id


def file_path(model: CatalogModel) -> Path:
    return model_path(model) / model.file_name


def partial_path(model_id: str) -> Path:
    return models_dir() / PARTIAL / f"{model_id}.part"


def lock_path(model_id: str) -> Path:
    return models_dir() / PARTIAL / f"{model_id}.lock"


def is_downloaded(model: CatalogModel) -> bool:
    return file_path(model).is_file()


def is_downloading(model_id: str) -> bool:
    """True while some process (any worker on this host) holds the model's download lock."""
    path = lock_path(model_id)
    if not path.exists():
        return False
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def _size_mb(size: int) -> float:
    return round(size / (1024 * 1024), 1)


def _size(model: CatalogModel) -> int:
    path = file_path(model)
    return path.stat().st_size if path.is_file() else model.size_bytes


def describe(model: CatalogModel) -> dict:
    size = _size(model)
    return {"id": model.id, "name": model.name, "description": model.description, "type": model.type,
            "family": model.family, "sizeBytes": size, "sizeMb": _size_mb(size),
            "downloaded": is_downloaded(model), "downloading": is_downloading(model.id),
            "format": model.format}


def list_document() -> dict:
    """``GET /api/models``."""
    models = [describe(m) for m in all_models().values()]
    return {"models": models, "downloadedCount": sum(m["downloaded"] for m in models), "totalCount": len(models)}


def status_document(model_id: str) -> dict:
    """``GET /api/models/{modelId}``."""
    model = find(model_id)
    size = _size(model)
    return {"modelId": model.id, "name": model.name, "type": model.type, "downloaded": is_downloaded(model),
            "downloading": is_downloading(model.id), "sizeBytes": size, "sizeMb": _size_mb(size),
            "path": str(model_path(model).resolve())}


def _remove(model: CatalogModel) -> None:
    shutil.rmtree(model_path(model), ignore_errors=True)
    partial_path(model.id).unlink(missing_ok=True)


def delete(model_id: str) -> dict:
    """``DELETE /api/models/{modelId}``: 404 when the model is unknown or not downloaded."""
    model = all_models().get(model_id)
    if model is None or not is_downloaded(model):
        raise NotFound("Model not found or not downloaded", details=[{"modelId": model_id}])
    _remove(model)
    return {"success": True, "modelId": model.id}


def delete_all() -> dict:
    """``DELETE /api/models``: every downloaded model of the catalog, and partial downloads."""
    removed = []
    for model in all_models().values():
        if is_downloaded(model):
            removed.append(model.id)
        _remove(model)
    return {"success": True, "removed": removed, "count": len(removed)}


def place(part: Path, model: CatalogModel) -> Path:
    """Move a verified download into place (a rename: the file is whole or absent)."""
    target = file_path(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, target)
    return target
