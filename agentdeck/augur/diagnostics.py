"""Diagnostics computed from a run as it stands: every rule reads the stored manifest, trace,
steps, events, screenshots and logs, and cites the bundle paths it fired on.

``diagnostics/findings.json`` is a JSON array of findings, each
``{rule_id, severity, summary, recommendation, step_index?, evidence[{type, ref}]}`` as augur-schema's
``diagnostic_finding`` has it (the shape of the SDK's ``augur diagnose``): ``step_index`` is left
out of run-level findings, and evidence types are the schema's (the manifest is cited as a
``trace`` record). The rules are described in the spec, under
``GET /api/v1/runs/{run_id}/diagnostics/findings.json``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from agentdeck.timeutil import parse_iso

from agentdeck.augur import bundle, events, runs

FAILED_VALUES = {"failed", "failure", "fail", "error", "errored", "crashed", "aborted"}
STATUS_KEYS = ("status", "outcome", "verdict", "result")
LOOP_MIN_REPEATS = 3
GAP_SECONDS = 30.0
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|FATAL)\b|Traceback \(most recent call last\)|\b\w*Exception\b")
SCREENSHOT_REF = re.compile(r"screenshots/([0-9]{4,6})_(pre|post|target|diff)\.png")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class RunView:
    """Everything the rules read about one run."""

    manifest: dict
    trace: dict | None
    steps: list[tuple[int, dict]]
    event_streams: list[str]
    files: list[str]
    logs: dict[str, str]


def load_view(tenant_id: str, run_id: str) -> RunView:
    """Read a run for the rules."""
    run = runs.get_run(tenant_id, run_id)
    files = bundle.list_files(tenant_id, run_id)
    logs = {path: (bundle.read_file(tenant_id, run_id, path) or b"").decode(errors="replace")
            for path in files if path.startswith("logs/")}
    return RunView(run.manifest, run.trace, runs.list_steps(run.id), events.stream_names(run.id),
                   files, logs)


def _finding(rule_id, severity, summary, recommendation, step_index=None, evidence=()) -> dict:
    finding = {"rule_id": rule_id, "severity": severity, "summary": summary,
               "recommendation": recommendation,
               "evidence": [{"type": kind, "ref": ref} for kind, ref in evidence]}
    return finding if step_index is None else finding | {"step_index": step_index}


def _step_ref(index: int) -> tuple[str, str]:
    return "step", f"steps/{runs.step_name(index)}.json"


def _failure_reason(step: dict) -> str | None:
    if isinstance(step.get("failure_class"), str) and step["failure_class"]:
        return f"failure_class={step['failure_class']}"
    for key in STATUS_KEYS:
        value = step.get(key)
        if isinstance(value, str) and value.lower() in FAILED_VALUES:
            return f"{key}={value}"
    if step.get("success") is False:
        return "success=false"
    if step.get("error"):
        return "error recorded"
    return None


def rule_step_failed(view: RunView) -> list[dict]:
    """server.step_failed: a step whose record says it failed or errored."""
    found = []
    for index, step in view.steps:
        reason = _failure_reason(step) if isinstance(step, dict) else None
        if reason:
            found.append(_finding("server.step_failed", "high", f"Step {index} failed ({reason}).",
                                  "Read the step record and its decision events first.",
                                  index, [_step_ref(index)]))
    return found


def rule_step_index_mismatch(view: RunView) -> list[dict]:
    """server.step_index_mismatch: a step record names a step_index other than its path's."""
    found = []
    for index, step in view.steps:
        claimed = step.get("step_index") if isinstance(step, dict) else None
        if isinstance(claimed, int) and not isinstance(claimed, bool) and claimed != index:
            found.append(_finding("server.step_index_mismatch", "medium",
                                  f"steps/{runs.step_name(index)}.json says step_index {claimed}.",
                                  "The SDK sent the record to the wrong path; check its step counter.",
                                  index, [_step_ref(index)]))
    return found


def _action_key(step: dict) -> str | None:
    action = step.get("action") if isinstance(step, dict) else None
    return json.dumps(action, sort_keys=True) if action not in (None, "", {}, []) else None


def rule_action_loop(view: RunView) -> list[dict]:
    """server.action_loop: the same action repeated on 3 or more consecutive steps."""
    found, streak = [], []
    for index, step in view.steps + [(None, {})]:
        key = _action_key(step)
        if streak and key is not None and key == streak[-1][1] and index == streak[-1][0] + 1:
            streak.append((index, key))
            continue
        if len(streak) >= LOOP_MIN_REPEATS:
            first, last = streak[0][0], streak[-1][0]
            found.append(_finding("server.action_loop", "medium",
                                  f"Steps {first}-{last} repeat the same action {len(streak)} times.",
                                  "The agent is looping: check whether the action has any effect.",
                                  first, [_step_ref(i) for i, _ in streak]))
        streak = [(index, key)] if key is not None else []
    return found


def _instant(value) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e12 else value
        try:
            return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return parse_iso(value)
        except ValueError:
            return None
    return None


