"""Augur: how far along each stored step record is (``augur_step.revision``), so that an older
version of a step arriving late does not replace a newer one."""
import peewee

from agentdeck.storage.migrations import add_column_if_missing


def upgrade(db):
    """Add the column; steps stored before it count as revision 0, replaced by any later PUT."""
    add_column_if_missing(db, "augur_step", "revision", peewee.BigIntegerField(default=0))
