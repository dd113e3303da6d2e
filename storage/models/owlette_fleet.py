"""owlette fleet tables: machines and their heartbeats, commands, software inventories, process
configurations, deployments and their targets, agent installers, screenshots."""
from __future__ import annotations

import peewee

from agentdeck.storage.db import BaseModel
from agentdeck.storage.fields import JSONField
from agentdeck.storage.models.owlette import OwletteSite
from agentdeck.timeutil import utcnow


class Machine(BaseModel):
    """A machine of a site, as its agent last reported it.

    ``online`` is what the agent last said (``false`` on a clean shutdown); a machine is shown
    online only while that is true and its last heartbeat is under three minutes old
    (``agentdeck.owlette.fleet.machines.is_online``). ``metrics`` holds the heartbeat's cpu, memory,
    disk, gpu and network readings; ``processes`` the process states by process id; ``health``
    the agent's own health report. ``config_version`` grows with every change to the machine's
    process configuration, so that an agent can tell its copy is stale.
    """

    id = peewee.AutoField()
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="machines")
    machine_id = peewee.CharField(max_length=200)
    hostname = peewee.CharField(max_length=200, null=True)
    os = peewee.CharField(max_length=200, null=True)
    agent_version = peewee.CharField(max_length=64, null=True)
    last_heartbeat_at = peewee.DateTimeField(null=True)
    online = peewee.BooleanField(default=False)
    metrics = JSONField(null=True)
    processes = JSONField(null=True)
    health = JSONField(null=True)
    config_version = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_machine"
        indexes = ((("site", "machine_id"), True),)


class Command(BaseModel):
    """A command for one machine: queued whether or not the machine is online, handed to its
    agent on a poll, and followed through the states the agent reports.

    ``status``: ``pending`` (queued, not yet handed out), ``delivered`` (handed out, no report
    yet; handed out again after a while without one, since delivery is at least once and the id
    is the agent's idempotency key), then what the agent reports: ``in_progress``,
    ``downloading``, ``installing``, ``uninstalling``, and the terminal ``completed``, ``failed``,
    ``cancelled``; ``cleared`` when a user cleared it before the agent took it.
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE", backref="commands")
    machine_id = peewee.CharField(max_length=200)
    type = peewee.CharField(max_length=64)
    data = JSONField(null=True)
    status = peewee.CharField(max_length=16, default="pending")
    result = JSONField(null=True)
    error = peewee.TextField(null=True)
    progress = peewee.IntegerField(null=True)
    user_id = peewee.CharField(max_length=64, null=True)
    deployment_id = peewee.CharField(max_length=64, null=True)
    delivery_count = peewee.IntegerField(default=0)
    delivered_at = peewee.DateTimeField(null=True)
    completed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_command"
        indexes = ((("site", "machine_id", "status"), False), (("status", "created_at"), False))


class SoftwareInventory(BaseModel):
    """The installed software a machine's agent last pushed (the whole list, replaced each push)."""

    id = peewee.AutoField()
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE")
    machine_id = peewee.CharField(max_length=200)
    software = JSONField(default=list)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_software_inventory"
        indexes = ((("site", "machine_id"), True),)


class ProcessConfig(BaseModel):
    """One monitored process of a machine: what to run and when (``launch_mode`` off, always or
    scheduled with ``schedules``); further agent settings (cwd, priority, delays ...) in ``options``."""

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE")
    machine_id = peewee.CharField(max_length=200)
    name = peewee.CharField(max_length=200)
    exe_path = peewee.TextField()
    launch_mode = peewee.CharField(max_length=16, default="off")
    schedules = JSONField(null=True)
    options = JSONField(default=dict)
    position = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_process"
        indexes = ((("site", "machine_id"), False),)


class Deployment(BaseModel):
    """A software deployment to machines of a site; its status is derived from its targets."""

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    installer_name = peewee.CharField(max_length=255)
    installer_url = peewee.TextField()
    silent_flags = peewee.TextField(default="")
    verify_path = peewee.TextField(null=True)
    parallel_install = peewee.BooleanField(default=False)
    created_by = peewee.CharField(max_length=64, null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_deployment"
        indexes = ((("site", "created_at"), False),)


class DeploymentTarget(BaseModel):
    """One machine of a deployment and its ``install_software`` command."""

    id = peewee.AutoField()
    deployment = peewee.ForeignKeyField(Deployment, on_delete="CASCADE", backref="targets")
    machine_id = peewee.CharField(max_length=200)
    command_id = peewee.CharField(max_length=64)
    status = peewee.CharField(max_length=16, default="pending")
    progress = peewee.IntegerField(null=True)
    error = peewee.TextField(null=True)
    completed_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_deployment_target"
        indexes = ((("deployment", "machine_id"), True), (("command_id",), False))


class Installer(BaseModel):
    """An agent installer version: announced by an upload request, ready once finalised.

    ``upload_token_hash`` is the SHA-256 of the single-use secret in the upload URL.
    """

    id = peewee.CharField(max_length=64, primary_key=True)
    version = peewee.CharField(max_length=32)
    file_name = peewee.CharField(max_length=255)
    release_notes = peewee.TextField(null=True)
    set_as_latest = peewee.BooleanField(default=True)
    is_latest = peewee.BooleanField(default=False)
    status = peewee.CharField(max_length=16, default="pending")  # pending | uploaded | ready
    blob_key = peewee.CharField(max_length=300)
    sha256 = peewee.CharField(max_length=64, null=True)
    file_size = peewee.BigIntegerField(null=True)
    upload_token_hash = peewee.CharField(max_length=64, null=True)
    upload_expires_at = peewee.DateTimeField()
    uploaded_by = peewee.CharField(max_length=64, null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    uploaded_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "owlette_installer"
        indexes = ((("status", "uploaded_at"), False),)


class Screenshot(BaseModel):
    """A screenshot a machine's agent sent; the blob lives in one of 20 slots per machine."""

    id = peewee.CharField(max_length=64, primary_key=True)
    site = peewee.ForeignKeyField(OwletteSite, on_delete="CASCADE")
    machine_id = peewee.CharField(max_length=200)
    seq = peewee.BigIntegerField()
    blob_key = peewee.CharField(max_length=300)
    size = peewee.IntegerField()
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "owlette_screenshot"
        indexes = ((("site", "machine_id", "seq"), True),)


FLEET_MODELS = [Machine, Command, SoftwareInventory, ProcessConfig, Deployment, DeploymentTarget,
                Installer, Screenshot]
