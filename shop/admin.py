"""What the owner and staff see and do from the admin group: the shop's state, figures,
any order or customer, corrections, catalogue switches and prices."""

from __future__ import annotations

import asyncio
import enum
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from api import Balance, PanelClient, PanelError
from shop.catalogue import SYNCED_AT_META_KEY
from shop.ledger import Movement, adjust
from shop.money import Currency
from shop.panels import Panels
from shop.storage import (
    ACTIVE_ORDER_STATES,
    Database,
    LedgerRow,
    OrderRow,
    OrderState,
    RefillRow,
    SalesFigures,
    TransitionRow,
    UserRow,
    utc_now,
)
from shop.terms import MARKUP_META_KEY
from shop.topups import REASONS, TopUpMethod


class AdminInputError(ValueError):
    """An admin command's argument that does not parse; ``key`` names the explanation."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class ShopStatus:
    """The shop at a glance, for /panel."""

    panel_url: str
    panel_balance: Balance | None
    panel_error: str | None
    services_for_sale: int
    services_stored: int
    synced_at: str | None
    active_orders: int
    uncertain_orders: int
    active_refills: int
    #: When the tracker last asked the panel for statuses; None: not since the start.
    last_poll_at: datetime | None = None


async def shop_status(
    db: Database, panel: PanelClient, last_poll_at: datetime | None = None
) -> ShopStatus:
    """The panel's balance (asked now) and the shop's counts; ``last_poll_at`` is the
    tracker's, told as it is."""
    balance: Balance | None = None
    error: str | None = None
    try:
        balance = await panel.balance()
    except PanelError as exc:
        error = str(exc)
    async with db.read() as r:
        states = await r.orders.counts_by_state()
        return ShopStatus(
            panel_url=panel.url,
            panel_balance=balance,
            panel_error=error,
            services_for_sale=await r.services.count(available_only=True),
            services_stored=await r.services.count(),
            synced_at=await r.meta.get(SYNCED_AT_META_KEY),
            active_orders=sum(states.get(state, 0) for state in ACTIVE_ORDER_STATES),
            uncertain_orders=states.get(OrderState.UNKNOWN, 0),
            active_refills=await r.refills.count_active(),
            last_poll_at=last_poll_at,
        )


@dataclass(frozen=True, slots=True)
class PanelState:
    """One of the shop's panels at a glance, for /panels."""

    name: str
    url: str
    #: Asked now; None when the panel did not answer (``error`` says why).
    balance: Balance | None
    error: str | None
    #: Services its last catalogue lists, of those the shop knows from it.
    services_listed: int
    services_known: int
    active_orders: int


async def panel_states(db: Database, panels: Panels) -> list[PanelState]:
    """Every panel's balance (all asked at once) and the shop's counts at it, main first."""

    async def balance_of(client: PanelClient) -> tuple[Balance | None, str | None]:
        try:
            return await client.balance(), None
        except PanelError as exc:
            return None, str(exc)

    answers = await asyncio.gather(*(balance_of(client) for _, client in panels))
    async with db.read() as r:
        listings = await r.listings.counts_by_panel()
        active = await r.orders.active_by_panel(ACTIVE_ORDER_STATES | {OrderState.UNKNOWN})
    return [
        PanelState(
            name=name,
            url=client.url,
            balance=balance,
            error=error,
            services_listed=listings.get(name, (0, 0))[0],
            services_known=listings.get(name, (0, 0))[1],
            active_orders=active.get(name, 0),
        )
        for (name, client), (balance, error) in zip(panels, answers, strict=True)
    ]


class Period(enum.StrEnum):
    """The periods /stats reports on: whole days in UTC, today the last of them."""

    TODAY = "today"
    WEEK = "7d"
    MONTH = "30d"
    QUARTER = "90d"

    @property
    def days(self) -> int:
        """How many days the period covers, today included."""
        return 1 if self is Period.TODAY else int(self.value.removesuffix("d"))

    def since(self, now: datetime) -> datetime:
        """The period's first moment: midnight (UTC) of its first day. Whole days, so the
        figures and the chart's days count the same sales."""
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight - timedelta(days=self.days - 1)


