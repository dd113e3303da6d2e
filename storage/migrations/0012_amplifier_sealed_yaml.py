"""Amplifier: seal the YAML of configs and of sessions' copies written before it was sealed.

Reads take plain YAML too (``agentdeck.amplifier.sealed_yaml``), so this is about what sits on
disk: a literal provider key in a config written by an earlier release stops being readable from
the database file or a backup once this has run.
"""
from agentdeck.amplifier.sealed_yaml import is_sealed, seal_yaml
from agentdeck.storage.models.amplifier import AmplifierConfig, AmplifierSession

_BATCH = 500


def _seal_column(model, column) -> None:
    last_id = ""
    while True:
        rows = list(model.select(model.id, column).where(model.id > last_id)
                    .order_by(model.id).limit(_BATCH).tuples())
        for row_id, stored in rows:
            if not is_sealed(stored):
                model.update({column: seal_yaml(stored)}).where(model.id == row_id).execute()
        if len(rows) < _BATCH:
            return
        last_id = rows[-1][0]


def upgrade(db):
    """Seal every config's YAML and every session's copy still stored in clear."""
    _seal_column(AmplifierConfig, AmplifierConfig.yaml_content)
    _seal_column(AmplifierSession, AmplifierSession.bundle_yaml)
