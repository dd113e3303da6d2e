"""Storage: the database proxy, peewee models per surface, numbered migrations and blob stores."""
