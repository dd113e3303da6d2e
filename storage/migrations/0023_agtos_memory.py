"""agtOS memory tables: episodes, conclusions, the profile, import records; keyword index.

SQLite gets an FTS5 table over episodes' summaries, keywords and topics (kept by the code that
writes episodes); PostgreSQL a GIN index over the same text's ``tsvector``.
"""
from agentdeck.storage.db import is_postgres
from agentdeck.storage.migrations import create_tables
from agentdeck.storage.models.agtos_memory import MODELS

PG_TEXT = "(coalesce(summary,'') || ' ' || coalesce(keywords,'') || ' ' || coalesce(topic,''))"


def upgrade(db):
    """Create the memory tables and the keyword index of episodes."""
    create_tables(db, MODELS)
    if is_postgres(db):
        db.execute_sql("CREATE INDEX IF NOT EXISTS agtos_memory_episode_fts ON agtos_memory_episode "
                       f"USING GIN (to_tsvector('english', {PG_TEXT}))")
    else:
        db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS agtos_memory_episode_fts USING fts5("
                       "episode_id UNINDEXED, body, tokenize='porter unicode61')")
