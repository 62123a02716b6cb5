"""Money: the shop's currency, rounded explicitly, and its exact form in the books.

Amounts are :class:`~decimal.Decimal`, never float. The books keep them as integer
micro-units (amount x 10^6), so that a balance computed with SQLite's ``SUM()`` is exact;
:func:`to_micros` and :func:`from_micros` convert at the storage's boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Final


@dataclass(frozen=True, slots=True)
class Currency:
    """The shop's currency and its minor unit (``decimals=2``: amounts in cents)."""

    code: str
    decimals: int

    @property
    def quantum(self) -> Decimal:
        """The minor unit as a Decimal: ``Decimal("0.01")`` for two decimals."""
        return Decimal(1).scaleb(-self.decimals)

    def round_up(self, amount: Decimal) -> Decimal:
        """Up to the minor unit: what the shop charges never falls short of its price."""
        return amount.quantize(self.quantum, rounding=ROUND_CEILING)

    def round_down(self, amount: Decimal) -> Decimal:
        """Down to the minor unit: what the shop pays back never exceeds what is due."""
        return amount.quantize(self.quantum, rounding=ROUND_FLOOR)

    def is_exact(self, amount: Decimal) -> bool:
        """True when ``amount`` has no more decimals than the minor unit allows."""
        return amount == amount.quantize(self.quantum)

    def format(self, amount: Decimal) -> str:
        """``12.30 USD``: the amount at the currency's decimals, with its code."""
        return f"{amount.quantize(self.quantum):f} {self.code}"


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
