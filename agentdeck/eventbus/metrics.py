"""Prometheus counters of the event bus (summed across workers like the request metrics)."""
from prometheus_client import Counter

from agentdeck.metrics import REGISTRY

# Topics are not labels: they are chosen by clients (scheduled tasks), so unbounded.
PUBLISHED = Counter("agentdeck_events_published", "Events published on the bus", registry=REGISTRY)
DELIVERED = Counter("agentdeck_event_deliveries", "Event deliveries a subscriber handled",
                    ["subscriber"], registry=REGISTRY)
FAILED = Counter("agentdeck_event_delivery_failures", "Event deliveries whose handler raised",
                 ["subscriber"], registry=REGISTRY)
GAVE_UP = Counter("agentdeck_event_deliveries_given_up", "Event deliveries abandoned after the last attempt",
                  ["subscriber"], registry=REGISTRY)
PRUNED = Counter("agentdeck_events_pruned", "Delivered events removed by the maintenance sweep",
                 registry=REGISTRY)
