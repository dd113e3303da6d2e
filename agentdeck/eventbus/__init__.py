"""The event bus: events kept in the database (an outbox), delivered to named subscribers.

    from agentdeck import eventbus

    eventbus.subscribe("briefing.*", handle_briefing, name="briefings")   # at start-up
    with writing():
        save_something()
        eventbus.publish("briefing.morning", {"workflowId": "morning"}, key="task-1")

``publish`` writes inside the caller's transaction, so an event exists exactly when the change
it reports was committed. Every named subscriber gets each event published after it was first
registered, once per deployment, at least once, on whichever worker claims it first; see
docs/scheduler.md for the whole contract.
"""
from agentdeck.eventbus.dispatcher import Event, deliver_once, dispatch_loop
from agentdeck.eventbus.outbox import prune_delivered_events, publish, topic_matches
from agentdeck.eventbus.subscribers import Subscription, local_subscriptions, subscribe, unsubscribe

__all__ = ["Event", "Subscription", "deliver_once", "dispatch_loop", "local_subscriptions",
           "prune_delivered_events", "publish", "start_plugin_subscribers", "subscribe",
           "topic_matches", "unsubscribe"]
from agentdeck.storage.db import gives_back_connection


@gives_back_connection
def start_plugin_subscribers() -> list[Subscription]:
    """Subscribe everything plugins register through ``register_event_subscribers``."""
    from agentdeck.plugins.manager import get_plugin_manager

    return [subscribe(pattern, handler, name=name)
            for pattern, handler, name in get_plugin_manager().event_subscribers()]
