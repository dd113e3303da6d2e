"""Hook declarations for agentdeck plugins. Declarations only: implementations live in plugins.

Every registration hook takes a ``register`` callback, in the style of simonw's llm: the plugin
calls ``register(...)`` once per thing it supplies. None of these hooks is ``firstresult``: every
installed plugin is called, and their return values are ignored.
"""
from agentdeck import hookspec


@hookspec
def register_providers(register):
    """Register LLM provider classes: call ``register(provider_cls)`` once per class.

    ``provider_cls`` subclasses ``agentdeck.providers.Provider`` and has a unique ``name``
    (the ``module`` a config names, e.g. ``openai``). Not firstresult; return value ignored.
    """


@hookspec
def register_memory_importers(register):
    """Register memory importers: call ``register(importer_cls)`` once per class.

    ``importer_cls`` subclasses ``agentdeck.memory.MemoryImporter`` and has a unique ``name``
    (the source format it reads, e.g. ``chatgpt-export``). Not firstresult; return value ignored.
    """


@hookspec
def register_embedders(register):
    """Register text embedders for memory search: call ``register(embedder_cls)`` once per class.

    ``embedder_cls`` has a unique ``name`` (``AGENTDECK_MEMORY_EMBEDDER`` chooses one by it), a
    ``model`` string (stored beside each vector), and takes no constructor arguments; its
    ``embed(texts: list[str])`` returns one vector (a sequence of floats, all of one length) per
    text. Not firstresult; return value ignored.
    """


@hookspec
def register_alert_channels(register):
    """Register alert channels: call ``register(channel_cls)`` once per class.

    ``channel_cls`` subclasses ``agentdeck.alerts.AlertChannel`` and has a unique ``name``
    (e.g. ``webhook``, ``log``). Not firstresult; return value ignored.
    """


@hookspec
def register_health_checks(register):
    """Register health checks: call ``register(name, check)`` once per check.

    ``check()`` takes no arguments and returns ``(ok: bool, detail: str)``; its result is shown
    by ``GET /healthz`` under ``checks``. Not firstresult; return value ignored.
    """


@hookspec
def register_agent_tools(register):
    """Register tools an agent loop may call: ``register(name, description, parameters, func)``.

    ``name`` is unique among agent tools (letters, digits, ``_`` and ``-``, at most 64);
    ``description`` tells the model when to use it; ``parameters`` is the JSON Schema of the
    arguments object; ``func(**arguments)`` — sync or async — returns a JSON-ready result.
    Not firstresult; return value ignored.
    """


@hookspec
def register_event_subscribers(register):
    """Register event bus subscribers: ``register(topic_pattern, handler, name=...)`` once each.

    ``topic_pattern`` is a glob over topics (``briefing.*``); ``handler(event)`` — sync or
    async — receives an ``agentdeck.eventbus.Event``; ``name`` is unique among subscribers and
    keeps the subscriber's deliveries across restarts. Delivery is at least once: a handler
    that raises is called again later. Not firstresult; return value ignored.
    """
