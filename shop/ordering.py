"""Quotes, and placing orders exactly once.

The promise: a confirmed quote becomes at most one order at the panel, and the customer's
money is never lost. The steps (see DESIGN.md, "Exactly-once placement"):

1. One transaction consumes the quote, checks its service is still on sale and prices it
   again, inserts the order as ``submitting`` and debits the customer. A quote holds its
   price for a while, but not against the shop's changes: off sale, the order is refused;
   dearer, a new quote is shown instead; cheaper, the lower price is charged.
2. ``add`` is called once. An order id makes the order ``pending``; a definite refusal makes
   it ``failed`` and refunds it in the same transaction; an ambiguous failure makes it
   ``unknown``: the money stays held, nothing is retried, the admins are alerted. A
   definite refusal that is the shop's (no funds at the panel, the service off there, the
   panel not reached) first fails over: the order is re-pointed, in a transaction, to an
   alternative listing of its service costing less than its price, and ``add`` is called
   there once; the quote, the price and the charge stay the same.
3. At start-up, orders left ``submitting`` by a stopped process become ``unknown`` too.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from api import (
    CustomCommentsOrder,
    DefaultOrder,
    InvalidRequest,
    MentionsCustomListOrder,
    MentionsHashtagOrder,
    MentionsUserFollowersOrder,
    MentionsWithHashtagsOrder,
    OrderRequest,
    OrderType,
    PanelClient,
    PanelError,
    PanelUnreachable,
    PollOrder,
    SubscriptionOrder,
    request_from_fields,
)
from shop.alerts import Alerts
from shop.ledger import credit, debit
from shop.notices import Notices
from shop.panels import Panels, UnknownPanel
from shop.pricing import Price, UnpriceableOrder, panel_cost, price_order, recorded_cost
from shop.refusals import RefusalReason, classify_refusal
from shop.storage import (
    ConstraintError,
    Database,
    Destination,
    LedgerReason,
    ListingRow,
    NewQuote,
    OrderRow,
    OrderState,
    QuoteRow,
    Repositories,
    ServiceRow,
    fits_micros,
    utc_now,
)
from shop.terms import Terms

logger = logging.getLogger(__name__)


def charge_key(order_id: int) -> str:
    """Ledger key of an order's charge."""
    return f"charge:order:{order_id}"


def refund_key(order_id: int) -> str:
    """Ledger key of an order's refund; one refund per order, whatever its cause."""
    return f"refund:order:{order_id}"


# --- quotes ---------------------------------------------------------------------------------


class QuoteProblem(enum.StrEnum):
    """Why an order form cannot be quoted."""

    SERVICE_UNAVAILABLE = "service_unavailable"
    WRONG_TYPE = "wrong_type"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    DRIP_FEED_UNAVAILABLE = "drip_feed_unavailable"
    UNPRICEABLE = "unpriceable"


class QuoteRefused(Exception):
    """The order form cannot be quoted; ``limit`` is the bound broken, where there is one."""

    def __init__(self, problem: QuoteProblem, limit: int | None = None) -> None:
        super().__init__(problem.value if limit is None else f"{problem.value} ({limit})")
        self.problem = problem
        self.limit = limit


def bounded_count(request: OrderRequest) -> int | None:
    """The number the panel checks against the service's min and max, if any.

    Drip-feed checks each run's quantity; lists are counted by their lines; packages have
    no quantity. Subscriptions are checked on their own min and max.
    """
    match request:
        case (
            DefaultOrder()
            | MentionsWithHashtagsOrder()
            | MentionsHashtagOrder()
            | MentionsUserFollowersOrder()
            | PollOrder()
        ):
            return request.quantity
        case CustomCommentsOrder() if request.order_type is OrderType.CUSTOM_COMMENTS:
            return len(request.comments)
        case MentionsCustomListOrder():
            return len(request.usernames)
    return None


