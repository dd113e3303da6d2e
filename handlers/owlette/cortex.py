"""Cortex: POST /api/cortex (a streamed chat about the fleet), POST /api/cortex/provision-key,
the internal autonomous investigations and escalations, and a kept chat."""
from connexion import request
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from agentdeck.errors import DomainError, InvalidInput
from agentdeck.handlers.owlette.cron import check_secret
from agentdeck.owlette import access, cortex, llm_keys
from agentdeck.owlette.cortex import autonomous as autonomous_cortex
from agentdeck.owlette.cortex.escalation import process_escalations
from agentdeck.owlette.cortex.tools import CortexContext
from agentdeck.settings import get_settings
from agentdeck.owlette.principals import Principal
from agentdeck.storage.db import gives_back_connection

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
PROVISION_TIMEOUT = 15.0


class GatewayTimeout(DomainError):
    """The machine did not answer in time (504)."""

    status = 504


def _prepare(principal: Principal, body: dict):
    access.require_site_admin(principal, body["siteId"])
    key = llm_keys.resolve(principal.user_id, body["siteId"])
    if key is None:
        raise InvalidInput("No LLM key configured: set yours in settings, or ask a site admin to set the site's")
    messages = cortex.conversation(body, body["siteId"])
    # Every user with access to the site may send its machines commands (site admin routes).
    ctx = CortexContext(body["siteId"], principal.user_id, may_command=True)
    return key, messages, ctx


async def chat(body, token_info):
    """POST /api/cortex"""
    principal = Principal.from_token_info(token_info)
    key, messages, ctx = await run_in_threadpool(gives_back_connection(_prepare), principal, body)
    events = cortex.stream_chat(key, messages, ctx, body.get("chatId"))
    return StreamingResponse(events, media_type="text/event-stream", headers=_SSE_HEADERS)


async def provision_key(body, token_info):
    """POST /api/cortex/provision-key"""
    from agentdeck.owlette.fleet import commands

    principal = Principal.from_token_info(token_info)
    await run_in_threadpool(gives_back_connection(access.require_site_admin), principal, body["siteId"])
    data = {"api_key": body["apiKey"], "provider": body.get("provider") or "anthropic"}
    sent = await commands.send_async(body["siteId"], body["machineId"], "provision_cortex_key", data,
                                     user=principal.user_id, wait=True, timeout=PROVISION_TIMEOUT)
    if sent.get("status") != "timeout":
        await run_in_threadpool(gives_back_connection(cortex.redact_key_command), body["siteId"], sent["commandId"])
    if sent.get("status") == "timeout":
        raise GatewayTimeout("Timed out waiting for the machine to confirm the key")
    if sent.get("status") != "completed":
        return {"success": False, "commandId": sent["commandId"], "status": sent.get("status"),
                "error": sent.get("error") or "The machine could not store the key"}, 200
    return {"success": True, "commandId": sent["commandId"], "status": "completed"}, 200


def autonomous(body):
    """POST /api/cortex/autonomous"""
    check_secret(request.headers.get("x-cortex-secret"), get_settings().owlette_cortex_secret)
    return autonomous_cortex.accept(body), 200


def escalation_from_cortex():
    """POST /api/cortex/escalation (x-cortex-secret)"""
    check_secret(request.headers.get("x-cortex-secret"), get_settings().owlette_cortex_secret)
    return process_escalations(), 200


def escalation_from_cron():
    """GET /api/cortex/escalation (Authorization: Bearer <cron secret>)"""
    scheme, _, secret = (request.headers.get("authorization") or "").partition(" ")
    check_secret(secret.strip() if scheme.lower() == "bearer" else None, get_settings().owlette_cron_secret)
    return process_escalations(), 200


def get_chat(chatId, siteId, token_info):
    """GET /api/cortex/chats/{chatId}"""
    principal = Principal.from_token_info(token_info)
    access.require_site_admin(principal, siteId)
    return autonomous_cortex.get_chat(siteId, chatId), 200
