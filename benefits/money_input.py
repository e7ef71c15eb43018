"""Amounts typed in yuan become integer fen, exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def yuan_to_minor(value: Decimal | None) -> int:
    if value is None:
        return 0
    return int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
