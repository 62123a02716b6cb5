"""Promo codes: a voucher (an amount credited as it is redeemed) or a bonus (a percent added
to the customer's next top-up, whichever way it is paid).

A code is redeemed in one transaction: checked, a use taken by a conditional update that
two redemptions racing for the last use cannot both pass, the customer's one use recorded
(the schema refuses a second), and a voucher credited under the key ``promo:CODE:USER``. A
bonus waits, one at a time per customer, until :func:`apply_pending_bonus` credits it with
the top-up that :func:`shop.topups.credit_top_up` writes first. Customers who keep typing
codes that are no good are asked to wait (:data:`WRONG_CODES_ALLOWED` within
:data:`WRONG_CODES_WINDOW`); the attempts are stored, so a restart does not reset them.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from shop.ledger import credit
from shop.money import Currency
from shop.storage import (
    ConstraintError,
    Database,
    LedgerReason,
    NewPromoCode,
    PromoCodeRow,
    PromoKind,
    RedemptionRow,
    Repositories,
    utc_now,
)

if TYPE_CHECKING:  # read from an admin's words by shop.promo_input, which imports this
    from shop.promo_input import CodeSpec

#: What a code may be made of: 3 to 32 letters, digits, ``-`` and ``_``.
CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{3,32}")
#: Wrong codes a customer may type within :data:`WRONG_CODES_WINDOW`; then they wait.
WRONG_CODES_ALLOWED: Final = 5
WRONG_CODES_WINDOW: Final = timedelta(minutes=10)
#: Codes /promo list reads at most; the newest ones.
LIST_LIMIT: Final = 100


class PromoProblem(enum.StrEnum):
    """Why a code typed by a customer gave nothing."""

    UNKNOWN = "unknown"
    DISABLED = "disabled"
    EXPIRED = "expired"
    USED_UP = "used_up"
    ALREADY_USED = "already_used"
    BONUS_PENDING = "bonus_pending"
    TOO_MANY_TRIES = "too_many_tries"


#: Refusals that count as a wrong guess for throttling: the code itself is no good. A code
#: the customer used already, or a bonus of theirs still waiting, says nothing of guessing.
WRONG_GUESSES: Final = frozenset(
    {PromoProblem.UNKNOWN, PromoProblem.DISABLED, PromoProblem.EXPIRED, PromoProblem.USED_UP}
)


class PromoRefused(Exception):
    """A code gave nothing; ``problem`` says why. For :attr:`PromoProblem.TOO_MANY_TRIES`,
    ``retry_in`` is how long until the customer may try again."""

    def __init__(self, problem: PromoProblem, retry_in: timedelta = timedelta(0)) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.retry_in = retry_in

    @property
    def retry_minutes(self) -> int:
        """:attr:`retry_in` in whole minutes, rounded up (at least 1)."""
        return max(1, math.ceil(self.retry_in / timedelta(minutes=1)))


class PromoState(enum.StrEnum):
    """Where a code stands, for the admins' list."""

    ACTIVE = "active"
    OFF = "off"
    EXPIRED = "expired"
    USED_UP = "used_up"


def state_of(code: PromoCodeRow, now: datetime) -> PromoState:
    """Whether ``code`` can be redeemed at ``now``, and if not, why not."""
    if code.disabled_at is not None:
        return PromoState.OFF
    if code.expires_at is not None and now >= code.expires_at:
        return PromoState.EXPIRED
    if code.max_uses is not None and code.uses >= code.max_uses:
        return PromoState.USED_UP
    return PromoState.ACTIVE


@dataclass(frozen=True, slots=True)
class Redeemed:
    """A code redeemed: the voucher credited and the balance after it, or (``credited``
    0) the percent the customer's next top-up gets."""

    code: PromoCodeRow
    credited: Decimal
    balance: Decimal
    bonus_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PromoList:
    """The newest codes, and how many there are in all."""

    codes: list[PromoCodeRow]
    total: int


