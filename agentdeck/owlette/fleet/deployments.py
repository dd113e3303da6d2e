"""Software deployments: one ``install_software`` command per target machine; each target's state
follows its command as the agent reports it, and the deployment's status is derived from them."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from agentdeck.errors import Conflict, InvalidInput, NotFound
from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette_fleet import Command, Deployment, DeploymentTarget
from agentdeck.timeutil import utcnow

from agentdeck.owlette.fleet import commands

TARGET_OPEN = ("pending", "downloading", "installing", "uninstalling")
TARGET_TERMINAL = ("completed", "failed", "cancelled", "uninstalled")
DEPLOYMENT_TERMINAL = ("completed", "failed", "partial", "cancelled", "uninstalled")
_FROM_COMMAND = {"pending": "pending", "delivered": "pending", "in_progress": "installing",
                 "downloading": "downloading", "installing": "installing", "uninstalling": "uninstalling",
                 "completed": "completed", "failed": "failed", "cancelled": "cancelled", "cleared": "cancelled"}
MAX_TARGETS = 500


def _ms(dt) -> int | None:
    return None if dt is None else int(dt.replace(tzinfo=__import__("datetime").timezone.utc).timestamp() * 1000)


def derive_status(statuses: list[str]) -> str:
    """A deployment's status from its targets' statuses."""
    if not statuses:
        return "pending"
    if any(s in TARGET_OPEN for s in statuses):
        return "pending" if all(s == "pending" for s in statuses) else "in_progress"
    kinds = set(statuses)
    if len(kinds) == 1:
        return statuses[0]
    if "completed" in kinds or "uninstalled" in kinds:
        return "partial"
    return "failed" if "failed" in kinds else "cancelled"


def check_https(url) -> str:
    """``url`` when it is an https URL with a host; ``InvalidInput`` otherwise."""
    if not isinstance(url, str):
        raise InvalidInput("installer_url must be a valid HTTPS URL")
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise InvalidInput("installer_url must be a valid HTTPS URL") from None
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidInput("installer_url must be a valid HTTPS URL")
    return url.strip()


def _target_document(t: DeploymentTarget) -> dict:
    doc = {"machineId": t.machine_id, "status": t.status, "commandId": t.command_id}
    if t.progress is not None:
        doc["progress"] = t.progress
    if t.error:
        doc["error"] = t.error
    if t.completed_at:
        doc["completedAt"] = _ms(t.completed_at)
    return doc


def document(row: Deployment, with_targets: bool = True) -> dict:
    """A deployment as the dashboard reads it."""
    targets = list(row.targets.order_by(DeploymentTarget.id))
    doc = {"id": row.id, "name": row.name, "installer_name": row.installer_name,
           "installer_url": row.installer_url, "silent_flags": row.silent_flags,
           "verify_path": row.verify_path, "parallel_install": row.parallel_install,
           "status": derive_status([t.status for t in targets]), "createdAt": _ms(row.created_at),
           "machineCount": len(targets)}
    if with_targets:
        doc["targets"] = [_target_document(t) for t in targets]
    return doc


def _get(site_id: str, deployment_id: str) -> Deployment:
    row = Deployment.get_or_none((Deployment.id == deployment_id) & (Deployment.site == site_id))
    if row is None:
        raise NotFound("Deployment not found")
    return row


def create(site_id: str, body: dict, user_id: str | None = None) -> str:
    """Create a deployment and queue its targets' commands; its id ``deploy-<ms>``."""
    url = check_https(body.get("installer_url"))
    name, installer_name = body.get("name"), body.get("installer_name")
    if not isinstance(name, str) or not name.strip() or not isinstance(installer_name, str) or not installer_name.strip():
        raise InvalidInput("name and installer_name are required")
    machine_ids = body.get("machineIds")
    if (not isinstance(machine_ids, list) or not machine_ids or len(machine_ids) > MAX_TARGETS
            or any(not isinstance(m, str) or not m for m in machine_ids) or len(set(machine_ids)) != len(machine_ids)):
        raise InvalidInput(f"machineIds must list 1 to {MAX_TARGETS} distinct machine ids")
    for machine_id in machine_ids:
        if not commands.machine_known(site_id, machine_id):
            raise InvalidInput(f"Machine not found: {machine_id}")
    deployment_id = f"deploy-{int(time.time() * 1000)}-{__import__('secrets').token_hex(3)}"
    data_common = {"installer_name": installer_name, "installer_url": url,
                   "silent_flags": body.get("silent_flags") or "", "verify_path": body.get("verify_path"),
                   "deployment_id": deployment_id}
    with writing():
        Deployment.create(id=deployment_id, site=site_id, name=name.strip(), installer_name=installer_name,
                          installer_url=url, silent_flags=body.get("silent_flags") or "",
                          verify_path=body.get("verify_path"), parallel_install=bool(body.get("parallel_install")),
                          created_by=user_id)
        queued = []
        for machine_id in machine_ids:
            row = commands.queue(site_id, machine_id, "install_software", data_common, user=user_id,
                                 deployment_id=deployment_id)
            DeploymentTarget.create(deployment=deployment_id, machine_id=machine_id, command_id=row.id)
            queued.append(row)
    # TODO: record the deployment in the activity log once agentdeck.owlette.activity lands
    return deployment_id


