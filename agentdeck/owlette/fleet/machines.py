"""Machines as their agents report them: heartbeats (metrics, process states, health), online
state (offline after three minutes without a heartbeat), software inventories."""
from __future__ import annotations

from datetime import timedelta

from agentdeck.errors import InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette_fleet import Machine, SoftwareInventory
from agentdeck.timeutil import to_iso, utcnow

OFFLINE_AFTER = timedelta(minutes=3)
METRIC_KEYS = ("cpu", "memory", "disk", "gpu", "network")
SOFTWARE_FIELDS = ("name", "version", "publisher", "install_location", "uninstall_command", "installer_type")
MAX_SOFTWARE = 5000


def is_online(machine: Machine, now=None) -> bool:
    """Online: the agent said so in a heartbeat under three minutes old."""
    now = now or utcnow()
    return bool(machine.online and machine.last_heartbeat_at
                and now - machine.last_heartbeat_at < OFFLINE_AFTER)


def get_machine(site_id: str, machine_id: str) -> Machine:
    """The site's machine; ``NotFound`` when it has never sent a heartbeat."""
    row = Machine.get_or_none((Machine.site == site_id) & (Machine.machine_id == machine_id))
    if row is None:
        raise NotFound("Machine not found")
    return row


def summary(row: Machine, now=None) -> dict:
    """A machine as the machines list shows it."""
    return {"id": row.machine_id, "name": row.hostname or row.machine_id, "online": is_online(row, now),
            "lastHeartbeat": to_iso(row.last_heartbeat_at), "agentVersion": row.agent_version, "os": row.os}


def status(site_id: str, machine_id: str) -> dict:
    """The machine's details: the summary plus metrics, process states and health."""
    row = get_machine(site_id, machine_id)
    return {**summary(row), "metrics": row.metrics or {}, "processes": row.processes or {},
            "health": row.health or {}}


def list_machines(site_id: str) -> list[dict]:
    """The site's machines, by id."""
    now = utcnow()
    return [summary(row, now) for row in Machine.select().where(Machine.site == site_id).order_by(Machine.machine_id)]


def heartbeat(site_id: str, machine_id: str, body: dict, agent_version: str | None = None) -> dict:
    """Record a heartbeat: ``online`` (false on shutdown), ``metrics`` (or the metric keys at the
    top level, as upstream's agent writes them), ``processes``, ``health``, ``hostname``, ``os``,
    ``version``."""
    metrics = body.get("metrics")
    if metrics is None:
        metrics = {key: body[key] for key in METRIC_KEYS if key in body}
    if not isinstance(metrics, dict):
        raise InvalidInput("metrics must be an object")
    processes = body.get("processes")
    if processes is not None and not isinstance(processes, dict):
        raise InvalidInput("processes must be an object keyed by process id")
    now = utcnow()
    fields = {"online": bool(body.get("online", True)), "last_heartbeat_at": now, "updated_at": now,
              "metrics": metrics}
    if processes is not None:
        fields["processes"] = processes
    for key, column in (("health", "health"), ("hostname", "hostname"), ("os", "os")):
        if body.get(key) is not None:
            fields[column] = body[key]
    version = body.get("version") or agent_version
    if version:
        fields["agent_version"] = str(version)[:64]
    with writing():
        updated = (Machine.update(**fields)
                   .where((Machine.site == site_id) & (Machine.machine_id == machine_id)).execute())
        if not updated:
            Machine.insert(site=site_id, machine_id=machine_id, created_at=now, **fields).on_conflict_ignore().execute()
            Machine.update(**fields).where((Machine.site == site_id) & (Machine.machine_id == machine_id)).execute()
        config_version = (Machine.select(Machine.config_version)
                          .where((Machine.site == site_id) & (Machine.machine_id == machine_id)).scalar())
    return {"success": True, "online": fields["online"], "configVersion": config_version or 0}


def push_software(site_id: str, machine_id: str, software: list) -> int:
    """Replace the machine's software inventory; how many entries it holds."""
    if len(software) > MAX_SOFTWARE:
        raise InvalidInput(f"at most {MAX_SOFTWARE} software entries")
    items = []
    for index, entry in enumerate(software):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise InvalidInput(f"software[{index}] needs a name")
        item = {field: (str(entry[field]) if entry.get(field) is not None else None) for field in SOFTWARE_FIELDS}
        item["id"] = str(entry.get("id") or f"sw_{index}")
        items.append(item)
    now = utcnow()
    with writing():
        (SoftwareInventory.insert(site=site_id, machine_id=machine_id, software=items, updated_at=now)
         .on_conflict(conflict_target=[SoftwareInventory.site, SoftwareInventory.machine_id],
                      update={SoftwareInventory.software: items, SoftwareInventory.updated_at: now})
         .execute())
    return len(items)


def software(site_id: str, machine_id: str, search: str | None = None) -> list[dict]:
    """The machine's software, by name; ``search`` matches name or publisher, case-insensitively."""
    get_machine(site_id, machine_id)
    row = SoftwareInventory.get_or_none((SoftwareInventory.site == site_id)
                                        & (SoftwareInventory.machine_id == machine_id))
    items = list(row.software) if row else []
    if search:
        needle = search.lower()
        items = [i for i in items if needle in (i.get("name") or "").lower()
                 or needle in (i.get("publisher") or "").lower()]
    return sorted(items, key=lambda i: (i.get("name") or "").lower())
