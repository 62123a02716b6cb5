"""Promo codes, their redemptions, and the wrong codes customers typed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shop.money import from_micros, to_micros
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time

#: A percent is stored in hundredths: 12.5% is 1250.
_PERCENT_SCALE = 100


class PromoKind(enum.StrEnum):
    """What a promo code gives: an amount on the balance, or a percent on the next top-up."""

    AMOUNT = "amount"
    PERCENT = "percent"


def _stored_percent(percent: Decimal) -> int:
    hundredths = percent * _PERCENT_SCALE
    if hundredths != hundredths.to_integral_value():
        raise ValueError(f"a percent has at most 2 decimals, not {percent}")
    return int(hundredths)


def _read_percent(hundredths: int) -> Decimal:
    percent = Decimal(hundredths).scaleb(-2)
    # 12.5, not 12.50; 10, not 1E+1.
    if percent == percent.to_integral_value():
        return percent.quantize(Decimal(1))
    return percent.normalize()


def _stored_value(kind: PromoKind, value: Decimal) -> int:
    return to_micros(value) if kind is PromoKind.AMOUNT else _stored_percent(value)


@dataclass(frozen=True, slots=True)
class PromoCodeRow:
    """A promo code: ``value`` is money for an amount, the percent for a percent."""

    id: int
    code: str
    kind: PromoKind
    value: Decimal
    #: None: no limit.
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    disabled_at: datetime | None
    created_by: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> PromoCodeRow:
        """The promo code stored in ``row``."""
        kind = PromoKind(row["kind"])
        return cls(
            id=row["id"],
            code=row["code"],
            kind=kind,
            value=from_micros(row["value"])
            if kind is PromoKind.AMOUNT
            else _read_percent(row["value"]),
            max_uses=row["max_uses"],
            uses=row["uses"],
            expires_at=optional_from_db_time(row["expires_at"]),
            disabled_at=optional_from_db_time(row["disabled_at"]),
            created_by=row["created_by"],
            created_at=from_db_time(row["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class RedemptionRow:
    """A customer's use of a code; for a percent code, the bonus it granted and the top-up
    it went to (None while it waits)."""

    id: int
    code: str
    user_id: int
    redeemed_at: datetime
    bonus_percent: Decimal | None
    applied_key: str | None
    applied_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> RedemptionRow:
        """The redemption stored in ``row``."""
        percent = row["bonus_percent"]
        return cls(
            id=row["id"],
            code=row["code"],
            user_id=row["user_id"],
            redeemed_at=from_db_time(row["redeemed_at"]),
            bonus_percent=None if percent is None else _read_percent(percent),
            applied_key=row["applied_key"],
            applied_at=optional_from_db_time(row["applied_at"]),
        )


@dataclass(frozen=True, slots=True)
class NewPromoCode:
    """A promo code as an admin asks for it; ``code`` upper-case already."""

    code: str
    kind: PromoKind
    value: Decimal
    max_uses: int | None
    expires_at: datetime | None
    created_by: int


class PromoRepository:
    """SQL for ``promo_codes``, ``promo_redemptions`` and ``promo_wrong_attempts``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- codes -------------------------------------------------------------------------------

    async def create(self, new: NewPromoCode, now: datetime) -> PromoCodeRow | None:
        """Store a new code; None (and nothing written) when the code exists already."""
        rows = await self._session.execute_returning(
            "INSERT INTO promo_codes"
            " (code, kind, value, max_uses, expires_at, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING *",
            (
                new.code,
                new.kind.value,
                _stored_value(new.kind, new.value),
                new.max_uses,
                None if new.expires_at is None else to_db_time(new.expires_at),
                new.created_by,
                to_db_time(now),
            ),
        )
        return PromoCodeRow.from_row(rows[0]) if rows else None

    async def get(self, code: str) -> PromoCodeRow | None:
        """The code spelled ``code`` (upper-case), or None."""
        row = await self._session.fetch_one("SELECT * FROM promo_codes WHERE code = ?", (code,))
        return None if row is None else PromoCodeRow.from_row(row)

    async def newest(self, limit: int) -> list[PromoCodeRow]:
        """Up to ``limit`` codes, newest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM promo_codes ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [PromoCodeRow.from_row(row) for row in rows]

    async def count(self) -> int:
        """How many codes there are."""
        return int(await self._session.fetch_value("SELECT count(*) FROM promo_codes"))

    async def disable(self, code: str, now: datetime) -> bool:
        """Switch a code off; False when it is off already (or does not exist)."""
        changed = await self._session.execute(
            "UPDATE promo_codes SET disabled_at = ? WHERE code = ? AND disabled_at IS NULL",
            (to_db_time(now), code),
        )
        return changed == 1

    async def take_use(self, code: str) -> bool:
        """Count one more use of the code, unless that would pass its limit: False then.

        One conditional statement: of two transactions racing for the last use, the second
        finds the limit reached, whoever checked what before.
        """
        changed = await self._session.execute(
            "UPDATE promo_codes SET uses = uses + 1"
            " WHERE code = ? AND (max_uses IS NULL OR uses < max_uses)",
            (code,),
        )
        return changed == 1

    # --- redemptions -------------------------------------------------------------------------

    async def redemption(self, code: str, user_id: int) -> RedemptionRow | None:
        """The customer's redemption of the code, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM promo_redemptions WHERE code = ? AND user_id = ?", (code, user_id)
        )
        return None if row is None else RedemptionRow.from_row(row)

    async def add_redemption(
        self, code: str, user_id: int, bonus_percent: Decimal | None, now: datetime
    ) -> RedemptionRow:
        """Record the customer's use of the code (with the bonus it grants, for a percent
        code). :class:`~shop.storage.errors.ConstraintError` when they used it before, or
        when a bonus of theirs waits already."""
        rows = await self._session.execute_returning(
            "INSERT INTO promo_redemptions (code, user_id, redeemed_at, bonus_percent)"
            " VALUES (?, ?, ?, ?) RETURNING *",
            (
                code,
                user_id,
                to_db_time(now),
                None if bonus_percent is None else _stored_percent(bonus_percent),
            ),
        )
        return RedemptionRow.from_row(rows[0])

    async def pending_bonus(self, user_id: int) -> RedemptionRow | None:
        """The customer's bonus waiting for their next top-up, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM promo_redemptions"
            " WHERE user_id = ? AND bonus_percent IS NOT NULL AND applied_at IS NULL",
            (user_id,),
        )
        return None if row is None else RedemptionRow.from_row(row)

    async def mark_applied(self, redemption_id: int, top_up_key: str, now: datetime) -> bool:
        """Record that the bonus went to the top-up with ledger key ``top_up_key``; False
        when it had gone to one already."""
        changed = await self._session.execute(
            "UPDATE promo_redemptions SET applied_key = ?, applied_at = ?"
            " WHERE id = ? AND bonus_percent IS NOT NULL AND applied_at IS NULL",
            (top_up_key, to_db_time(now), redemption_id),
        )
        return changed == 1

    async def applied_to(self, top_up_key: str) -> RedemptionRow | None:
        """The bonus that went to the top-up with this ledger key, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM promo_redemptions WHERE applied_key = ?", (top_up_key,)
        )
        return None if row is None else RedemptionRow.from_row(row)

    # --- wrong attempts ----------------------------------------------------------------------

    async def record_wrong_attempt(self, user_id: int, now: datetime) -> None:
        """Remember that the customer typed a code that was no good, at ``now``."""
        await self._session.execute(
            "INSERT INTO promo_wrong_attempts (user_id, attempted_at) VALUES (?, ?)",
            (user_id, to_db_time(now)),
        )

    async def wrong_attempts_since(self, user_id: int, since: datetime) -> list[datetime]:
        """When the customer typed a code that was no good, after ``since``, oldest first."""
        rows = await self._session.fetch_all(
            "SELECT attempted_at FROM promo_wrong_attempts"
            " WHERE user_id = ? AND attempted_at > ? ORDER BY attempted_at",
            (user_id, to_db_time(since)),
        )
        return [from_db_time(row[0]) for row in rows]

    async def forget_wrong_attempts(self, user_id: int, before: datetime) -> int:
        """Delete the customer's wrong attempts made before ``before``; how many."""
        return await self._session.execute(
            "DELETE FROM promo_wrong_attempts WHERE user_id = ? AND attempted_at <= ?",
            (user_id, to_db_time(before)),
        )
