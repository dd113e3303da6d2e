"""agtOS entity memory (entities, mentions, relationships) and memory maintenance reports."""
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos_entities import MODELS


def upgrade(db):
    """Create the entity, mention, relationship, maintenance report and schedule tables."""
    create_tables(db, MODELS)
