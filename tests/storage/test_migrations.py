"""Numbered migrations: recorded once, applied in order, safe when several processes start."""
import threading

import pytest

from click.testing import CliRunner

from agentdeck.cli import main
from agentdeck.storage.db import database
from agentdeck.storage.migrations import SchemaVersion, add_column_if_missing, discover, upgrade_database


def test_every_migration_is_recorded_once(app):
    versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
    assert versions == [m.version for m in discover()]
    assert versions[:2] == [1, 2]
    assert upgrade_database() == []


def test_concurrent_upgrades_apply_nothing_twice(app):
    SchemaVersion.delete().where(SchemaVersion.version == max(m.version for m in discover())).execute()
    results, errors = [], []

    def run():
        try:
            results.append(len(upgrade_database()))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert sorted(results) == [0, 0, 0, 1]


def test_add_column_if_missing_is_idempotent(app):
    import peewee

    db = database.obj
    add_column_if_missing(db, "augmentos_error_report", "severity", peewee.CharField(null=True, default=None))
    add_column_if_missing(db, "augmentos_error_report", "severity", peewee.CharField(null=True, default=None))
    assert "severity" in {c.name for c in db.get_columns("augmentos_error_report")}


@pytest.mark.empty_database
def test_db_upgrade_command(settings):
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "applied 0001_core" in result.output
    again = CliRunner().invoke(main, ["db", "upgrade"])
    assert "database is up to date" in again.output
