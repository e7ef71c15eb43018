"""The API's own table: the first answers of writes sent with an ``Idempotency-Key``
(``core.api.idempotency``). The table keeps its first name, ``booking_idempotency``: the
booking engine's writes were the first to take keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model, UTCDateTime


class IdempotencyRecord(Model):
    """The first answer to a write sent with an ``Idempotency-Key``.

    Inserted before the write, in the same transaction: a parallel retry with the same key
    waits on the unique index until the first commits, then replays its answer.
    """

    __tablename__ = "booking_idempotency"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the operation and its canonical body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