def list_deployments(site_id: str, limit: int = 20) -> list[dict]:
    """The site's deployments, newest first."""
    rows = Deployment.select().where(Deployment.site == site_id).order_by(Deployment.created_at.desc()).limit(limit)
    return [document(r, with_targets=False) for r in rows]


def get(site_id: str, deployment_id: str) -> dict:
    """A deployment with its targets."""
    return document(_get(site_id, deployment_id))


def delete(site_id: str, deployment_id: str) -> None:
    """Delete a deployment in a terminal state (``Conflict`` otherwise)."""
    with writing():
        row = _get(site_id, deployment_id)
        status = derive_status([t.status for t in row.targets])
        if status not in DEPLOYMENT_TERMINAL:
            raise Conflict(f"Cannot delete a deployment that is {status}")
        DeploymentTarget.delete().where(DeploymentTarget.deployment == row.id).execute()
        row.delete_instance()


def cancel(site_id: str, deployment_id: str, machine_id, installer_name=None, user_id=None) -> dict:
    """Cancel one target: its command is withdrawn if the agent has not taken it, otherwise a
    ``cancel_installation`` command follows it. ``InvalidInput`` for a machine that is not a
    target, ``Conflict`` for a target already in a terminal state."""
    with writing():
        row = _get(site_id, deployment_id)
        target = DeploymentTarget.get_or_none((DeploymentTarget.deployment == row.id)
                                              & (DeploymentTarget.machine_id == machine_id))
        if target is None:
            raise InvalidInput("Machine is not a target of this deployment")
        if target.status in TARGET_TERMINAL:
            raise Conflict(f"Target is already {target.status}")
        now = utcnow()
        command = Command.get_by_id(target.command_id)
        taken = command.status not in ("pending",)
        if not taken:
            command.status, command.updated_at, command.completed_at = "cancelled", now, now
            command.save()
        target.status, target.completed_at = "cancelled", now
        target.save()
        if taken:
            commands.queue(site_id, machine_id, "cancel_installation",
                           {"installer_name": installer_name or row.installer_name, "deployment_id": row.id},
                           user=user_id)
    return {"success": True, "machineId": machine_id, "status": "cancelled"}


def follow_command(command: Command) -> None:
    """Bring the target of ``command`` to the state the agent reported (inside its transaction)."""
    target = DeploymentTarget.get_or_none(DeploymentTarget.command_id == command.id)
    if target is None or target.status in TARGET_TERMINAL:
        return
    target.status = _FROM_COMMAND.get(command.status, target.status)
    target.progress = command.progress
    target.error = command.error
    if target.status in TARGET_TERMINAL:
        target.completed_at = utcnow()
    target.save()
    # TODO: record the deployment step in the activity log once agentdeck.owlette.activity lands