def _check_limits(request: OrderRequest, low: int, high: int) -> None:
    counts: list[int] = []
    if isinstance(request, SubscriptionOrder):
        counts = [request.min, request.max]
    elif (count := bounded_count(request)) is not None:
        counts = [count]
    for count in counts:
        if count < low:
            raise QuoteRefused(QuoteProblem.BELOW_MINIMUM, low)
        if count > high:
            raise QuoteRefused(QuoteProblem.ABOVE_MAXIMUM, high)


async def quote_order(
    db: Database, terms: Terms, user_id: int, request: OrderRequest, now: datetime | None = None
) -> QuoteRow:
    """Check ``request`` against its service, price it, and store the quote the customer
    will confirm. A confirmation never charges more than this price (see
    :func:`start_order`)."""
    now = now or utc_now()
    async with db.transaction() as tx:
        return await store_quote(tx, terms, user_id, request, now)


async def store_quote(
    tx: Repositories, terms: Terms, user_id: int, request: OrderRequest, now: datetime
) -> QuoteRow:
    """:func:`quote_order` within the caller's transaction."""
    _, price = await _price_now(tx, terms, request)
    return await _stored_quote(tx, terms, user_id, request, price, now=now)


async def _stored_quote(
    tx: Repositories,
    terms: Terms,
    user_id: int,
    request: OrderRequest,
    price: Price,
    *,
    now: datetime,
) -> QuoteRow:
    return await tx.quotes.create(
        NewQuote(
            user_id=user_id,
            service_id=request.service,
            order_type=request.order_type.value,
            fields=request.to_form(),
            units=price.units,
            price=price.price,
            cost=price.recorded_cost,
            expires_at=now + terms.quote_ttl,
        )
    )


async def _price_now(
    tx: Repositories, terms: Terms, request: OrderRequest
) -> tuple[ServiceRow, Price]:
    """The service of ``request`` and its price, with the service and the shop's terms as
    they stand; :class:`QuoteRefused` when it is not for sale this way."""
    service = await tx.services.get(request.service)
    if service is None or not service.available:
        raise QuoteRefused(QuoteProblem.SERVICE_UNAVAILABLE)
    if service.order_type is not request.order_type:
        raise QuoteRefused(QuoteProblem.WRONG_TYPE)
    if isinstance(request, DefaultOrder) and request.is_drip_feed and not service.dripfeed:
        raise QuoteRefused(QuoteProblem.DRIP_FEED_UNAVAILABLE)
    _check_limits(request, service.least_quantity, service.max)
    markup = await terms.markup_for(tx, service)
    try:
        price = price_order(service.rate, markup, terms.currency, request)
    except UnpriceableOrder:
        raise QuoteRefused(QuoteProblem.UNPRICEABLE) from None
    # A price of nothing cannot be charged, and one too large for the books cannot be kept.
    if price.price <= 0 or not fits_micros(price.price) or not fits_micros(price.recorded_cost):
        raise QuoteRefused(QuoteProblem.UNPRICEABLE)
    return service, price


# --- placement ------------------------------------------------------------------------------


class PlacementOutcome(enum.StrEnum):
    """How a confirmation ended."""

    #: The panel took the order; ``order.panel_order_id`` is its id.
    PLACED = "placed"
    #: The panel refused; the order failed and its price was refunded.
    REFUSED = "refused"
    #: The panel's answer was lost: the order is ``unknown``, the money held, admins alerted.
    HELD = "held"
    #: This quote was confirmed before; ``order`` is the order it made.
    ALREADY_PLACED = "already_placed"


@dataclass(frozen=True, slots=True)
class Placement:
    """The result of :func:`place_order`, with the customer's balance afterwards."""

    outcome: PlacementOutcome
    order: OrderRow
    balance: Decimal
    #: The panel's own words, for a refusal.
    panel_message: str | None = None
    reason: RefusalReason | None = None


