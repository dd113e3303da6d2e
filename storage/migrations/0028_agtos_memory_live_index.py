"""agtOS memory: an index over live episodes by embedding model, so the vector cache's check
(how many live episodes of the model, and the newest) reads the index, not every row with its
vector (a table scan that took ~20 ms at 10k episodes and grew with them)."""


def upgrade(db):
    """Create the index (both backends take the same statement)."""
    db.execute_sql("CREATE INDEX IF NOT EXISTS agtos_memory_episode_live ON agtos_memory_episode "
                   "(embedding_model, deleted_at, created_at)")
