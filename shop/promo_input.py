"""What an admin writes to make a promo code (``/promo new CODE <amount|percent%> [uses]
[days]``), read into what :meth:`shop.promos.Promos.create` takes. Each reader raises
:class:`shop.admin.AdminInputError` for words it cannot read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from shop.admin import AdminInputError, read_money
from shop.money import Currency
from shop.promos import CODE_PATTERN
from shop.storage import PromoKind

#: The bounds of a percent code.
MIN_PERCENT: Final = Decimal(1)
MAX_PERCENT: Final = Decimal(100)
#: Bounds of ``uses`` and ``days``, far above any real code's, so no number typed can
#: overflow what SQLite or a datetime holds.
MAX_USES: Final = 1_000_000_000
MAX_DAYS: Final = 36_500


@dataclass(frozen=True, slots=True)
class PromoValue:
    """What a new code gives: an amount of money, or a percent."""

    kind: PromoKind
    value: Decimal


def read_code(text: str | None) -> str:
    """A code as an admin or a customer writes it, upper-case: 3 to 32 letters, digits,
    ``-`` and ``_``."""
    code = (text or "").strip()
    if not CODE_PATTERN.fullmatch(code):
        raise AdminInputError("admin-bad-promo-code")
    return code.upper()


def read_value(text: str | None, currency: Currency) -> PromoValue:
    """``5`` or ``2.50``: an amount in ``currency`` (its decimals at most); ``10%`` or
    ``12.5%``: a percent from 1 to 100 with 2 decimals at most."""
    written = (text or "").strip()
    if not written.endswith("%"):
        return PromoValue(PromoKind.AMOUNT, read_money(written, currency))
    try:
        percent = Decimal(written.removesuffix("%").replace(",", "."))
    except InvalidOperation:
        raise AdminInputError("admin-bad-percent") from None
    # Bounded before quantize(): "1e99%" has more digits than the context holds.
    if not percent.is_finite() or not MIN_PERCENT <= percent <= MAX_PERCENT:
        raise AdminInputError("admin-bad-percent")
    if percent != percent.quantize(Decimal("0.01")):
        raise AdminInputError("admin-bad-percent")
    return PromoValue(PromoKind.PERCENT, percent)


def _read_count(text: str | None, largest: int) -> int:
    cleaned = (text or "").strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > len(str(largest)):
        raise AdminInputError("admin-bad-count")
    value = int(cleaned)
    if not 0 < value <= largest:
        raise AdminInputError("admin-bad-count")
    return value


def read_uses(text: str | None) -> int:
    """How many customers may redeem a code: a whole number from 1."""
    return _read_count(text, MAX_USES)


def read_days(text: str | None) -> int:
    """For how many days a code can be redeemed: a whole number from 1."""
    return _read_count(text, MAX_DAYS)


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """A new code as ``/promo new`` gives it: ``CODE <amount|percent%> [uses] [days]``."""

    code: str
    value: PromoValue
    uses: int | None = None
    days: int | None = None


def read_spec(text: str | None, currency: Currency) -> CodeSpec:
    """``SUMMER 5``, ``summer 10% 100 30``: a code, what it gives, and optionally how many
    customers may redeem it and for how many days."""
    words = (text or "").split()
    if not 2 <= len(words) <= 4:
        raise AdminInputError("admin-bad-promo")
    uses = read_uses(words[2]) if len(words) > 2 else None
    days = read_days(words[3]) if len(words) > 3 else None
    return CodeSpec(read_code(words[0]), read_value(words[1], currency), uses, days)