class PriceRose(Exception):
    """At its confirmation, the order costs more than its quote: nothing was placed or
    charged. ``quote`` is a new quote at the current price, ``old_price`` the price the
    customer had seen, ``service`` the service as it stands."""

    def __init__(self, quote: QuoteRow, old_price: Decimal, service: ServiceRow) -> None:
        super().__init__(f"the price rose from {old_price} to {quote.price}")
        self.quote = quote
        self.old_price = old_price
        self.service = service


class QuoteNotUsable(Exception):
    """The quote does not exist for this customer, or has expired."""

    def __init__(self, expired: bool) -> None:
        super().__init__("the quote has expired" if expired else "no such quote")
        self.expired = expired


class ResolutionRefused(Exception):
    """An admin's resolution does not apply to the order as it stands."""


def _link_of(fields: dict[str, str]) -> str | None:
    return fields.get("link") or fields.get("username")


async def start_order(
    tx: Repositories, terms: Terms, user_id: int, quote_id: str, now: datetime
) -> OrderRow:
    """Step 1 of :func:`place_order`, within the caller's transaction: consume the quote,
    price it again, insert the order as ``submitting`` and debit its price.

    The order is charged the lower of the quoted and the current price, and records the
    current cost. Raises :class:`QuoteNotUsable` (nothing changed); :class:`QuoteRefused`
    when the service is no longer for sale this way, and :class:`PriceRose` (with a new
    quote stored) when it costs more now: those two after consuming the quote, which the
    caller commits so that the old price can no longer be confirmed.
    """
    quote = await tx.quotes.get(quote_id)
    if quote is None or quote.user_id != user_id:
        raise QuoteNotUsable(expired=False)
    if not await tx.quotes.consume(quote_id, now):
        raise QuoteNotUsable(expired=True)
    try:
        request = request_from_fields(OrderType(quote.order_type), quote.fields)
    except (InvalidRequest, ValueError):
        # A form that no longer holds (a subscription's end date passed): order again.
        raise QuoteNotUsable(expired=True) from None
    service, price = await _price_now(tx, terms, request)
    if price.price > quote.price:
        fresh = await _stored_quote(tx, terms, user_id, request, price, now=now)
        raise PriceRose(fresh, quote.price, service)
    # Recorded before the panel is asked: every later call for the order goes there.
    listing = await tx.listings.shown(service.id)
    if listing is None:
        raise QuoteRefused(QuoteProblem.SERVICE_UNAVAILABLE)
    order = await tx.orders.insert_submitting(
        quote,
        destination=Destination(
            listing.panel, listing.panel_service_id, _link_of(quote.fields), price.units
        ),
        price=price.price,
        cost=price.recorded_cost,
    )
    # InsufficientFunds here rolls the whole step back: the quote stays usable.
    await debit(
        tx,
        user_id,
        order.price,
        LedgerReason.ORDER_CHARGE,
        charge_key(order.id),
        order_id=order.id,
    )
    return order


async def _started(
    tx: Repositories, terms: Terms, user_id: int, quote_id: str
) -> OrderRow | QuoteRefused | PriceRose:
    """:func:`start_order`, with a refusal or a rise returned rather than raised, so the
    transaction commits the used-up quote (and the new one)."""
    try:
        return await start_order(tx, terms, user_id, quote_id, utc_now())
    except (QuoteRefused, PriceRose) as changed:
        return changed


async def order_of_quote(db: Database, user_id: int, quote_id: str) -> OrderRow | None:
    """The customer's order placed from this quote, if it was confirmed."""
    async with db.read() as r:
        order = await r.orders.get_by_quote(quote_id)
    return order if order is not None and order.user_id == user_id else None


async def drop_quote(db: Database, user_id: int, quote_id: str) -> OrderRow | None:
    """The customer dropped a quote: an old Confirm can no longer place it. The order it
    already made, if it was confirmed before."""
    async with db.transaction() as tx:
        quote = await tx.quotes.get(quote_id)
        if quote is not None and quote.user_id == user_id:
            await tx.quotes.consume(quote_id, utc_now())
        order = await tx.orders.get_by_quote(quote_id)
    return order if order is not None and order.user_id == user_id else None


