"""Agent tools: functions a model may call from an agent loop, supplied by plugins.

Plugins register tools through the ``register_agent_tools`` hook (see docs/plugins.md); the
built-in ``current_time`` is one. ``available_agent_tools()`` gives them by name, ``AgentTool.spec()``
is the shape ``agentdeck.providers`` takes in ``tools=``, and ``call_tool`` runs one call the way
every agent loop should: arguments checked against the tool's JSON Schema, a sync function run
on a worker thread, a time limit, and any failure turned into an error the model can read
instead of an exception that ends the conversation.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

from jsonschema import exceptions as schema_errors
from jsonschema import validators

from agentdeck.storage.db import gives_back_connection

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what every provider accepts as a function name


@dataclass(frozen=True)
class AgentTool:
    """One tool: ``func(**arguments)`` answers a call whose arguments match ``parameters``."""

    name: str
    description: str
    parameters: dict
    func: Callable[..., Any]

    @classmethod
    def checked(cls, name, description, parameters, func) -> "AgentTool":
        """A tool from what a plugin registered; raises ``ValueError`` / ``TypeError`` naming the
        problem (a bad name, a schema that is not a JSON Schema of an object, no callable)."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"agent tool name {name!r} must be 1-64 letters, digits, '_' or '-'")
        if not isinstance(description, str) or not description.strip():
            raise ValueError(f"agent tool {name!r} needs a description")
        if not isinstance(parameters, dict) or parameters.get("type") != "object":
            raise ValueError(f"agent tool {name!r}: parameters must be a JSON Schema with type object")
        try:
            validators.validator_for(parameters).check_schema(parameters)
        except schema_errors.SchemaError as exc:
            raise ValueError(f"agent tool {name!r}: parameters is not a valid JSON Schema: "
                             f"{exc.message}") from None
        if not callable(func):
            raise TypeError(f"agent tool {name!r}: {func!r} is not callable")
        return cls(name, description.strip(), parameters, func)

    def spec(self) -> dict:
        """``{"name", "description", "parameters"}``: the tool as providers are offered it."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}

    def argument_problem(self, arguments: dict) -> str | None:
        """Why ``arguments`` do not match ``parameters`` (``None`` when they do)."""
        validator = validators.validator_for(self.parameters)(self.parameters)
        error = next(iter(sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))), None)
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path)
        return f"invalid arguments{' at ' + where if where else ''}: {error.message}"


@dataclass(frozen=True)
class ToolOutcome:
    """What one call gave: a JSON-ready ``result``, or an ``error`` message; and how long it took."""

    result: Any
    error: str | None
    duration_ms: int

    def for_model(self) -> str:
        """The text a ``tool`` message carries back to the model."""
        if self.error is not None:
            return json.dumps({"error": self.error})
        if isinstance(self.result, str):
            return self.result
        return json.dumps(self.result)


def needs_context(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a registered tool function as a placeholder that answers only once a surface binds it
    to a conversation (owlette cortex's fleet tools need the site and the user): such tools are
    not offered by ``available_agent_tools()`` unless asked for."""
    func.agent_tool_needs_context = True
    return func


def available_agent_tools(*, with_context_bound: bool = False) -> dict[str, AgentTool]:
    """Installed agent tools by name, sorted by name; tools marked ``needs_context`` only with
    ``with_context_bound`` (for the surface that binds them)."""
    from agentdeck.plugins.manager import get_plugin_manager

    return dict(sorted((name, tool) for name, tool in get_plugin_manager().agent_tools().items()
                       if with_context_bound or not getattr(tool.func, "agent_tool_needs_context", False)))


async def call_tool(tools: dict[str, AgentTool], name: str, arguments: dict, *,
                    timeout: float) -> ToolOutcome:
    """Run the tool ``name`` with ``arguments``; never raises for a failing tool.

    Cancelling the caller cancels an async tool; a sync tool's thread cannot be interrupted,
    so it finishes in the background and its result is dropped.
    """
    started = time.monotonic()

    def outcome(result=None, error=None) -> ToolOutcome:
        return ToolOutcome(result, error, int((time.monotonic() - started) * 1000))

    tool = tools.get(name)
    if tool is None:
        return outcome(error=f"unknown tool {name!r}")
    if "_raw" in arguments and len(arguments) == 1:
        return outcome(error="the arguments are not a JSON object")
    problem = tool.argument_problem(arguments)
    if problem is not None:
        return outcome(error=problem)
    try:
        if inspect.iscoroutinefunction(tool.func):
            result = await asyncio.wait_for(tool.func(**arguments), timeout)
        else:
            threaded = gives_back_connection(tool.func)  # a tool reading the database
            result = await asyncio.wait_for(asyncio.to_thread(threaded, **arguments), timeout)
        # JSON-ready from here on (dates and the like as text): events and messages carry it.
        result = json.loads(json.dumps(result, default=str))
    except asyncio.TimeoutError:
        return outcome(error=f"the tool did not answer within {timeout:g} seconds")
    except Exception as exc:  # a tool's failure is the model's to read, not the loop's to raise
        return outcome(error=f"{type(exc).__name__}: {exc}")
    return outcome(result=result)
