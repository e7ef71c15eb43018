"""The audit log's one table. Append-only: the ORM refuses to update or delete a row, and on
PostgreSQL a trigger (installed by the migrations) refuses it in the database too, except
for the retention command's deliberate, logged pruning (``core.audit.services.prune``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, UTCDateTime


class AuditEvent(Model):
    """Who did what, to what, when (UTC) and from where. Never a health value."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: Plain ids, no foreign keys: the log outlives what it mentions.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)  #: a stable code
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    #: The person whose account or data this is about: what the owner's own view shows.
    subject_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditLogIsAppendOnly(RuntimeError):
    """A programming error: something tried to edit or delete the audit log."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(mapper: object, connection: object, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed")


#: The transaction-local setting that lets ``flask audit prune`` delete old entries (and
#: nothing else, and nothing outside that command's own transaction: see ``prune``).
PRUNE_SETTING = "parkwell.audit_prune"

#: PostgreSQL: refuse UPDATE, DELETE and TRUNCATE on the table itself (run by the
#: migrations: 0011, and 0014 for the pruning exception and TRUNCATE). The one exception is
#: a DELETE in a transaction that has set ``parkwell.audit_prune`` to ``on`` with
#: ``SET LOCAL``, which only the prune command does. One statement-level trigger: it also
#: refuses statements that match no row, and costs nothing per row.
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

POSTGRES_DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
DROP FUNCTION IF EXISTS audit_events_append_only();
"""