async def _already_placed(db: Database, user_id: int, quote_id: str) -> Placement | None:
    order = await order_of_quote(db, user_id, quote_id)
    if order is None:
        return None
    async with db.read() as r:
        balance = await r.ledger.balance(user_id)
    return Placement(PlacementOutcome.ALREADY_PLACED, order, balance)


async def place_order(
    db: Database,
    panels: Panels | PanelClient,
    alerts: Alerts,
    user_id: int,
    quote_id: str,
    *,
    terms: Terms,
) -> Placement:
    """Turn a confirmed quote into one order at the panel of the service's shown listing
    (see the module's docstring), priced again with ``shop``'s current terms.

    Raises :class:`QuoteNotUsable`, or :class:`~shop.ledger.InsufficientFunds` (nothing
    changed; the quote can be confirmed again after a top-up); :class:`QuoteRefused` or
    :class:`PriceRose` when the service or its price changed since the quote (nothing
    placed or charged, the quote used up). A second confirmation of the same quote,
    however concurrent, answers ``ALREADY_PLACED`` with the first one's order.
    """
    if (earlier := await _already_placed(db, user_id, quote_id)) is not None:
        return earlier
    try:
        async with db.transaction() as tx:
            started = await _started(tx, terms, user_id, quote_id)
    except (QuoteNotUsable, ConstraintError):
        # A concurrent confirmation of this quote may have won the race just now.
        if (earlier := await _already_placed(db, user_id, quote_id)) is not None:
            return earlier
        raise
    if not isinstance(started, OrderRow):
        raise started
    return await _submit(db, Panels.of(panels), alerts, started)


#: Refusals of ``add`` that are the shop's, not the customer's: another panel may take the
#: order (no funds at the panel, a bad key, a blocked account; a service off or unknown).
_FAILOVER_REASONS: Final = frozenset({RefusalReason.SHOP_SIDE, RefusalReason.SERVICE_UNAVAILABLE})


@dataclass(frozen=True, slots=True)
class _Refused:
    """A definite no to ``add``: nothing was placed. ``shop_side`` when the reason is the
    shop's (another panel may take the order), not the customer's input."""

    message: str
    shop_side: bool


async def _submit(db: Database, panels: Panels, alerts: Alerts, order: OrderRow) -> Placement:
    """Step 2: the ``add`` call to the panel recorded on the order, and what its answer means
    for the order and the money. A definite refusal for a reason of the shop's fails over to
    the order's next alternative (see :func:`_fail_over`): one ``add`` per panel, each sent
    only after the order records that panel."""
    tried: set[str] = set()
    while True:
        tried.add(order.panel)
        attempt = await _attempt(db, panels, alerts, order)
        if isinstance(attempt, Placement):
            return attempt
        if attempt.shop_side:
            moved = await _fail_over(db, panels, alerts, order, attempt.message, tried)
            if moved is not None:
                order = moved
                continue
        return await _fail(db, alerts, order, attempt.message)


