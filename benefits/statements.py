"""Providers' settlement statements: per calendar month in the park's zone, what came in
(budget captures and card payments), the platform's fees, refunds, and the net owed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from benefits.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    TransactionKind,
)
from booking.models import Booking
from core.accounts.models import ProviderOrganisation, User
from core.bounds import month_in_bounds
from core.db import db
from core.errors import InvalidInput
from core.policy import Action, require
from providers.models import Service

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
INCOME = {TransactionKind.CAPTURE, TransactionKind.CARD_PAYMENT}
PAYMENT_REFERENCE = re.compile(r"(?:^|:)pay(\d+)(?=:|$)")


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: TransactionKind
    reference: str
    amount_minor: int
    #: What the movement was for, when it was a booking's payment (with its service and
    #: client); None for other movements, e.g. a park event's registration.
    booking: Booking | None = None

    @property
    def booking_id(self) -> int | None:
        return self.booking.id if self.booking else None

    @property
    def service(self) -> Service | None:
        return self.booking.service if self.booking else None

    @property
    def booking_starts_at(self) -> datetime | None:
        return self.booking.starts_at if self.booking else None


def _bookings_of(references: list[str | None]) -> dict[int, Booking]:
    """Each payment id named in the references, with its booking (and service) if any."""
    ids = {int(m[1]) for r in references if (m := PAYMENT_REFERENCE.search(r or ""))}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Payment.id, Booking).join(Booking, Booking.id == Payment.booking_id)
        .options(selectinload(Booking.service), selectinload(Booking.client))
        .where(Payment.id.in_(ids))).all()
    return dict(rows)


def _line(at: datetime, kind: TransactionKind, reference: str | None, amount: int,
          bookings: dict[int, Booking]) -> StatementLine:
    match = PAYMENT_REFERENCE.search(reference or "")
    booking = bookings.get(int(match[1])) if match else None
    return StatementLine(at, kind, reference or "", amount, booking=booking)


@dataclass(frozen=True)
class Statement:
    provider: ProviderOrganisation
    month: str
    currency: str
    lines: list[StatementLine]

    @property
    def gross_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines if line.kind in INCOME)

    @property
    def fees_minor(self) -> int:
        return -sum(line.amount_minor for line in self.lines
                    if line.kind is TransactionKind.FEE)

    @property
    def refunds_minor(self) -> int:
        return -sum(line.amount_minor for line in self.lines
                    if line.kind is TransactionKind.REFUND)

    @property
    def net_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)


def month_bounds(month: str, zone: str) -> tuple[datetime, datetime]:
    """The month's first and next month's first instant, in UTC. Raises InvalidInput."""
    match = MONTH.match(month or "")
    if not match or not month_in_bounds(month):
        message = _("Give a month between 1900-01 and 2200-12, as YYYY-MM.")
        raise InvalidInput(message, fields={"month": message})
    year, number = int(match[1]), int(match[2])
    tz = ZoneInfo(zone)
    start = datetime.combine(date(year, number, 1), time(), tzinfo=tz)
    end = datetime.combine(date(year + number // 12, number % 12 + 1, 1), time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def provider_statement(provider: ProviderOrganisation, *, month: str, actor: User,
                       currency: str = "CNY") -> Statement:
    """Raises NotFound/Forbidden (only the provider's owners and platform admins),
    InvalidInput (a month that is not YYYY-MM)."""
    require(actor, Action.MANAGE_PROVIDER, provider)
    start, end = month_bounds(month, provider.park.timezone)
    rows = db.session.execute(
        select(LedgerTransaction.created_at, LedgerTransaction.kind,
               LedgerTransaction.reference, LedgerEntry.amount_minor)
        .join(LedgerEntry.transaction).join(LedgerEntry.account)
        .where(LedgerAccount.kind == AccountKind.PROVIDER_PAYABLE,
               LedgerAccount.provider_id == provider.id, LedgerAccount.currency == currency,
               LedgerTransaction.created_at >= start, LedgerTransaction.created_at < end)
        .order_by(LedgerTransaction.id)).all()
    bookings = _bookings_of([reference for _at, _kind, reference, _amount in rows])
    return Statement(provider=provider, month=month, currency=currency,
                     lines=[_line(at, kind, reference, amount, bookings)
                            for at, kind, reference, amount in rows])


def statement_csv_rows(statement: Statement, *, locale: str = "zh_CN") -> list[list[str]]:
    rows = [["date_utc", "kind", "reference", "amount_minor", "currency", "booking_id",
             "service", "booking_starts_utc"]]
    rows += [[line.at.isoformat(), line.kind.value, line.reference, str(line.amount_minor),
              statement.currency, str(line.booking_id or ""),
              line.service.title(locale) if line.service else "",
              line.booking_starts_at.isoformat() if line.booking_starts_at else ""]
             for line in statement.lines]
    rows += [["", "gross", "", str(statement.gross_minor), statement.currency, "", "", ""],
             ["", "fees", "", str(statement.fees_minor), statement.currency, "", "", ""],
             ["", "refunds", "", str(statement.refunds_minor), statement.currency, "", "", ""],
             ["", "net", "", str(statement.net_minor), statement.currency, "", "", ""]]
    return rows
