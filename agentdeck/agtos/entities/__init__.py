"""agtOS entity memory: entities drawn from episodes, their aliases and mentions, relationships
that hold for a time, merging duplicates, and the per-entity lists.

``store`` answers the entity operations, ``merging`` merges two entities, ``relationships``
records facts with supersession, ``extraction`` asks the model (the router's ``maintenance``
slot) for an episode's entities and relationships.
"""