async def _attempt(
    db: Database, panels: Panels, alerts: Alerts, order: OrderRow
) -> Placement | _Refused:
    """One ``add`` of ``order`` at its recorded panel: the placement (placed or held), or the
    definite refusal, which changes nothing yet."""
    try:
        panel = panels.client(order.panel)
    except UnknownPanel as exc:
        # Nothing was sent: a definite refusal, the shop's.
        return _Refused(str(exc), shop_side=True)
    try:
        request = request_from_fields(OrderType(order.order_type), order.fields)
        # The order's fields name the shop's service; the panel knows it by its own id.
        if order.panel_service_id is not None:
            request = dataclasses.replace(request, service=order.panel_service_id)
        panel_order_id = await panel.add(request)
    except InvalidRequest as exc:
        return _Refused(exc.message, shop_side=False)
    except PanelUnreachable as exc:
        # No connection was made: nothing was sent, another panel may take it.
        return _Refused(exc.message, shop_side=True)
    except PanelError as exc:
        if exc.ambiguous:
            return await _hold(db, alerts, order, str(exc))
        return _Refused(exc.message, classify_refusal(exc.message) in _FAILOVER_REASONS)
    except Exception as exc:
        # Whatever went wrong, the panel may have the order: hold the money, ask a human.
        logger.exception("placing order %d failed unexpectedly", order.id)
        return await _hold(db, alerts, order, f"unexpected error: {type(exc).__name__}")
    try:
        async with db.transaction() as tx:
            await tx.orders.set_placed(order.id, panel_order_id)
            placed = await tx.orders.get(order.id)
            if placed is not None:
                await alerts.order_placed(tx, placed)
            balance = await tx.ledger.balance(order.user_id)
    except ConstraintError:
        # The panel gave an id another order already has: nothing safe to do automatically.
        return await _hold(db, alerts, order, f"the panel answered a used id {panel_order_id}")
    assert placed is not None
    logger.info(
        "order %d placed at panel %s as panel order %d", order.id, order.panel, panel_order_id
    )
    return Placement(PlacementOutcome.PLACED, placed, balance)


def _cost_at(listing: ListingRow, request: OrderRequest) -> Decimal | None:
    """What ``request`` costs at ``listing``, or None when the listing cannot take it (off
    its panel, another order type, outside its limits, no drip-feed, no exact cost)."""
    if not listing.on_panel or OrderType.parse(listing.type) is not request.order_type:
        return None
    if isinstance(request, DefaultOrder) and request.is_drip_feed and not listing.dripfeed:
        return None
    try:
        _check_limits(request, max(1, listing.min), listing.max)
        cost = panel_cost(listing.rate, request)
    except (QuoteRefused, UnpriceableOrder):
        return None
    return cost if fits_micros(recorded_cost(cost)) else None


async def _fail_over(
    db: Database,
    panels: Panels,
    alerts: Alerts,
    order: OrderRow,
    message: str,
    tried: Collection[str],
) -> OrderRow | None:
    """The order's panel refused it for a reason of the shop's (``message``): record as its
    destination the cheapest alternative listing of its service, at a configured panel not
    ``tried`` yet, that can take it and whose cost stays below the customer's price; its
    admin alert goes in the same transaction. The order as redirected, or None when there
    is no such listing (nothing changed). The quote, the price and the charge stay as they
    are: the customer has one order."""
    try:
        request = request_from_fields(OrderType(order.order_type), order.fields)
    except (InvalidRequest, ValueError):
        return None
    order_of_panels = {name: position for position, name in enumerate(panels.names)}
    async with db.transaction() as tx:
        choices: list[tuple[Decimal, int, ListingRow]] = []
        for listing in await tx.listings.of_service(order.service_id):
            if listing.panel in tried or listing.panel not in panels:
                continue
            cost = _cost_at(listing, request)
            if cost is not None and cost < order.price:
                choices.append((cost, order_of_panels[listing.panel], listing))
        if not choices:
            return None
        cost, _, listing = min(choices, key=lambda choice: choice[:2])
        if not await tx.orders.redirect(
            order.id, listing.panel, listing.panel_service_id, recorded_cost(cost)
        ):
            return None
        redirected = await tx.orders.get(order.id)
        assert redirected is not None
        await alerts.order_failed_over(tx, redirected, order.panel, message)
    logger.warning(
        "order %d refused by panel %s (%s): sent to panel %s",
        order.id,
        order.panel,
        message,
        redirected.panel,
    )
    return redirected


