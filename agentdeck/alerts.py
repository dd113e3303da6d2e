"""Alerts, and the channels that carry them to an operator.

A channel is a plugin: an ``AlertChannel`` subclass registered through the
``register_alert_channels`` hook (the built-in ``webhook`` and ``log`` channels use that hook too).
A channel declares the configuration it takes as ``ConfigField``s; ``dispatch_alert`` looks the
channel up by name, checks the configuration and sends::

    from agentdeck.alerts import Alert, dispatch_alert

    outcome = dispatch_alert("webhook", {"url": "https://ops.example.com/hook", "secret": "s3"},
                             Alert(title="Disk almost full", message="92% used", severity="warning"))
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from agentdeck.errors import InvalidInput
from agentdeck.storage.fields import new_uuid
from agentdeck.timeutil import to_iso, utcnow

log = logging.getLogger("agentdeck.alerts.dispatch")
SEVERITIES = ("info", "warning", "critical")
REDACTED = "[redacted]"
TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


class AlertError(InvalidInput):
    """An alert could not be dispatched as asked (400 when it reaches an HTTP client)."""


class UnknownChannel(AlertError):
    """No installed plugin registers an alert channel of that name."""


class ChannelConfigError(AlertError):
    """A channel's configuration is missing a field, has a wrong type or breaks a rule."""


@dataclass(frozen=True, kw_only=True)
class Alert:
    """Something an operator should hear about."""

    id: str = field(default_factory=new_uuid)
    title: str
    message: str
    severity: str = "info"
    source: str = "agentdeck"
    created_at: datetime = field(default_factory=utcnow)
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise AlertError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")
        if not self.title.strip():
            raise AlertError("an alert needs a title")

    def to_dict(self) -> dict:
        """The alert as JSON-ready data: what a webhook receives and what the log channel writes."""
        return {"id": self.id, "title": self.title, "message": self.message,
                "severity": self.severity, "source": self.source,
                "created_at": to_iso(self.created_at), "details": dict(self.details)}


@dataclass(frozen=True)
class ConfigField:
    """One configuration key a channel accepts.

    ``type`` is ``str``, ``int``, ``float`` or ``bool``. A ``secret`` field is never shown back
    (``redact_config``) nor logged.
    """

    name: str
    type: type = str
    required: bool = False
    default: object = None
    secret: bool = False
    help: str = ""


@dataclass(frozen=True)
class AlertOutcome:
    """What became of one alert on one channel.

    ``status`` is ``delivered``, ``pending`` (not yet delivered; a retry is scheduled) or
    ``failed``. ``delivery_id`` names the row in the delivery log when the channel keeps one.
    """

    channel: str
    status: str
    detail: str | None = None
    delivery_id: str | None = None
    attempts: int = 1

    @property
    def delivered(self) -> bool:
        """True when the alert reached its destination."""
        return self.status == "delivered"


class AlertChannel:
    """Base class of alert channels. Subclasses set ``name`` and ``config_fields`` and implement
    ``send``; they may add rules in ``check_config``. Instances hold no state: the configuration
    comes with each call, so one instance serves any number of destinations."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    config_fields: ClassVar[tuple[ConfigField, ...]] = ()

    def validate_config(self, config) -> dict:
        """Return ``config`` checked against ``config_fields``, with defaults filled in.

        Raises ``ChannelConfigError`` naming the channel and the offending key.
        """
        if not isinstance(config, dict):
            raise ChannelConfigError(f"{self.name}: the configuration must be an object")
        known = {f.name: f for f in self.config_fields}
        unknown = sorted(set(config) - set(known))
        if unknown:
            raise ChannelConfigError(f"{self.name}: unknown configuration key(s) {', '.join(unknown)}; "
                                     f"accepted: {', '.join(known) or 'none'}")
        cleaned = {}
        for spec in self.config_fields:
            value = config.get(spec.name)
            if value is None:
                if spec.required:
                    raise ChannelConfigError(f"{self.name}: {spec.name!r} is required")
                value = spec.default
            else:
                value = self._coerce(spec, value)
            if value is not None:
                cleaned[spec.name] = value
        self.check_config(cleaned)
        return cleaned

    def _coerce(self, spec: ConfigField, value):
        # bool is an int subclass; JSON's true must not pass for a count, nor 1 for a flag.
        if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) != (spec.type is bool) or not isinstance(value, spec.type):
            expected = TYPE_NAMES.get(spec.type, spec.type.__name__)
            raise ChannelConfigError(f"{self.name}: {spec.name!r} must be {expected}, "
                                     f"not {type(value).__name__}")
        return value

    def check_config(self, config: dict) -> None:
        """Rules beyond types (a reachable URL, a range); raise ``ChannelConfigError``. Default: none."""

    def send(self, alert: Alert, config: dict) -> AlertOutcome:
        """Deliver ``alert`` with a configuration ``validate_config`` returned."""
        raise NotImplementedError


def redact_config(channel: AlertChannel, config: dict) -> dict:
    """``config`` with the values of secret fields replaced, for showing or logging."""
    secret = {f.name for f in channel.config_fields if f.secret}
    return {key: REDACTED if key in secret else value for key, value in config.items()}


def available_channels() -> dict[str, type[AlertChannel]]:
    """Every installed alert channel class by name, from the ``register_alert_channels`` hook."""
    from agentdeck.plugins.manager import get_plugin_manager

    return dict(sorted(get_plugin_manager().alert_channels().items()))


def get_channel(name: str) -> AlertChannel:
    """An instance of the channel called ``name``; raises ``UnknownChannel`` with the choices."""
    channels = available_channels()
    if name not in channels:
        raise UnknownChannel(f"unknown alert channel {name!r}; installed: {', '.join(channels) or 'none'}")
    channel_cls = channels[name]
    if not (isinstance(channel_cls, type) and issubclass(channel_cls, AlertChannel)):
        raise TypeError(f"alert channel {name!r} is registered as {channel_cls!r}, not an AlertChannel subclass")
    return channel_cls()


def dispatch_alert(channel_name: str, config: dict | None, alert: Alert) -> AlertOutcome:
    """Send ``alert`` through the channel ``channel_name`` configured by ``config``.

    An unknown channel or a bad configuration raises (``UnknownChannel``, ``ChannelConfigError``):
    those are the caller's mistakes. A channel that fails while sending gives a ``failed``
    outcome instead, so that code raising an alert is never broken by the alert itself.
    """
    channel = get_channel(channel_name)
    cleaned = channel.validate_config({} if config is None else config)
    try:
        outcome = channel.send(alert, cleaned)
    except Exception as exc:  # plugin code: any failure becomes an outcome, see docstring
        log.exception("alert %s: channel %s raised while sending", alert.id, channel_name)
        return AlertOutcome(channel_name, "failed", f"{type(exc).__name__}: {exc}")
    log.debug("alert %s via %s %s: %s", alert.id, channel_name, redact_config(channel, cleaned), outcome.status)
    return outcome
