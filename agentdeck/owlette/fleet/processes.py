"""A machine's monitored processes: what to run and when. Every change bumps the machine's
``config_version``; the agent reads its configuration with ``GET /api/agent/config``."""
from __future__ import annotations

import re
import secrets

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette_fleet import Machine, ProcessConfig
from agentdeck.timeutil import to_iso, utcnow

from agentdeck.owlette.fleet.commands import machine_known

LAUNCH_MODES = ("off", "always", "scheduled")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OPTION_FIELDS = ("file_path", "cwd", "priority", "visibility", "time_delay", "time_to_init",
                 "relaunch_attempts", "autolaunch")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MAX_SCHEDULES = 20


def _time(value, where: str) -> str:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise InvalidInput(f"{where} must be a time HH:MM (00:00 to 23:59)")
    return value


def validate_schedules(schedules) -> list[dict]:
    """Schedules as ``[{days: [mon…], ranges: [{start, stop}]}]``; the reference's
    ``{days, startTime, endTime}`` form is accepted and stored as one range."""
    if not isinstance(schedules, list) or not schedules:
        raise InvalidInput("scheduled mode needs at least one schedule")
    if len(schedules) > MAX_SCHEDULES:
        raise InvalidInput(f"at most {MAX_SCHEDULES} schedules")
    clean = []
    for i, schedule in enumerate(schedules):
        if not isinstance(schedule, dict):
            raise InvalidInput(f"schedules[{i}] must be an object")
        days = schedule.get("days")
        if (not isinstance(days, list) or not days or any(d not in DAYS for d in days)
                or len(set(days)) != len(days)):
            raise InvalidInput(f"schedules[{i}].days must be distinct days from: {', '.join(DAYS)}")
        ranges = schedule.get("ranges")
        if ranges is None and ("startTime" in schedule or "endTime" in schedule):
            ranges = [{"start": schedule.get("startTime"), "stop": schedule.get("endTime")}]
        if not isinstance(ranges, list) or not ranges:
            raise InvalidInput(f"schedules[{i}] needs ranges [{{start, stop}}] (or startTime and endTime)")
        clean_ranges = []
        for j, span in enumerate(ranges):
            if not isinstance(span, dict):
                raise InvalidInput(f"schedules[{i}].ranges[{j}] must be an object")
            start = _time(span.get("start"), f"schedules[{i}].ranges[{j}].start")
            stop = _time(span.get("stop"), f"schedules[{i}].ranges[{j}].stop")
            if start == stop:
                raise InvalidInput(f"schedules[{i}].ranges[{j}] starts and stops at the same time")
            clean_ranges.append({"start": start, "stop": stop})
        clean.append({"days": [d for d in DAYS if d in days], "ranges": clean_ranges})
    return clean


def _options(body: dict) -> dict:
    return {k: body[k] for k in OPTION_FIELDS if k in body}


def _text(body: dict, key: str, required: bool) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{key} is required")
    return value.strip()


def document(row: ProcessConfig, states: dict | None = None) -> dict:
    """A process with its configuration and, when the agent reported it, its state."""
    state = (states or {}).get(row.id) or {}
    return {"id": row.id, "name": row.name, "exe_path": row.exe_path, "launch_mode": row.launch_mode,
            "schedules": row.schedules, **(row.options or {}),
            "status": state.get("status", "UNKNOWN"), "pid": state.get("pid"),
            "responsive": state.get("responsive"), "last_updated": state.get("last_updated"),
            "createdAt": to_iso(row.created_at), "updatedAt": to_iso(row.updated_at)}


def _bump(site_id: str, machine_id: str) -> None:
    Machine.update(config_version=Machine.config_version + 1).where(
        (Machine.site == site_id) & (Machine.machine_id == machine_id)).execute()