async def _fail(db: Database, alerts: Alerts, order: OrderRow, message: str) -> Placement:
    reason = classify_refusal(message)
    async with db.transaction() as tx:
        await tx.orders.set_state(
            order.id, OrderState.FAILED, expected_states={OrderState.SUBMITTING}, error=message
        )
        movement = await credit(
            tx,
            order.user_id,
            order.price,
            LedgerReason.REFUND,
            refund_key(order.id),
            order_id=order.id,
        )
        if reason is RefusalReason.SHOP_SIDE:
            await alerts.panel_problem(tx, order, message)
        failed = await tx.orders.get(order.id)
    assert failed is not None
    logger.info("order %d refused by the panel: %s", order.id, message)
    return Placement(PlacementOutcome.REFUSED, failed, movement.balance, message, reason)


async def _hold(db: Database, alerts: Alerts, order: OrderRow, reason: str) -> Placement:
    async with db.transaction() as tx:
        await tx.orders.set_state(
            order.id, OrderState.UNKNOWN, expected_states={OrderState.SUBMITTING}, error=reason
        )
        held = await tx.orders.get(order.id)
        assert held is not None
        await alerts.order_unknown(tx, held, reason)
        balance = await tx.ledger.balance(order.user_id)
    logger.warning("order %d is uncertain, money held: %s", order.id, reason)
    return Placement(PlacementOutcome.HELD, held, balance)


async def recover_interrupted(db: Database, alerts: Alerts) -> list[OrderRow]:
    """Step 3, at start-up: orders a stopped process left ``submitting`` become ``unknown``
    (money held, admins alerted); never sent again."""
    async with db.transaction() as tx:
        orders = await tx.orders.mark_submitting_unknown()
        for order in orders:
            await alerts.order_unknown(tx, order, "the bot stopped while placing it")
    if orders:
        logger.warning("%d interrupted orders are now uncertain", len(orders))
    return orders


async def attach_panel_order(db: Database, order_id: int, panel_order_id: int) -> OrderRow:
    """An admin found an uncertain order at its panel: attach its id; tracking resumes."""
    async with db.transaction() as tx:
        order = await tx.orders.get(order_id)
        if order is None or order.state is not OrderState.UNKNOWN:
            raise ResolutionRefused(f"order {order_id} is not uncertain")
        # Ids are the panel's own: another panel may use the same one for another order.
        holder = await tx.orders.get_by_panel_id(panel_order_id, panel=order.panel)
        if holder is not None:
            raise ResolutionRefused(f"panel order {panel_order_id} belongs to order {holder.id}")
        await tx.orders.set_placed(order_id, panel_order_id)
        attached = await tx.orders.get(order_id)
    assert attached is not None
    return attached


async def refund_uncertain_order(
    db: Database, order_id: int, notices: Notices | None = None
) -> OrderRow:
    """An admin found that an uncertain order never reached the panel: refund it in full,
    and tell the customer through ``notices``, in the same transaction."""
    async with db.transaction() as tx:
        order = await tx.orders.get(order_id)
        if order is None or order.state is not OrderState.UNKNOWN:
            raise ResolutionRefused(f"order {order_id} is not uncertain")
        await tx.orders.set_state(
            order_id, OrderState.REFUNDED, expected_states={OrderState.UNKNOWN}
        )
        movement = await credit(
            tx,
            order.user_id,
            order.price,
            LedgerReason.REFUND,
            refund_key(order_id),
            order_id=order_id,
            note="uncertain order refunded by an admin",
        )
        refunded = await tx.orders.get(order_id)
        assert refunded is not None
        if notices is not None:
            await notices.order_not_placed(tx, refunded, movement.balance)
    return refunded


async def customer_orders(
    db: Database, user_id: int, page: int, per_page: int = 8
) -> tuple[list[OrderRow], int, int]:
    """A page of the customer's orders, newest first: ``(orders, page, pages)``, with the
    page number clamped to the pages there are."""
    async with db.read() as r:
        total = await r.orders.count_for_user(user_id)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 0), pages - 1)
        return await r.orders.list_for_user(user_id, page * per_page, per_page), page, pages
