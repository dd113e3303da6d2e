"""Augur table: records of a run's further SDK streams (costs, reasoning, outcomes, eval
candidates, side effects, judge decisions)."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.augur_records import MODELS


def upgrade(db):
    """Create the run-record table."""
    create_tables(db, MODELS)
