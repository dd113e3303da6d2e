"""Cortex escalations: flags an autonomous investigation raised, emailed to the site's admins.

``process_escalations`` sends each pending flag once, whichever worker or caller gets to it
first: a flag is claimed by a conditional update (``pending`` → ``sending``) before its email
goes out, then marked ``sent`` (with its recipients) or ``failed`` (no email could go out: none
configured, nobody to send to, the server refused). A flag left ``sending`` by a worker that died
is taken again after ``RECLAIM_AFTER``.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from agentdeck.storage.db import writing
from agentdeck.storage.models.owlette import OwletteSite
from agentdeck.storage.models.owlette_cortex import OwletteCortexEscalation
from agentdeck.timeutil import utcnow

log = logging.getLogger("agentdeck.owlette.cortex")
RECLAIM_AFTER = timedelta(minutes=10)
BATCH = 100


def _claim(escalation_id: str) -> bool:
    now = utcnow()
    with writing():
        taken = (OwletteCortexEscalation.update(status="sending", processed_at=now)
                 .where((OwletteCortexEscalation.id == escalation_id)
                        & ((OwletteCortexEscalation.status == "pending")
                           | ((OwletteCortexEscalation.status == "sending")
                              & (OwletteCortexEscalation.processed_at < now - RECLAIM_AFTER))))
                 .execute())
    return taken == 1


def _email(escalation: OwletteCortexEscalation) -> dict:
    from agentdeck.owlette import activity
    from agentdeck.owlette.alerting import public_base, send_email, site_admins

    site = OwletteSite.get_by_id(escalation.site_id)
    title = f"[owlette] Cortex escalation: {escalation.machine_id} at {site.name}"
    text = (f"Cortex investigated an event on machine {escalation.machine_id} at site {site.name} "
            f"({site.id}) and asks for a person to look.\n\nSeverity: {escalation.severity}\n\n"
            f"{escalation.summary}")
    if escalation.chat_id:
        text += (f"\n\nThe investigation: {public_base()}/api/cortex/chats/{escalation.chat_id}"
                 f"?siteId={site.id}")
    sent = send_email(site, site_admins(site.id), title, text,
                      severity="critical" if escalation.severity == "critical" else "warning")
    activity.record(site.id, "cortex_escalation", level="warning", machine_id=escalation.machine_id,
                    details={"escalationId": escalation.id, "chatId": escalation.chat_id,
                             "severity": escalation.severity, "emailSent": sent["emailSent"]})
    return sent


def process_escalations(site_id: str | None = None) -> dict:
    """Email every pending escalation (of ``site_id``, or of every site):
    ``{success, processed, emailsSent, escalations: [{id, siteId, machineId, status, recipients}]}``."""
    query = OwletteCortexEscalation.select().where(
        (OwletteCortexEscalation.status == "pending")
        | ((OwletteCortexEscalation.status == "sending") & (OwletteCortexEscalation.processed_at < utcnow() - RECLAIM_AFTER)))
    if site_id is not None:
        query = query.where(OwletteCortexEscalation.site == site_id)
    done = []
    for escalation in query.order_by(OwletteCortexEscalation.created_at).limit(BATCH):
        if not _claim(escalation.id):
            continue  # another worker has it
        try:
            sent = _email(escalation)
        except Exception:  # never leave a flag claimed for nothing: it is retried after RECLAIM_AFTER
            log.exception("cortex escalation %s could not be sent", escalation.id)
            continue
        status = "sent" if sent["emailSent"] else "failed"
        with writing():
            (OwletteCortexEscalation.update(status=status, recipients=sent["recipients"], processed_at=utcnow())
             .where(OwletteCortexEscalation.id == escalation.id).execute())
        done.append({"id": escalation.id, "siteId": escalation.site_id, "machineId": escalation.machine_id,
                     "status": status, "recipients": sent["recipients"]})
    return {"success": True, "processed": len(done), "emailsSent": sum(1 for d in done if d["status"] == "sent"),
            "escalations": done}
