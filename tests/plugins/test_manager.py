"""The plugin manager: built-ins, entry points, blocking by name, duplicate and misspelled hooks."""
from __future__ import annotations

import pluggy
import pytest

import agentdeck
from agentdeck import hookimpl
from agentdeck.alerts import AlertChannel
from agentdeck.memory import MemoryImporter
from agentdeck.plugins.manager import DuplicateRegistration, PluginManager, get_plugin_manager
from agentdeck.settings import reset_settings
from tests.plugins.distributions import install_fake_plugin

PLUGIN_SOURCE = '''
from agentdeck import hookimpl
from agentdeck.alerts import AlertChannel, AlertOutcome


class PagerChannel(AlertChannel):
    name = "pager"

    def send(self, alert, config):
        return AlertOutcome(self.name, "delivered")


@hookimpl
def register_alert_channels(register):
    register(PagerChannel)


@hookimpl
def register_health_checks(register):
    register("pager", lambda: (True, "pager reachable"))
'''

MISSPELLED_SOURCE = '''
from agentdeck import hookimpl


@hookimpl
def register_alert_chanels(register):
    pass
'''


def _names(manager) -> set[str]:
    return {p.name for p in manager.plugins()}


def _reload_with_env(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    from agentdeck.plugins.manager import reset_plugin_manager

    reset_plugin_manager()
    return get_plugin_manager()


def test_builtins_are_discovered_as_plugins(settings):
    manager = PluginManager()
    manager.load_builtins()
    webhook = next(p for p in manager.plugins() if p.name == "channels.webhook")
    assert (webhook.builtin, webhook.version, webhook.hooks) == (True, agentdeck.__version__, ["register_alert_channels"])
    assert {"channels.log", "channels.webhook"} <= _names(manager)
    assert {"log", "webhook"} <= set(manager.alert_channels())


def test_entry_point_plugins_are_loaded_with_their_version(settings, tmp_path, monkeypatch):
    install_fake_plugin(tmp_path, monkeypatch, name="pager", version="1.2.3", source=PLUGIN_SOURCE)
    manager = get_plugin_manager()

    pager = next(p for p in manager.plugins() if p.name == "pager")
    assert (pager.builtin, pager.version) == (False, "1.2.3")
    assert pager.hooks == ["register_alert_channels", "register_health_checks"]
    assert issubclass(manager.alert_channels()["pager"], AlertChannel)
    assert manager.health_checks()["pager"]() == (True, "pager reachable")


def test_disabled_plugins_setting_blocks_builtins_and_entry_points(settings, tmp_path, monkeypatch):
    install_fake_plugin(tmp_path, monkeypatch, name="pager", version="1.2.3", source=PLUGIN_SOURCE)
    manager = _reload_with_env(monkeypatch, AGENTDECK_DISABLED_PLUGINS="channels.log, pager")

    assert "channels.log" not in _names(manager) and "pager" not in _names(manager)
    assert "channels.webhook" in _names(manager)
    assert set(manager.alert_channels()).isdisjoint({"log", "pager"})


def test_disabled_names_also_apply_to_in_process_registration(settings, monkeypatch):
    manager = _reload_with_env(monkeypatch, AGENTDECK_DISABLED_PLUGINS="embedded")
    manager.register(object(), name="embedded")
    assert "embedded" not in _names(manager)


def test_a_plugin_name_cannot_be_registered_twice(settings):
    manager = get_plugin_manager()
    with pytest.raises(ValueError, match="already registered"):
        manager.register(object(), name="channels.log")


class SecondLogChannel:
    @hookimpl
    def register_alert_channels(self, register):
        class Log(AlertChannel):
            name = "log"

        register(Log)


class DuplicateHealthCheck:
    @hookimpl
    def register_health_checks(self, register):
        register("twice", lambda: (True, ""))
        register("twice", lambda: (True, ""))


def test_two_channels_of_one_name_are_refused(settings):
    manager = get_plugin_manager()
    manager.register(SecondLogChannel(), name="second-log")
    with pytest.raises(DuplicateRegistration, match="alert channel 'log' registered twice"):
        manager.alert_channels()


def test_two_health_checks_of_one_name_are_refused(settings):
    manager = get_plugin_manager()
    manager.register(DuplicateHealthCheck(), name="twice")
    with pytest.raises(DuplicateRegistration, match="health check 'twice' registered twice"):
        manager.health_checks()


class Misspelled:
    @hookimpl
    def register_alert_chanels(self, register):
        pass


def test_check_pending_catches_a_misspelled_hook(settings):
    manager = get_plugin_manager()
    with pytest.raises(pluggy.PluginValidationError, match="unknown hook 'register_alert_chanels'"):
        manager.register(Misspelled(), name="misspelled")
    assert "misspelled" not in _names(manager)
    manager.pm.check_pending()  # the rejected plugin left nothing behind


def test_a_misspelled_hook_in_an_installed_plugin_is_skipped_and_logged(settings, tmp_path, monkeypatch, caplog):
    install_fake_plugin(tmp_path, monkeypatch, name="typo", version="0.1", source=MISSPELLED_SOURCE)
    manager = get_plugin_manager()
    assert "typo" not in _names(manager)
    assert "channels.webhook" in _names(manager), "the other plugins still load"
    assert "register_alert_chanels" in caplog.text


def test_an_installed_plugin_that_fails_to_import_is_skipped(settings, tmp_path, monkeypatch, caplog):
    install_fake_plugin(tmp_path, monkeypatch, name="broken", version="0.1", source="raise ImportError('no such thing')\n")
    manager = get_plugin_manager()
    assert "broken" not in _names(manager) and "channels.webhook" in _names(manager)
    assert "failed to load" in caplog.text


class ExtraArgument:
    @hookimpl
    def register_alert_channels(self, register, priority):
        pass


def test_a_hook_with_arguments_the_spec_lacks_is_refused(settings):
    with pytest.raises(pluggy.PluginValidationError, match="priority"):
        get_plugin_manager().register(ExtraArgument(), name="extra")


class Named:
    name = "sample"


class Nameless:
    name = ""


@pytest.mark.parametrize("hook, collect", [
    ("register_providers", "providers"),
    ("register_memory_importers", "memory_importers"),
    ("register_alert_channels", "alert_channels"),
])
def test_each_registration_hook_collects_classes_by_name(settings, hook, collect):
    plugin = type("Plugin", (), {hook: hookimpl(lambda self, register: register(Named))})()
    manager = get_plugin_manager()
    manager.register(plugin, name=f"sample-{hook}")
    assert getattr(manager, collect)()["sample"] is Named

    nameless = type("Plugin", (), {hook: hookimpl(lambda self, register: register(Nameless))})()
    manager.register(nameless, name=f"nameless-{hook}")
    with pytest.raises(TypeError, match="has no name"):
        getattr(manager, collect)()


class JsonLinesImporter(MemoryImporter):
    name = "jsonl"
    description = "one JSON object per line"
    file_suffixes = (".jsonl",)


class ImporterPlugin:
    @hookimpl
    def register_memory_importers(self, register):
        register(JsonLinesImporter)


def test_memory_importers_come_from_register_memory_importers(settings):
    manager = get_plugin_manager()
    manager.register(ImporterPlugin(), name="importers")
    importer = manager.memory_importers()["jsonl"]()
    assert importer.detect("notes.JSONL", b"{}") and not importer.detect("notes.csv", b"")
    with pytest.raises(NotImplementedError):
        importer.read(None)


class HealthPlugin:
    def __init__(self, ok):
        self.ok = ok

    @hookimpl
    def register_health_checks(self, register):
        register("disk", lambda: (self.ok, "12 GB free" if self.ok else "full"))
        if not self.ok:
            register("broken", self.broken)

    def broken(self):
        raise OSError("statvfs failed")


def test_health_checks_appear_in_healthz(client):
    get_plugin_manager().register(HealthPlugin(ok=True), name="health")
    body = client.get("/healthz").json()
    assert body["checks"]["disk"] == {"ok": True, "detail": "12 GB free"}


def test_a_failing_or_raising_health_check_degrades_healthz(client):
    get_plugin_manager().register(HealthPlugin(ok=False), name="health")
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["disk"] == {"ok": False, "detail": "full"}
    assert checks["broken"] == {"ok": False, "detail": "OSError: statvfs failed"}


def test_get_plugins_lists_name_version_and_hooks(client, tmp_path, monkeypatch):
    install_fake_plugin(tmp_path, monkeypatch, name="pager", version="1.2.3", source=PLUGIN_SOURCE)
    from agentdeck.plugins.manager import reset_plugin_manager

    reset_plugin_manager()
    plugins = {p["name"]: p for p in client.get("/plugins").json()["plugins"]}

    assert plugins["channels.webhook"] == {"name": "channels.webhook", "version": agentdeck.__version__, "builtin": True,
                                           "hooks": ["register_alert_channels"]}
    assert plugins["pager"] == {"name": "pager", "version": "1.2.3", "builtin": False,
                                "hooks": ["register_alert_channels", "register_health_checks"]}
