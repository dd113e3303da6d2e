"""Numbered migrations with a schema-version table.

Each module here is named ``NNNN_name.py`` and defines ``upgrade(db)``. ``upgrade_database()``
applies, in order and each in its own transaction, those whose number is not yet recorded in
``schema_version``; several processes starting at once serialise on a lock, so each migration
runs exactly once. A migration that creates tables from the live models is written so that a
later migration changing those models still works on both fresh and upgraded databases: later
migrations use ``add_column_if_missing`` and friends, which are no-ops where the column exists.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from dataclasses import dataclass

import peewee
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from agentdeck.storage.db import BaseModel, database, is_postgres
from agentdeck.timeutil import utcnow

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{4})_(\w+)$")
_PG_LOCK_KEY = 0x61676E74  # "agnt": the advisory lock migrations hold on PostgreSQL


class SchemaVersion(BaseModel):
    """One applied migration."""

    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=200)
    applied_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "schema_version"


@dataclass(frozen=True)
class Migration:
    """A migration module found on disk."""

    version: int
    name: str
    module_name: str

    def run(self, db: peewee.Database) -> None:
        """Import the module and call its ``upgrade(db)``."""
        importlib.import_module(self.module_name).upgrade(db)


def discover() -> list[Migration]:
    """Every migration module in this package, ordered by number; duplicate numbers are an error."""
    found: dict[int, Migration] = {}
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.match(info.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:04d}")
        found[version] = Migration(version, match.group(2), f"{__name__}.{info.name}")
    return [found[v] for v in sorted(found)]


def applied_versions() -> set[int]:
    """The numbers recorded in ``schema_version`` (empty on a new database)."""
    if not database.table_exists(SchemaVersion._meta.table_name):
        return set()
    return {row.version for row in SchemaVersion.select(SchemaVersion.version)}


def _lock_context(db: peewee.Database):
    if is_postgres(db):
        return db.atomic()
    return db.atomic("IMMEDIATE")


def upgrade_database() -> list[Migration]:
    """Apply every pending migration; returns those applied now (empty when up to date)."""
    db = database.obj
    db.create_tables([SchemaVersion], safe=True)
    applied_now = []
    for migration in discover():
        with _lock_context(db):
            if is_postgres(db):
                db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
            if SchemaVersion.get_or_none(SchemaVersion.version == migration.version):
                continue
            log.info("applying migration %04d_%s", migration.version, migration.name)
            migration.run(db)
            SchemaVersion.create(version=migration.version, name=migration.name)
            applied_now.append(migration)
    return applied_now


def create_tables(db: peewee.Database, models: list[type[peewee.Model]]) -> None:
    """Create ``models``' tables and indexes where they do not exist yet."""
    db.create_tables(models, safe=True)


def add_column_if_missing(db: peewee.Database, table: str, column: str, field: peewee.Field) -> None:
    """Add ``column`` to ``table`` unless a fresh database already created it from the model."""
    if column in {c.name for c in db.get_columns(table)}:
        return
    migrator = PostgresqlMigrator(db) if is_postgres(db) else SqliteMigrator(db)
    migrate(migrator.add_column(table, column, field))
