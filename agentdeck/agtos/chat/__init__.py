"""agtOS chat: messages answered by an agent loop over the router's ``chat`` slot, with tools.

``chat_once`` (``POST /api/chat``), ``chat_events`` (``POST /api/chat/stream``), ``run_task``
(``POST /api/tasks``) and ``history`` (``GET /api/chat/history/{sessionId}``) return the bodies
and events of the agtOS reference; handlers serialise them.

**The loop** (``loop``): the chat slot's model, through the router (so with its fallbacks), is
offered every agent tool plugins register (``register_agent_tools``; built in:
``current_time``) and called again with the tools' results until it answers without asking for
a tool, or for at most ``AGENTDECK_AGTOS_CHAT_MAX_STEPS`` model calls (default 8), the last made
without tools so that it must answer. ``metadata`` is ``{stepCount, toolCallCount, durationMs}``.
A tool's failure is reported to the model and in ``tool_result.error``, never as a chat error.

**Events** of the stream, each one ``data:`` object with a ``type``: ``content {content}``,
``thinking {content}``, ``tool_start {name, id, input}``, ``tool_result {id, result, error,
durationMs}``, ``step {step, finishReason, toolCallCount, durationMs}`` after each model call,
then ``done {stepCount, toolCallCount, durationMs, sessionId?}``, or ``error {error: "Chat
processing failed", message}`` if the providers failed (after which nothing follows). A client
that goes away (the iterator closed or its task cancelled) cancels the upstream call at once;
nothing of that turn is remembered.

**Input**: ``text`` 1-10,000 characters, not blank (``InvalidInput``, 400, ``Missing or empty
required field: text``; ``topic`` for tasks); ``files`` are base64 images sent to the chat slot's
provider in its own shape (``openai``, ``openrouter``, ``claude``, ``ollama``); a provider taking
no images (``echo``) makes it a 400. Images are shaped for the chat slot's own provider: a
fallback of another kind may not read them.

**Working memory** (``memory``), per ``sessionId`` and kept in the database, so every worker
sees it: each turn adds the user's text and the answer (not tool traffic, not images); the 6
newest messages are kept verbatim, older ones while the window holds at most 30 messages and
4,000 tokens (estimated as 4 characters a token); older turns are dropped, oldest first, not
summarised. A conversation expires ``AGENTDECK_AGTOS_CHAT_SESSION_TTL`` seconds after its last
turn (default 86400, one day): its history is then ``sessionExpired: true`` with no messages,
and a new message under its id starts afresh. Without ``sessionId`` a chat is stateless.

**Failures**: when the router finds no provider to answer (every candidate of the chain failed,
or the first failed in a way that does not fall back, such as a rejected key),
``ChatProcessingFailed`` (500); its ``body`` is ``{"error": "Chat processing failed", "message":
"All providers failed: openai (gpt-4o): ...; echo (echo-1): ..."}``. ``TaskProcessingFailed``
adds the ``taskId``. In the stream the same body is the ``error`` event.
"""
from agentdeck.agtos.chat.errors import ChatProcessingFailed, TaskProcessingFailed
from agentdeck.agtos.chat.limits import ChatLimits
from agentdeck.agtos.chat.memory import purge_expired
from agentdeck.agtos.chat.service import chat_events, chat_once, history, run_task

__all__ = ["ChatLimits", "ChatProcessingFailed", "TaskProcessingFailed", "chat_events",
           "chat_once", "history", "purge_expired", "run_task"]
