"""A reply stops when its cancellation is recorded in the database by another worker."""
import asyncio
import time

from agentdeck.amplifier import configs, replies, sessions
from agentdeck.storage.models.amplifier import AmplifierMessage

SLOW = "bundle:\n  name: slow\nproviders:\n  - module: echo\n    config: {delay: 0.2}\n"


async def test_a_cancel_recorded_by_another_worker_stops_the_reply_within_a_second(app):
    config = await asyncio.to_thread(configs.create_config, "slow", SLOW)
    session = await asyncio.to_thread(sessions.create_session, config.id)
    reply = await replies.start_reply(session.id, " ".join(["word"] * 50))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    await asyncio.to_thread(sessions.request_cancel, session.id)  # the database only: no local signal
    outcome = await reply.outcome()
    assert time.monotonic() - started < 1.0
    assert outcome.status == "cancelled" and outcome.text.startswith("Echo: word")
    turns = await asyncio.to_thread(
        lambda: [(m.role, m.status, m.content) for m in AmplifierMessage.select().order_by(AmplifierMessage.id)])
    assert turns == [("user", "complete", " ".join(["word"] * 50)), ("assistant", "cancelled", outcome.text)]


async def test_deleting_the_session_stops_its_reply(app):
    config = await asyncio.to_thread(configs.create_config, "slow", SLOW)
    session = await asyncio.to_thread(sessions.create_session, config.id)
    reply = await replies.start_reply(session.id, " ".join(["word"] * 50))
    await asyncio.sleep(0.3)
    await asyncio.to_thread(sessions.delete_session, session.id)
    outcome = await asyncio.wait_for(reply.outcome(), 1.0)
    assert outcome.status == "cancelled"
    assert await asyncio.to_thread(AmplifierMessage.select().count) == 0


async def test_a_claim_left_by_a_dead_worker_expires(app, monkeypatch):
    config = await asyncio.to_thread(configs.create_config, "fast", "bundle: {name: f}\n")
    session = await asyncio.to_thread(sessions.create_session, config.id)
    await asyncio.to_thread(sessions.begin_exchange, session.id, "lost")  # never finished
    monkeypatch.setattr(sessions, "STALE_AFTER", 0.0)
    answer = await replies.answer_message(session.id, "again")
    assert answer["response"] == "Echo: again"