# --- the operations ----------------------------------------------------------------------------


def voucher_key(code: str, user_id: int) -> str:
    """Ledger key of a voucher: the code and the customer, who redeem it once."""
    return f"promo:{code}:{user_id}"


def bonus_key(redemption: RedemptionRow) -> str:
    """Ledger key of a bonus: the redemption that granted it, which applies once."""
    return f"promo-bonus:{redemption.code}:{redemption.user_id}"


async def create_code(db: Database, new: NewPromoCode, now: datetime) -> PromoCodeRow | None:
    """Store a new code; None when one with the same spelling (in any case) exists."""
    async with db.transaction() as tx:
        return await tx.promos.create(new, now)


async def disable_code(db: Database, code: str, now: datetime) -> PromoCodeRow | None:
    """Switch a code off, so nobody can redeem it any more; the code as it stands after,
    or None when there is no such code. Bonuses it granted already still apply."""
    async with db.transaction() as tx:
        await tx.promos.disable(code, now)
        return await tx.promos.get(code)


async def list_codes(db: Database, limit: int = LIST_LIMIT) -> PromoList:
    """The newest ``limit`` codes and the number of all."""
    async with db.read() as r:
        return PromoList(await r.promos.newest(limit), await r.promos.count())


async def _throttled(tx: Repositories, user_id: int, now: datetime) -> timedelta | None:
    """How long the customer must wait before a code is checked again; None: not at all."""
    since = now - WRONG_CODES_WINDOW
    await tx.promos.forget_wrong_attempts(user_id, since)
    attempts = await tx.promos.wrong_attempts_since(user_id, since)
    if len(attempts) < WRONG_CODES_ALLOWED:
        return None
    # The window opens again when enough of the attempts in it have aged out of it.
    return attempts[len(attempts) - WRONG_CODES_ALLOWED] + WRONG_CODES_WINDOW - now


async def _check_code(
    tx: Repositories, code: PromoCodeRow | None, user_id: int, now: datetime
) -> PromoProblem | None:
    if code is None:
        return PromoProblem.UNKNOWN
    state = state_of(code, now)
    if state is PromoState.OFF:
        return PromoProblem.DISABLED
    if state is PromoState.EXPIRED:
        return PromoProblem.EXPIRED
    if await tx.promos.redemption(code.code, user_id) is not None:
        return PromoProblem.ALREADY_USED
    if state is PromoState.USED_UP:
        return PromoProblem.USED_UP
    if code.kind is PromoKind.PERCENT and await tx.promos.pending_bonus(user_id) is not None:
        return PromoProblem.BONUS_PENDING
    return None


async def _redeem_in(
    tx: Repositories, user_id: int, text: str, now: datetime
) -> Redeemed | PromoRefused:
    wait = await _throttled(tx, user_id, now)
    if wait is not None:
        return PromoRefused(PromoProblem.TOO_MANY_TRIES, wait)
    spelled = text.strip()
    code = await tx.promos.get(spelled.upper()) if CODE_PATTERN.fullmatch(spelled) else None
    problem = await _check_code(tx, code, user_id, now)
    if problem is None:
        assert code is not None
        if not await tx.promos.take_use(code.code):
            problem = PromoProblem.USED_UP
    if problem is not None:
        if problem in WRONG_GUESSES:
            await tx.promos.record_wrong_attempt(user_id, now)
        return PromoRefused(problem)
    assert code is not None
    if code.kind is PromoKind.PERCENT:
        await tx.promos.add_redemption(code.code, user_id, code.value, now)
        return Redeemed(code, Decimal(0), await tx.ledger.balance(user_id), code.value)
    await tx.promos.add_redemption(code.code, user_id, None, now)
    movement = await credit(
        tx,
        user_id,
        code.value,
        LedgerReason.PROMO_VOUCHER,
        voucher_key(code.code, user_id),
        note=f"promo code {code.code}",
    )
    return Redeemed(code, code.value, movement.balance)


