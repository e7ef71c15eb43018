"""Capacity: the locks that serialise bookings of one practitioner and of one client, and
the counts taken under them.

Why row locks on ``practitioners`` and ``users``: slots are derived, never stored, so there
is no slot row to lock; but the practitioner row always exists, and every place a booking
can take (a one-to-one slot, a seat in a group class, or time blocked for the
practitioner's other services) belongs to exactly one practitioner. ``SELECT ... FOR
UPDATE`` on it serialises every writer that could change that practitioner's occupancy,
across any number of processes, and readers are never blocked. The client's own row is
locked next (same order everywhere: practitioners by id, then the client), so that the
same person cannot take two overlapping places from two requests. On SQLite, which has
one writer at a time, ``FOR UPDATE`` is left out by SQLAlchemy and the writer lock does
the same job.

Nothing external (mail, Stripe) ever runs under these locks: side effects wait for the
commit (``core.db.on_commit``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select

from booking.models import Booking, BookingStatus
from core.accounts.models import User
from core.db import db
from providers.models import Practitioner

#: A value in the statements below, or the bound parameter standing for it
#: (``_place_statement``).
Value = Any


def lock_practitioners_and_client(practitioner_ids: Iterable[int], client_id: int) -> None:
    """Take the row locks for one booking write, in the one global order. ``FOR NO KEY
    UPDATE`` (not ``FOR UPDATE``): writers still queue on these rows, but rows inserted
    with a foreign key to them (an idempotency key, a booking) take a key-share lock that
    must not wait on, nor be waited on by, this one; with ``FOR UPDATE`` two requests of the
    same person deadlocked."""
    for practitioner_id in sorted(set(practitioner_ids)):
        db.session.execute(select(Practitioner.id).where(Practitioner.id == practitioner_id)
                           .with_for_update(key_share=True))
    db.session.execute(select(User.id).where(User.id == client_id)
                       .with_for_update(key_share=True))


def live(now: Value):
    """The SQL condition of a booking that keeps its place at ``now``."""
    return or_(Booking.status == BookingStatus.CONFIRMED,
               and_(Booking.status == BookingStatus.HELD, Booking.hold_expires_at > now))


def _seats_taken(*, service_id: Value, practitioner_id: Value, starts_at: Value,
                 now: Value, excluding: Value = None):
    statement = select(func.coalesce(func.sum(Booking.seats), 0)).where(
        Booking.service_id == service_id, Booking.practitioner_id == practitioner_id,
        Booking.starts_at == starts_at, live(now))
    if excluding is not None:
        statement = statement.where(Booking.id != excluding)
    return statement


def seats_taken(*, service_id: int, practitioner_id: int, starts_at: datetime,
                now: datetime, excluding: int | None = None) -> int:
    return int(db.session.scalar(_seats_taken(
        service_id=service_id, practitioner_id=practitioner_id, starts_at=starts_at, now=now,
        excluding=excluding)) or 0)


def practitioner_blocked(*, practitioner_id: int, service_id: int, starts_at: datetime,
                         busy_from: datetime, busy_until: datetime, now: datetime,
                         excluding: int | None = None) -> bool:
    """Whether a live booking of the practitioner at another time, or of another service,
    overlaps this block. Bookings of the same service at the same start share its seats
    instead (``seats_taken``)."""
    return db.session.scalar(_practitioner_blocked(
        practitioner_id=practitioner_id, service_id=service_id, starts_at=starts_at,
        busy_from=busy_from, busy_until=busy_until, now=now, excluding=excluding
    ).limit(1)) is not None


def _practitioner_blocked(*, practitioner_id: Value, service_id: Value, starts_at: Value,
                          busy_from: Value, busy_until: Value, now: Value,
                          excluding: Value = None):
    statement = select(Booking.id).where(
        Booking.practitioner_id == practitioner_id, Booking.busy_from < busy_until,
        Booking.busy_until > busy_from, live(now),
        or_(Booking.service_id != service_id, Booking.starts_at != starts_at))
    if excluding is not None:
        statement = statement.where(Booking.id != excluding)
    return statement


def person_overlaps(*, client_id: int, dependant_id: int | None, starts_at: datetime,
                    ends_at: datetime, now: datetime, excluding: int | None = None) -> bool:
    """Whether the same person (the employee, or the same dependant) already has a live
    booking overlapping [starts_at, ends_at)."""
    return db.session.scalar(_person_overlaps(
        client_id=client_id, dependant_id=dependant_id, starts_at=starts_at, ends_at=ends_at,
        now=now, excluding=excluding).limit(1)) is not None


def _person_overlaps(*, client_id: Value, dependant_id: Value, starts_at: Value,
                     ends_at: Value, now: Value, excluding: Value = None):
    statement = select(Booking.id).where(
        Booking.client_id == client_id, Booking.starts_at < ends_at,
        Booking.ends_at > starts_at, live(now),
        Booking.dependant_id.is_(None) if dependant_id is None
        else Booking.dependant_id == dependant_id)
    if excluding is not None:
        statement = statement.where(Booking.id != excluding)
    return statement


@dataclass(frozen=True)
class Place:
    """What one statement found under the locks: the seats taken at this start, and whether
    the practitioner or the person is taken by an overlapping booking."""

    seats_taken: int
    practitioner_blocked: bool
    person_overlaps: bool


def place_taken(*, service_id: int, practitioner_id: int, client_id: int,
                dependant_id: int | None, starts_at: datetime, ends_at: datetime,
                busy_from: datetime, busy_until: datetime, now: datetime,
                excluding: int | None = None) -> Place:
    """``seats_taken``, ``practitioner_blocked`` and ``person_overlaps`` in one round trip
    (and one snapshot), for the booking paths that need all three."""
    values = {"service_id": service_id, "practitioner_id": practitioner_id,
              "client_id": client_id, "dependant_id": dependant_id, "starts_at": starts_at,
              "ends_at": ends_at, "busy_from": busy_from, "busy_until": busy_until,
              "now": now, "excluding": excluding}
    row = db.session.execute(_place_statement(for_dependant=dependant_id is not None,
                                              excluding=excluding is not None),
                             values).one()
    return Place(int(row[0] or 0), bool(row[1]), bool(row[2]))


@functools.cache
def _place_statement(*, for_dependant: bool, excluding: bool) -> Select:
    """``place_taken``'s statement, built once per shape with its values as parameters:
    every booking attempt asks it (twice when it books), and building the expression
    cost more than PostgreSQL's answer."""
    value: dict[str, Any] = {name: bindparam(name) for name in (
        "service_id", "practitioner_id", "client_id", "dependant_id", "starts_at",
        "ends_at", "busy_from", "busy_until", "now", "excluding")}
    value["dependant_id"] = value["dependant_id"] if for_dependant else None
    value["excluding"] = value["excluding"] if excluding else None
    return select(
        _seats_taken(service_id=value["service_id"], practitioner_id=value["practitioner_id"],
                     starts_at=value["starts_at"], now=value["now"],
                     excluding=value["excluding"]).scalar_subquery(),
        exists(_practitioner_blocked(
            practitioner_id=value["practitioner_id"], service_id=value["service_id"],
            starts_at=value["starts_at"], busy_from=value["busy_from"],
            busy_until=value["busy_until"], now=value["now"], excluding=value["excluding"])),
        exists(_person_overlaps(client_id=value["client_id"],
                                dependant_id=value["dependant_id"],
                                starts_at=value["starts_at"], ends_at=value["ends_at"],
                                now=value["now"], excluding=value["excluding"])))
