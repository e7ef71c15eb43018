"""Money as integer minor units (fen for CNY) with a currency code. Never floats.

Shares are in basis points (1/100 of a percent; ``FULL`` = 10000 is everything), and every
share of an amount in ParkWell (a platform fee, a refund, a category cap, a pro-rata part)
is computed by ``share``, with one rounding rule: **round down to the fen**. A share is
therefore never more than its exact value, and the shares of an amount's parts never add
up to more than the share of the whole (see docs/payments.md, "Money").
"""

from __future__ import annotations

from dataclasses import dataclass

#: A whole share, in basis points.
FULL = 10_000


def share(amount_minor: int, basis_points: int) -> int:
    """``basis_points`` of ``amount_minor``, rounded down to the fen (toward zero for a
    negative amount, so that a share of a debit mirrors the share of the credit). Raises
    ValueError for a share outside 0..FULL (a programming error)."""
    if not 0 <= basis_points <= FULL:
        raise ValueError(f"a share is between 0 and {FULL} basis points, not {basis_points}")
    if amount_minor < 0:
        return -share(-amount_minor, basis_points)
    return amount_minor * basis_points // FULL


def share_of(part: int, whole: int) -> int:
    """What ``part`` is of ``whole``, in basis points, rounded down (a pro-rata share: 2 days
    of 3 is 6666). Raises ValueError when ``whole`` is not positive or ``part`` is outside
    0..whole."""
    if whole <= 0 or not 0 <= part <= whole:
        raise ValueError(f"{part} is not a part of {whole}")
    return part * FULL // whole


def prorate(amount_minor: int, part: int, whole: int) -> int:
    """``amount_minor`` in the proportion ``part`` : ``whole`` (one session's part of a
    course's budget share), rounded down like every share. Raises ValueError when
    ``whole`` is not positive or ``part`` is outside 0..whole."""
    if whole <= 0 or not 0 <= part <= whole:
        raise ValueError(f"{part} is not a part of {whole}")
    return amount_minor * part // whole


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 code: {self.currency!r}")

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def percent(self, basis_points: int) -> Money:
        """A share in basis points, rounded down to the fen (``share``)."""
        return Money(share(self.minor, basis_points), self.currency)

    @property
    def major_decimal(self) -> str:
        """The amount as a decimal string (for Babel), computed without floats."""
        sign = "-" if self.minor < 0 else ""
        whole, cents = divmod(abs(self.minor), 100)
        return f"{sign}{whole}.{cents:02d}"
