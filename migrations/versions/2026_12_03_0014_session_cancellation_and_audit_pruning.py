"""one session of an event cancelled on its own; the audit log's retention exception

- ``park_event_sessions.cancelled_at`` and ``cancel_reason``: the committee cancels one
  session and the event goes on without it.
- The audit log's PostgreSQL trigger becomes one statement-level trigger that also refuses
  TRUNCATE, and lets a DELETE through only in a transaction that has set
  ``parkwell.audit_prune`` to ``on`` with ``SET LOCAL`` (what ``flask audit prune`` does,
  and nothing else). Downgrading puts 0011's row-level trigger back.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# The same statements as core.audit.models.POSTGRES_APPEND_ONLY (kept here as they were).
POSTGRES_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('parkwell.audit_prune', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""

# 0011's version.
POSTGRES_APPEND_ONLY_0011 = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade():
    with op.batch_alter_table('park_event_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', core.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), server_default='',
                                      nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_APPEND_ONLY)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_APPEND_ONLY_0011)
    with op.batch_alter_table('park_event_sessions', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
