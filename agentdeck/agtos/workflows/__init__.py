"""agtOS workflows: definitions in YAML added by the operator (``agentdeck agtos workflow-add``),
listed and executed over the API, and run by the event bus when a fired task's payload names
one (``workflowId``, with an optional ``input``). See ``definitions`` and ``engine``."""
from agentdeck.agtos.workflows.definitions import (WorkflowNotFound, add_workflow, get_workflow,
                                                   list_workflows, parse_definition, remove_workflow)
from agentdeck.agtos.workflows.engine import WorkflowFailed, execute_workflow, list_executions

__all__ = ["WorkflowFailed", "WorkflowNotFound", "add_workflow", "execute_workflow", "get_workflow",
           "list_executions", "list_workflows", "parse_definition", "remove_workflow"]