def _step_time(step: dict, keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        instant = _instant(step.get(key)) if isinstance(step, dict) else None
        if instant is not None:
            return instant
    return None


def rule_long_gap(view: RunView) -> list[dict]:
    """server.long_gap: more than 30 s between one step's end and the next step's start."""
    found = []
    for (a, first), (b, second) in zip(view.steps, view.steps[1:]):
        end = _step_time(first, ("ended_at", "finished_at", "started_at", "timestamp", "ts"))
        start = _step_time(second, ("started_at", "timestamp", "ts"))
        if end is not None and start is not None and (start - end).total_seconds() > GAP_SECONDS:
            gap = (start - end).total_seconds()
            found.append(_finding("server.long_gap", "low",
                                  f"{gap:.1f} s pass between step {a} and step {b}.",
                                  "Look for a slow model call, a hung browser or a retry storm.",
                                  b, [_step_ref(a), _step_ref(b)]))
    return found


def rule_missing_steps(view: RunView) -> list[dict]:
    """server.missing_steps: step indices missing between 0 and the highest step received."""
    if not view.steps:
        return []
    present = {index for index, _ in view.steps}
    missing = [i for i in range(max(present) + 1) if i not in present]
    if not missing:
        return []
    shown = ", ".join(map(str, missing[:20])) + (" ..." if len(missing) > 20 else "")
    return [_finding("server.missing_steps", "medium",
                     f"{len(missing)} step record(s) never arrived: {shown}.",
                     "The SDK may have lost its connection; compare with the local bundle.",
                     missing[0], [("trace", "trace.json")])]


def _declared_missing(view: RunView) -> set[str]:
    missing = view.manifest.get("missing") if isinstance(view.manifest, dict) else None
    return {m for m in missing if isinstance(m, str)} if isinstance(missing, list) else set()


def rule_missing_screenshot(view: RunView) -> list[dict]:
    """server.missing_screenshot: a step cites a screenshot never uploaded (and not declared in
    the manifest's ``missing``), or, in a run that has screenshots, a step has neither pre nor post."""
    files, declared, found = set(view.files), _declared_missing(view), []
    has_shots = any(f.startswith("screenshots/") for f in files)
    for index, step in view.steps:
        cited = {m.group(0) for m in SCREENSHOT_REF.finditer(json.dumps(step))}
        absent = sorted(c for c in cited if c not in files and c not in declared)
        name = runs.step_name(index)
        observed = any(f"screenshots/{name}_{kind}.png" in files for kind in ("pre", "post"))
        if not absent and has_shots and not observed:
            absent = [f"screenshots/{name}_post.png"]
        if absent:
            found.append(_finding("server.missing_screenshot", "low",
                                  f"Step {index} has no {', '.join(absent)}.",
                                  "Without the observation the step cannot be checked visually.",
                                  index, [_step_ref(index)] + [("screenshot", a) for a in absent]))
    return found


def rule_log_errors(view: RunView) -> list[dict]:
    """server.log_errors: lines in a log naming an error, a fatal condition or an exception."""
    found = []
    for path, text in sorted(view.logs.items()):
        lines = [line for line in text.splitlines() if ERROR_LINE.search(line)]
        if lines:
            match = re.fullmatch(r"logs/step-([0-9]+)\.log", path)
            found.append(_finding("server.log_errors", "medium",
                                  f"{path} has {len(lines)} error line(s); first: {lines[0][:200]}",
                                  "Read the log around the first error line.",
                                  int(match.group(1)) if match else None, [("log", path)]))
    return found


def rule_run_failed(view: RunView) -> list[dict]:
    """server.run_failed: the manifest or the trace says the run failed, crashed or aborted."""
    for name, doc in (("manifest.json", view.manifest), ("trace.json", view.trace)):
        candidates = [doc, doc.get("session")] if isinstance(doc, dict) else []
        for part in candidates:
            status = part.get("status") if isinstance(part, dict) else None
            if isinstance(status, str) and status.lower() in FAILED_VALUES:
                return [_finding("server.run_failed", "high", f"The run ended with status {status!r}.",
                                 "Start from the first failed step or the last step recorded.",
                                 None, [("trace", name)])]
    return []


def rule_orphan_events(view: RunView) -> list[dict]:
    """server.orphan_events: decision events for a step whose record never arrived."""
    present = {runs.step_name(i) for i, _ in view.steps}
    return [_finding("server.orphan_events", "low", f"events/{s}.jsonl has events for a step with no record.",
                     "The step record was probably lost; the events still show what was decided.",
                     int(s), [("event", f"events/{s}.jsonl")])
            for s in view.event_streams if s != events.RUN_STREAM and s not in present]


RULES = (rule_run_failed, rule_step_failed, rule_step_index_mismatch, rule_action_loop, rule_long_gap,
         rule_missing_steps, rule_missing_screenshot, rule_log_errors, rule_orphan_events)


def findings(tenant_id: str, run_id: str) -> list[dict]:
    """``diagnostics/findings.json``: every rule run now over the stored run, high severity
    first; within a severity, run-level findings first, then by step."""
    view = load_view(tenant_id, run_id)
    found = [f for rule in RULES for f in rule(view)]
    found.sort(key=lambda f: (SEVERITY_ORDER[f["severity"]], "step_index" in f, f.get("step_index", 0)))
    return found