async def redeem(db: Database, user_id: int, text: str, now: datetime) -> Redeemed:
    """Redeem the code the customer typed (in any case); :class:`PromoRefused` says why
    nothing was given. A wrong guess is recorded even so."""
    try:
        async with db.transaction() as tx:
            outcome = await _redeem_in(tx, user_id, text, now)
    except ConstraintError:
        # The schema refused a second use of the code, or a second waiting bonus, that
        # another process wrote after this transaction's checks: checked again, they say
        # which (transactions of one process run one at a time, so only another can).
        async with db.transaction() as tx:
            outcome = await _redeem_in(tx, user_id, text, now)
    if isinstance(outcome, PromoRefused):
        raise outcome
    return outcome


async def apply_pending_bonus(
    tx: Repositories,
    currency: Currency,
    user_id: int,
    amount: Decimal,
    top_up_key: str,
) -> Decimal:
    """Credit the customer's waiting bonus on a top-up of ``amount`` just written under
    ``top_up_key``: its percent of the amount, rounded down. The bonus then counts as
    applied; one too small to be a minor unit keeps waiting for a larger top-up. The
    bonus credited (0 for none)."""
    pending = await tx.promos.pending_bonus(user_id)
    if pending is None or pending.bonus_percent is None:
        return Decimal(0)
    bonus = currency.round_down(amount * pending.bonus_percent / 100)
    if bonus <= 0:
        return Decimal(0)
    await tx.promos.mark_applied(pending.id, top_up_key, utc_now())
    await credit(
        tx,
        user_id,
        bonus,
        LedgerReason.PROMO_BONUS,
        bonus_key(pending),
        note=f"promo code {pending.code}: {pending.bonus_percent}% of {top_up_key}",
    )
    return bonus


async def bonus_given(tx: Repositories, top_up_key: str) -> Decimal:
    """The promo code bonus the top-up with ledger key ``top_up_key`` brought (0: none),
    which a refund of that top-up takes back with it."""
    redemption = await tx.promos.applied_to(top_up_key)
    if redemption is None:
        return Decimal(0)
    row = await tx.ledger.get_by_key(bonus_key(redemption))
    return Decimal(0) if row is None else row.amount


class Promos:
    """Promo codes as the admins create them and the customers redeem them."""

    def __init__(
        self, db: Database, currency: Currency, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._db = db
        self.currency = currency
        #: The moment it is: expiry, and the window of wrong codes, follow it.
        self.clock = clock

    async def create(self, admin_id: int, spec: CodeSpec) -> PromoCodeRow | None:
        """A new code, redeemable by ``spec.uses`` customers (None: any number) for
        ``spec.days`` days from now (None: until switched off); None when the code exists
        already."""
        now = self.clock()
        new = NewPromoCode(
            code=spec.code,
            kind=spec.value.kind,
            value=spec.value.value,
            max_uses=spec.uses,
            expires_at=None if spec.days is None else now + timedelta(days=spec.days),
            created_by=admin_id,
        )
        return await create_code(self._db, new, now)

    async def codes(self) -> PromoList:
        """The newest codes (up to :data:`LIST_LIMIT`) and how many there are in all."""
        return await list_codes(self._db)

    def state(self, code: PromoCodeRow) -> PromoState:
        """Where ``code`` stands now."""
        return state_of(code, self.clock())

    async def disable(self, code: str) -> PromoCodeRow | None:
        """Switch ``code`` off (see :func:`disable_code`); None when there is no such code."""
        return await disable_code(self._db, code, self.clock())

    async def waiting_bonus(self, user_id: int) -> RedemptionRow | None:
        """The customer's bonus waiting for their next top-up, or None."""
        async with self._db.read() as r:
            return await r.promos.pending_bonus(user_id)

    async def redeem(self, user_id: int, text: str) -> Redeemed:
        """Redeem the code the customer typed (see :func:`redeem`)."""
        return await redeem(self._db, user_id, text, self.clock())
