"""The plugin manager: loads built-in plugins and entry points, and wraps each hook in a method.

Core code never calls ``pm.hook.x(...)`` directly; it asks ``get_plugin_manager()`` for the typed
collections below, so a hook's calling convention lives in exactly one place.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import logging
import pkgutil
import threading
from dataclasses import dataclass, field

import pluggy

from agentdeck import PROJECT_NAME, __version__
from agentdeck.plugins import builtin, hookspecs

ENTRY_POINT_GROUP = PROJECT_NAME
log = logging.getLogger("agentdeck.plugins")


@dataclass(frozen=True)
class PluginInfo:
    """What ``agentdeck plugins`` and ``GET /plugins`` show of one plugin."""

    name: str
    version: str | None
    hooks: list[str]
    builtin: bool


class DuplicateRegistration(ValueError):
    """Two plugins registered the same name for the same hook."""


@dataclass
class PluginManager:
    """A pluggy manager with one typed method per hook."""

    disabled: frozenset[str] = frozenset()
    pm: pluggy.PluginManager = field(init=False)
    _versions: dict[str, str | None] = field(init=False, default_factory=dict)
    _builtin: set[str] = field(init=False, default_factory=set)

    def __post_init__(self):
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        for name in self.disabled:
            self.pm.set_blocked(name)

    def load_builtins(self) -> None:
        """Register every module under ``agentdeck.plugins.builtin`` that implements a hook."""
        for info in pkgutil.walk_packages(builtin.__path__, builtin.__name__ + "."):
            if info.ispkg:
                continue
            module = importlib.import_module(info.name)
            name = info.name.removeprefix(builtin.__name__ + ".")
            if name in self.disabled or not _implements_a_hook(module):
                continue
            self.pm.register(module, name=name)
            self._builtin.add(name)
            self._versions[name] = __version__

    def load_entry_points(self) -> None:
        """Register the plugins installed as entry points in group ``agentdeck``."""
        for dist in importlib.metadata.distributions():
            for ep in dist.entry_points:
                if ep.group != ENTRY_POINT_GROUP or ep.name in self.disabled:
                    continue
                if self.pm.get_plugin(ep.name) is not None or self.pm.is_blocked(ep.name):
                    log.warning("plugin %r from %s skipped: the name is taken", ep.name, dist.metadata["Name"])
                    continue
                try:
                    self.pm.register(ep.load(), name=ep.name)
                    self.pm.check_pending()
                except Exception:  # a broken third-party plugin must not stop the server
                    log.exception("plugin %r from %s failed to load; skipped", ep.name, dist.metadata["Name"])
                    if self.pm.has_plugin(ep.name):
                        self.pm.unregister(name=ep.name)
                    continue
                self._versions[ep.name] = dist.version

    def register(self, plugin, name: str) -> None:
        """Register an in-process plugin object (tests and embedding applications use this)."""
        if name in self.disabled:
            return
        self.pm.register(plugin, name=name)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError:
            # A rejected plugin must not stay half-registered and keep failing later calls.
            self.pm.unregister(name=name)
            raise
        self._versions[name] = None

    def plugins(self) -> list[PluginInfo]:
        """Every registered plugin, sorted by name, with the hooks it implements."""
        out = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:  # pluggy lists a blocked name with no plugin; it is not loaded
                continue
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            out.append(PluginInfo(name, self._versions.get(name), hooks, name in self._builtin))
        return sorted(out, key=lambda p: p.name)

    def _collect(self, hook, label: str) -> dict[str, object]:
        found: dict[str, object] = {}

        def register(item):
            key = getattr(item, "name", None)
            if not key:
                raise TypeError(f"{label} {item!r} has no name")
            if key in found:
                raise DuplicateRegistration(f"{label} {key!r} registered twice")
            found[key] = item

        hook(register=register)
        return found

    def providers(self) -> dict[str, type]:
        """Provider classes by name, from ``register_providers``."""
        return self._collect(self.pm.hook.register_providers, "provider")

    def memory_importers(self) -> dict[str, type]:
        """Memory importer classes by name, from ``register_memory_importers``."""
        return self._collect(self.pm.hook.register_memory_importers, "memory importer")

    def embedders(self) -> dict[str, type]:
        """Embedder classes by name, from ``register_embedders``."""
        return self._collect(self.pm.hook.register_embedders, "embedder")

    def alert_channels(self) -> dict[str, type]:
        """Alert channel classes by name, from ``register_alert_channels``."""
        return self._collect(self.pm.hook.register_alert_channels, "alert channel")

    def health_checks(self) -> dict[str, object]:
        """Health check callables by name, from ``register_health_checks``."""
        checks: dict[str, object] = {}

        def register(name, check):
            if name in checks:
                raise DuplicateRegistration(f"health check {name!r} registered twice")
            checks[name] = check

        self.pm.hook.register_health_checks(register=register)
        return checks

    def agent_tools(self) -> dict[str, "AgentTool"]:
        """Agent tools by name, from ``register_agent_tools`` (checked as they register)."""
        from agentdeck.agent_tools import AgentTool

        tools: dict[str, AgentTool] = {}

        def register(name, description, parameters, func):
            tool = AgentTool.checked(name, description, parameters, func)
            if tool.name in tools:
                raise DuplicateRegistration(f"agent tool {tool.name!r} registered twice")
            tools[tool.name] = tool

        self.pm.hook.register_agent_tools(register=register)
        return tools


    def event_subscribers(self) -> list[tuple[str, object, str]]:
        """``(topic_pattern, handler, name)`` triples from ``register_event_subscribers``."""
        subscribers: dict[str, tuple[str, object, str]] = {}

        def register(topic_pattern, handler, *, name):
            if name in subscribers:
                raise DuplicateRegistration(f"event subscriber {name!r} registered twice")
            subscribers[name] = (topic_pattern, handler, name)

        self.pm.hook.register_event_subscribers(register=register)
        return list(subscribers.values())


def _implements_a_hook(module) -> bool:
    # Any hookimpl marker counts, not only known hook names: a misspelled hook in a built-in
    # module must reach check_pending() and fail loudly instead of being skipped in silence.
    marker = f"{PROJECT_NAME}_impl"
    return any(hasattr(value, marker) for value in vars(module).values())


_lock = threading.Lock()
_manager: PluginManager | None = None


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, loaded on first use from the current settings."""
    global _manager
    with _lock:
        if _manager is None:
            from agentdeck.settings import get_settings

            manager = PluginManager(disabled=frozenset(get_settings().disabled_plugins))
            manager.load_builtins()
            manager.load_entry_points()
            manager.pm.check_pending()
            _manager = manager
        return _manager


def reset_plugin_manager() -> None:
    """Forget the loaded manager, so the next call reloads (settings changed, tests)."""
    global _manager
    with _lock:
        _manager = None
