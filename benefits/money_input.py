"""Amounts typed in yuan become integer fen, exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def yuan_to_minor(value: Decimal | None) -> int:
    if value is None:
        return 0
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def minor_to_yuan(value: int) -> Decimal:
    """Fen as yuan for a form's field, exactly (80000 → 800.00)."""
    return Decimal(value) / 100