def read_period(text: str | None) -> Period:
    """``today`` (the default), ``7d``, ``30d`` or ``90d``."""
    try:
        return Period((text or "today").strip().lower())
    except ValueError:
        raise AdminInputError("admin-bad-period") from None


async def sales(db: Database, period: Period) -> SalesFigures:
    """The figures of ``period``, up to now (UTC)."""
    async with db.read() as r:
        return await r.stats.sales_since(period.since(utc_now()))


#: The largest id SQLite stores (a signed 64-bit INTEGER); a longer number is no one's id.
MAX_ID = 2**63 - 1
#: The largest correction /credit or /debit makes at once; far below what a balance holds.
MAX_AMOUNT = Decimal(1_000_000_000)


def read_id(text: str | None) -> int:
    """A positive whole number: an order, a service or a Telegram id."""
    cleaned = (text or "").strip().lstrip("#")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 20:
        raise AdminInputError("admin-bad-id")
    value = int(cleaned)
    # 0 is no one's id: a panel order 0 attached to an order would never be followed.
    if not 0 < value <= MAX_ID:
        raise AdminInputError("admin-bad-id")
    return value


def read_amount(text: str | None, *, allow_zero: bool = False) -> Decimal:
    """A positive amount of money, like 5 or 12.50, up to :data:`MAX_AMOUNT`; 0 too with
    ``allow_zero``."""
    try:
        amount = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        raise AdminInputError("admin-bad-amount") from None
    # Bounded before quantize(): "1e30" has more digits than the context holds.
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        raise AdminInputError("admin-bad-amount")
    if amount == 0 and not allow_zero:
        raise AdminInputError("admin-bad-amount")
    if amount != amount.quantize(Decimal("0.000001")):
        raise AdminInputError("admin-bad-amount")
    return amount


def read_money(text: str | None, currency: Currency, *, allow_zero: bool = False) -> Decimal:
    """An amount as :func:`read_amount` reads it, in whole minor units of ``currency``."""
    amount = read_amount(text, allow_zero=allow_zero)
    if not currency.is_exact(amount):
        raise AdminInputError("admin-bad-amount")
    return amount


