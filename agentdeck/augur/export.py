"""A run as one ``.tar.gz`` bundle, in the SDK's on-disk layout (``<run id>/manifest.json``,
``trace.json``, ``steps/``, ``events/``, ``screenshots/``, ``modelio/``, ``logs/``,
``diagnostics/findings.json``, and the further streams' ``costs.json``, ``eval_candidates.json``,
``outcomes.json``, ``events/reasoning.jsonl``, ``side_effects/``, ``judge_decisions/``)."""
from __future__ import annotations

import io
import json
import tarfile
import time

from agentdeck.augur import bundle, diagnostics, events, records, runs


def _json_bytes(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _record_bytes(document, form: str) -> bytes:
    return events.to_jsonl(document).encode() if form == "jsonl" else _json_bytes(document)


def _entries(tenant_id: str, run_id: str):
    """``(relpath, load)`` for every file of the bundle; ``load()`` gives its bytes."""
    run = runs.get_run(tenant_id, run_id)
    yield "manifest.json", lambda: _json_bytes(run.manifest)
    yield "trace.json", lambda: _json_bytes(runs.get_trace(tenant_id, run_id))
    for index, step in runs.list_steps(run.id):
        yield f"steps/{runs.step_name(index)}.json", lambda step=step: _json_bytes(step)
    for stream in events.stream_names(run.id):
        step_index = None if stream == events.RUN_STREAM else int(stream)
        yield (f"events/{stream}.jsonl",
               lambda i=step_index: events.to_jsonl(events.stream_events(run.id, i)).encode())
    for relpath, document, form in records.bundle_documents(run.id):
        yield relpath, lambda d=document, f=form: _record_bytes(d, f)
    yield "diagnostics/findings.json", lambda: _json_bytes(diagnostics.findings(tenant_id, run_id))
    for relpath in bundle.list_files(tenant_id, run_id):
        yield relpath, lambda relpath=relpath: bundle.read_file(tenant_id, run_id, relpath) or b""


def bundle_paths(tenant_id: str, run_id: str) -> list[str]:
    """Bundle-relative paths of every document and file of a run."""
    return [relpath for relpath, _ in _entries(tenant_id, run_id)]


def export_run(tenant_id: str, run_id: str) -> bytes:
    """The run's bundle as gzip-compressed tar bytes, every file under ``<run_id>/``."""
    buffer, now = io.BytesIO(), time.time()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for relpath, load in _entries(tenant_id, run_id):
            data = load()
            info = tarfile.TarInfo(f"{run_id}/{relpath}")
            info.size, info.mtime, info.mode = len(data), now, 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