def _get(site_id: str, machine_id: str, process_id: str) -> ProcessConfig:
    row = ProcessConfig.get_or_none((ProcessConfig.id == process_id) & (ProcessConfig.site == site_id)
                                    & (ProcessConfig.machine_id == machine_id))
    if row is None:
        raise NotFound("Process not found")
    return row


def list_processes(site_id: str, machine_id: str) -> list[dict]:
    """The machine's processes in order, each with its last reported state."""
    if not machine_known(site_id, machine_id):
        raise NotFound("Machine not found")
    machine = Machine.get_or_none((Machine.site == site_id) & (Machine.machine_id == machine_id))
    states = (machine.processes if machine else None) or {}
    rows = ProcessConfig.select().where((ProcessConfig.site == site_id) & (ProcessConfig.machine_id == machine_id))
    return [document(r, states) for r in rows.order_by(ProcessConfig.position, ProcessConfig.created_at)]


def add(site_id: str, machine_id: str, body: dict) -> str:
    """Add a process; its id."""
    if not machine_known(site_id, machine_id):
        raise NotFound("Machine not found")
    name, exe_path = _text(body, "name", True), _text(body, "exe_path", True)
    mode = body.get("launch_mode", "off")
    if mode not in LAUNCH_MODES:
        raise InvalidInput(f"launch_mode must be one of: {', '.join(LAUNCH_MODES)}")
    schedules = validate_schedules(body.get("schedules")) if mode == "scheduled" else None
    process_id = "proc_" + secrets.token_hex(8)
    with writing():
        position = ProcessConfig.select().where((ProcessConfig.site == site_id)
                                                & (ProcessConfig.machine_id == machine_id)).count()
        ProcessConfig.create(id=process_id, site=site_id, machine_id=machine_id, name=name, exe_path=exe_path,
                             launch_mode=mode, schedules=schedules, options=_options(body), position=position)
        _bump(site_id, machine_id)
    return process_id


def update(site_id: str, machine_id: str, process_id: str, body: dict) -> None:
    """Change a process's name, path or options."""
    with writing():
        row = _get(site_id, machine_id, process_id)
        if "name" in body:
            row.name = _text(body, "name", True)
        if "exe_path" in body:
            row.exe_path = _text(body, "exe_path", True)
        row.options = {**(row.options or {}), **_options(body)}
        row.updated_at = utcnow()
        row.save()
        _bump(site_id, machine_id)


def delete(site_id: str, machine_id: str, process_id: str) -> None:
    """Remove a process."""
    with writing():
        _get(site_id, machine_id, process_id).delete_instance()
        _bump(site_id, machine_id)


def set_launch_mode(site_id: str, machine_id: str, process_id: str, mode, schedules=None) -> dict:
    """Set the launch mode (and, for ``scheduled``, the validated schedules)."""
    if mode not in LAUNCH_MODES:
        raise InvalidInput(f"mode must be one of: {', '.join(LAUNCH_MODES)}")
    clean = validate_schedules(schedules) if mode == "scheduled" else None
    with writing():
        row = _get(site_id, machine_id, process_id)
        row.launch_mode, row.schedules, row.updated_at = mode, clean, utcnow()
        row.save()
        _bump(site_id, machine_id)
    return {"mode": mode, "schedules": clean}


def agent_config(site_id: str, machine_id: str) -> dict:
    """The machine's configuration as its agent reads it."""
    version = (Machine.select(Machine.config_version)
               .where((Machine.site == site_id) & (Machine.machine_id == machine_id)).scalar()) or 0
    rows = (ProcessConfig.select().where((ProcessConfig.site == site_id) & (ProcessConfig.machine_id == machine_id))
            .order_by(ProcessConfig.position, ProcessConfig.created_at))
    processes = [{"id": r.id, "name": r.name, "exe_path": r.exe_path, "launch_mode": r.launch_mode,
                  "schedules": r.schedules, **(r.options or {})} for r in rows]
    return {"success": True, "siteId": site_id, "machineId": machine_id, "configVersion": version,
            "processes": processes}