def read_percent(text: str | None) -> Decimal:
    """A markup percent from 0 to 10000, with or without ``%``."""
    try:
        percent = Decimal((text or "").strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        raise AdminInputError("admin-bad-percent") from None
    if not percent.is_finite() or not 0 <= percent <= 10000:
        raise AdminInputError("admin-bad-percent")
    return percent


@dataclass(frozen=True, slots=True)
class OrderDetails:
    """Everything about one order, for /order."""

    order: OrderRow
    service_name: str
    transitions: list[TransitionRow]
    ledger: list[LedgerRow]
    refills: list[RefillRow]


async def order_details(db: Database, reference: int) -> OrderDetails | None:
    """The order with this shop id, or else with this panel id."""
    async with db.read() as r:
        order = await r.orders.get(reference) or await r.orders.get_by_panel_id(reference)
        if order is None:
            return None
        service = await r.services.get(order.service_id)
        return OrderDetails(
            order=order,
            service_name=service.name if service else str(order.service_id),
            transitions=await r.orders.transitions(order.id),
            ledger=await r.ledger.rows_for_order(order.id),
            refills=await r.refills.for_order(order.id),
        )


async def uncertain_orders(db: Database, limit: int = 20) -> list[OrderRow]:
    """Orders whose placement is uncertain, oldest first."""
    async with db.read() as r:
        return await r.orders.in_states([OrderState.UNKNOWN], 0, limit)


_USERNAME = re.compile(r"^@?[A-Za-z0-9_]{3,32}$")


@dataclass(frozen=True, slots=True)
class UserReference:
    """A customer as an admin names them: by Telegram id, or else by @username."""

    user_id: int | None = None
    username: str | None = None


def read_user(text: str | None) -> UserReference:
    """A Telegram id or an @username (the @ may be left out)."""
    reference = (text or "").strip()
    if reference.isascii() and reference.isdigit():
        return UserReference(user_id=read_id(reference))
    if _USERNAME.match(reference):
        return UserReference(username=reference)
    raise AdminInputError("admin-bad-user")


async def find_user(db: Database, reference: UserReference) -> UserRow | None:
    """The customer named by ``reference``, if the shop knows them."""
    async with db.read() as r:
        if reference.user_id is not None:
            return await r.users.get(reference.user_id)
        assert reference.username is not None
        return await r.users.find_by_username(reference.username)


def read_switch(text: str | None) -> bool:
    """``on`` (True) or ``off`` (False), in any case."""
    switch = (text or "").strip().lower()
    if switch not in ("on", "off"):
        raise AdminInputError("admin-bad-switch")
    return switch == "on"


#: A panel's name as PANELS gives it.
_PANEL_NAME = re.compile(r"[a-z0-9-]{1,32}")


def read_panel_choice(text: str | None) -> str:
    """A panel's name, or ``cheapest`` (any case)."""
    name = (text or "").strip().lower()
    if not _PANEL_NAME.fullmatch(name):
        raise AdminInputError("admin-bad-panel")
    return name


def read_listing(text: str | None) -> tuple[str, int]:
    """A panel's service: ``<panel>:<its service id>``, like ``second:101``."""
    panel, colon, service = (text or "").strip().partition(":")
    if not colon:
        raise AdminInputError("admin-bad-listing")
    return read_panel_choice(panel), read_id(service)


def read_markup(text: str | None) -> Decimal | None:
    """A service's own markup percent, or ``reset`` (None): back to the shop's default."""
    if (text or "").strip().lower() == "reset":
        return None
    return read_percent(text)


def read_reason(text: str | None) -> str:
    """Why an admin corrects a balance: any text but none."""
    reason = (text or "").strip()
    if not reason:
        raise AdminInputError("admin-bad-reason")
    return reason


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A customer at a glance, for /user."""

    user: UserRow
    balance: Decimal
    orders: int
    recent_orders: list[OrderRow]
    referrals: int
    #: What the customer's top-ups of each way to pay added, every way listed.
    top_ups: dict[TopUpMethod, Decimal] = field(default_factory=dict)


async def user_summary(db: Database, user: UserRow) -> UserSummary:
    async with db.read() as r:
        totals = await r.ledger.totals_by_reason(user.id)
        return UserSummary(
            user=user,
            balance=await r.ledger.balance(user.id),
            orders=await r.orders.count_for_user(user.id),
            recent_orders=await r.orders.list_for_user(user.id, 0, 5),
            referrals=await r.users.count_referrals(user.id),
            top_ups={method: totals.get(REASONS[method], Decimal(0)) for method in TopUpMethod},
        )


async def correct_balance(
    db: Database, user: UserRow, amount: Decimal, note: str, command_key: str
) -> Movement:
    """Credit (positive) or debit (negative) a customer. ``command_key`` identifies the
    admin's command, so the same command delivered twice moves money once."""
    return await adjust(db, user.id, amount, note, f"admin:{command_key}")


async def set_service_enabled(db: Database, service_id: int, enabled: bool) -> bool:
    """Switch a service on or off for customers; False if there is no such service."""
    async with db.transaction() as tx:
        return await tx.services.set_enabled(service_id, enabled)


async def set_service_markup(db: Database, service_id: int, percent: Decimal | None) -> bool:
    """Give a service its own markup, or (None) back to the shop's default."""
    async with db.transaction() as tx:
        return await tx.services.set_markup_override(service_id, percent)


async def set_default_markup(db: Database, percent: Decimal) -> None:
    """The markup of every service without its own."""
    async with db.transaction() as tx:
        await tx.meta.set(MARKUP_META_KEY, format(percent, "f"))
