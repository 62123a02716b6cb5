"""Money in the shop's currency: Decimal only, rounded explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


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
