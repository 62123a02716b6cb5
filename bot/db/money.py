"""Exact money in the database: integer micro-units (amount x 10^6).

SQLite sums integers exactly, so a balance computed with ``SUM()`` is exact; these helpers
convert between micro-units and :class:`~decimal.Decimal` at the repositories' boundary.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Final

#: The smallest amount the books keep: one micro-unit.
MICRO: Final = Decimal("0.000001")
# SQLite stores a signed 64-bit INTEGER: about 9.2 trillion in money units.
_MAX_MICROS: Final = 2**63 - 1


def to_micros(amount: Decimal) -> int:
    """``Decimal("1.25")`` -> ``1250000``; ValueError for more than 6 decimals or non-finite."""
    if not isinstance(amount, Decimal):
        # A float here would already have lost exactness; refuse it instead of hiding that.
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"money must be a finite number, not {amount}")
    try:
        exact = amount.quantize(MICRO)
    except InvalidOperation as exc:
        raise ValueError(f"money amount out of range: {amount}") from exc
    if exact != amount:
        raise ValueError(f"money has more than 6 decimals: {amount}")
    micros = int(exact.scaleb(6))
    if abs(micros) > _MAX_MICROS:
        raise ValueError(f"money amount out of range: {amount}")
    return micros


def fits_micros(amount: Decimal) -> bool:
    """True when :func:`to_micros` takes ``amount``: finite, at most 6 decimals, in range."""
    try:
        to_micros(amount)
    except (TypeError, ValueError):
        return False
    return True


def from_micros(micros: int) -> Decimal:
    """``1250000`` -> ``Decimal("1.25")``; whole amounts come back without a fraction."""
    amount = Decimal(micros).scaleb(-6)
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    # normalize() strips the trailing zeros of the fraction; the value has no exponent form
    # here because it is not whole.
    return amount.normalize()
