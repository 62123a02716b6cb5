"""Quotes and exactly-once placement against the sandbox panel over loopback HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from api import (
    CustomCommentsOrder,
    DefaultOrder,
    OrderRequest,
    OrderType,
    PanelClient,
    PollOrder,
    Service,
    SubscriptionOrder,
)
from api.sandbox import CANCEL_MARKER, PARTIAL_MARKER, Fault, ManualClock, SandboxPanel
from shop.alerts import ALERT_KIND, Alerts
from shop.catalogue import sync_catalogue
from shop.ledger import InsufficientFunds, credit
from shop.notices import Notices
from shop.ordering import (
    PlacementOutcome,
    QuoteNotUsable,
    QuoteProblem,
    QuoteRefused,
    ResolutionRefused,
    attach_panel_order,
    place_order,
    quote_order,
    recover_interrupted,
    refund_uncertain_order,
)
from shop.pricing import price_order
from shop.refusals import RefusalReason
from shop.storage import Database, LedgerReason, OrderState, OutboxRow, utc_now
from shop.terms import Terms
from shop.texts import Texts

from .conftest import ADMIN_CHAT, order_button, poll_once

LINK = "https://instagram.com/p/shop-post"


def service_of(panel: SandboxPanel, order_type: OrderType, **flags: bool) -> Service:
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is order_type and all(
            getattr(service, name) == value for name, value in flags.items()
        ):
            return service
    raise AssertionError(f"no {order_type} service with {flags}")


async def customer(db: Database, user_id: int, funds: Decimal = Decimal(100)) -> None:
    async with db.transaction() as tx:
        await tx.users.upsert(user_id, f"user{user_id}", "Customer", "en")
        if funds:
            await credit(tx, user_id, funds, LedgerReason.TOPUP, f"topup:test:{user_id}:{funds}")


async def balance(db: Database, user_id: int) -> Decimal:
    async with db.read() as r:
        return await r.ledger.balance(user_id)


async def admin_alerts(db: Database) -> list[OutboxRow]:
    async with db.read() as r:
        return [row for row in await r.outbox.due(utc_now(), 1000) if row.kind == ALERT_KIND]


def followers(panel: SandboxPanel, link: str = LINK, quantity: int | None = None) -> DefaultOrder:
    service = service_of(panel, OrderType.DEFAULT)
    return DefaultOrder(service=service.id, link=link, quantity=quantity or service.min * 2)


async def quote_and_place(
    db: Database,
    shop: Terms,
    client: PanelClient,
    alerts: Alerts,
    user_id: int,
    request: OrderRequest,
) -> tuple[Decimal, PlacementOutcome, int]:
    quote = await quote_order(db, shop, user_id, request)
    placement = await place_order(db, client, alerts, user_id, quote.id, terms=shop)
    return quote.price, placement.outcome, placement.order.id


# --- quotes -----------------------------------------------------------------------------------


async def test_quote_fixes_the_price_the_customer_saw(
    db: Database, shop: Terms, panel: SandboxPanel
) -> None:
    await customer(db, 1)
    request = followers(panel, quantity=1234)
    quote = await quote_order(db, shop, 1, request)
    service = service_of(panel, OrderType.DEFAULT)
    expected = price_order(service.rate, Decimal(30), shop.currency, request)
    assert (quote.price, quote.cost, quote.units) == (expected.price, expected.cost, 1234)
    assert quote.fields == request.to_form()
    assert quote.expires_at > utc_now()


@pytest.mark.parametrize(
    ("problem", "build"),
    [
        (QuoteProblem.BELOW_MINIMUM,
         lambda s: DefaultOrder(service=s.id, link=LINK, quantity=s.min - 1)),
        (QuoteProblem.ABOVE_MAXIMUM,
         lambda s: DefaultOrder(service=s.id, link=LINK, quantity=s.max + 1)),
        (QuoteProblem.DRIP_FEED_UNAVAILABLE,
         lambda s: DefaultOrder(service=s.id, link=LINK, quantity=s.min, runs=2, interval=5)),
        (QuoteProblem.WRONG_TYPE,
         lambda s: PollOrder(service=s.id, link=LINK, quantity=s.min, answer_number=1)),
    ],
)  # fmt: skip
async def test_bad_order_forms_are_refused_with_the_reason(
    db: Database, shop: Terms, panel: SandboxPanel, problem: QuoteProblem, build: object
) -> None:
    await customer(db, 1)
    service = service_of(panel, OrderType.DEFAULT, dripfeed=False)
    with pytest.raises(QuoteRefused) as caught:
        await quote_order(db, shop, 1, build(service))  # type: ignore[operator]
    assert caught.value.problem is problem


async def test_comment_lines_are_counted_against_min_and_max(
    db: Database, shop: Terms, panel: SandboxPanel
) -> None:
    await customer(db, 1)
    service = service_of(panel, OrderType.CUSTOM_COMMENTS)
    too_few = CustomCommentsOrder(
        service=service.id, link=LINK, comments=["nice"] * (service.min - 1)
    )
    with pytest.raises(QuoteRefused) as caught:
        await quote_order(db, shop, 1, too_few)
    assert (caught.value.problem, caught.value.limit) == (QuoteProblem.BELOW_MINIMUM, service.min)


async def test_a_subscription_without_posts_is_not_sold(
    db: Database, shop: Terms, panel: SandboxPanel
) -> None:
    await customer(db, 1)
    service = service_of(panel, OrderType.SUBSCRIPTIONS)
    request = SubscriptionOrder(
        service=service.id, username="shop", min=service.min, max=service.min, delay=0
    )
    with pytest.raises(QuoteRefused) as caught:
        await quote_order(db, shop, 1, request)
    assert caught.value.problem is QuoteProblem.UNPRICEABLE


async def test_a_disabled_service_cannot_be_quoted(
    db: Database, shop: Terms, panel: SandboxPanel
) -> None:
    await customer(db, 1)
    request = followers(panel)
    async with db.transaction() as tx:
        await tx.services.set_enabled(request.service, False)
    with pytest.raises(QuoteRefused) as caught:
        await quote_order(db, shop, 1, request)
    assert caught.value.problem is QuoteProblem.SERVICE_UNAVAILABLE


async def test_a_confirm_after_the_rate_fell_to_zero_places_and_charges_nothing(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    request = followers(panel)
    quote = await quote_order(db, shop, 1, request)
    panel.set_services(
        [
            {**row, "rate": "0.00"} if int(str(row["service"])) == request.service else row
            for row in panel.services
        ]
    )
    await sync_catalogue(db, panel_client)

    with pytest.raises(QuoteRefused) as refused:
        await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)

    assert refused.value.problem is QuoteProblem.SERVICE_UNAVAILABLE
    assert await balance(db, 1) == Decimal(100)
    assert [r for r in panel.requests if r.action == "add"] == []
    # Used up: the old price can never be confirmed.
    with pytest.raises(QuoteNotUsable):
        await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)


# --- placement --------------------------------------------------------------------------------


async def test_order_placed_tracked_and_completed(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1, Decimal(50))
    request = followers(panel)
    quote = await quote_order(db, shop, 1, request)
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)

    assert placement.outcome is PlacementOutcome.PLACED
    assert placement.order.state is OrderState.PENDING
    assert placement.order.panel_order_id in panel.orders
    assert placement.balance == Decimal(50) - quote.price
    [add] = [r for r in panel.requests if r.action == "add"]
    assert add.fields == request.to_form()

    clock.advance(panel.pending_seconds + 1)
    report = await poll_once(db, panel_client, shop.currency)
    assert [(c.old_state, c.order.state) for c in report.order_changes] == [
        (OrderState.PENDING, OrderState.IN_PROGRESS)
    ]
    assert report.order_changes[0].order.start_count is not None
    clock.advance(panel.progress_seconds + 1)
    report = await poll_once(db, panel_client, shop.currency)
    [done] = report.order_changes
    assert (done.order.state, done.refund) == (OrderState.COMPLETED, Decimal(0))
    assert await balance(db, 1) == Decimal(50) - quote.price
    assert (await poll_once(db, panel_client, shop.currency)).orders_polled == 0
    async with db.read() as r:
        transitions = await r.orders.transitions(placement.order.id)
    assert [(t.old_state, t.new_state) for t in transitions] == [
        (OrderState.SUBMITTING, OrderState.PENDING),
        (OrderState.PENDING, OrderState.IN_PROGRESS),
        (OrderState.IN_PROGRESS, OrderState.COMPLETED),
    ]


async def test_partial_is_refunded_for_the_remains_once_over_repeated_polls(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    price, outcome, order_id = await quote_and_place(
        db, shop, panel_client, alerts, 1, followers(panel, f"{LINK}?{PARTIAL_MARKER}", 900)
    )
    assert outcome is PlacementOutcome.PLACED
    clock.advance(panel.pending_seconds + panel.progress_seconds + 5)
    changes = []
    for _ in range(10):
        changes += (await poll_once(db, panel_client, shop.currency)).order_changes
    [partial] = changes
    remains = partial.order.remains
    assert partial.order.state is OrderState.PARTIAL
    assert remains is not None and 0 < remains < 900
    expected = shop.currency.round_down(price * remains / 900)
    assert partial.refund == expected
    assert partial.balance == Decimal(100) - price + expected
    assert await balance(db, 1) == Decimal(100) - price + expected
    async with db.read() as r:
        refunds = [
            row for row in await r.ledger.rows_for_order(order_id) if row.reason == "refund"
        ]
    assert [row.amount for row in refunds] == [expected]


async def test_canceled_by_the_panel_is_refunded_in_full_once(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
) -> None:
    await customer(db, 1)
    price, _, _ = await quote_and_place(
        db, shop, panel_client, alerts, 1, followers(panel, f"{LINK}?{CANCEL_MARKER}")
    )
    clock.advance(panel.pending_seconds + 5)
    first = await poll_once(db, panel_client, shop.currency)
    again = await poll_once(db, panel_client, shop.currency)
    [canceled] = first.order_changes
    assert (canceled.order.state, canceled.refund) == (OrderState.CANCELED, price)
    assert again.order_changes == []
    assert await balance(db, 1) == Decimal(100)


async def test_definite_refusal_fails_the_order_and_refunds_at_once(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    await quote_and_place(db, shop, panel_client, alerts, 1, followers(panel))
    quote = await quote_order(db, shop, 1, followers(panel))
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    assert placement.outcome is PlacementOutcome.REFUSED
    assert placement.reason is RefusalReason.ACTIVE_ORDER_FOR_LINK
    assert placement.panel_message is not None
    assert placement.panel_message.startswith("You have active order with this link")
    assert placement.order.state is OrderState.FAILED
    assert placement.balance == Decimal(100) - (await _price_of(db, 1, first=True))
    assert await admin_alerts(db) == []


async def _price_of(db: Database, user_id: int, *, first: bool) -> Decimal:
    async with db.read() as r:
        orders = await r.orders.list_for_user(user_id, 0, 100)
    return orders[-1 if first else 0].price


async def test_a_refusal_that_is_the_shops_problem_alerts_the_admins(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    panel.faults.add(Fault.error("Not enough funds on balance", action="add"))
    _, outcome, order_id = await quote_and_place(
        db, shop, panel_client, alerts, 1, followers(panel)
    )
    assert outcome is PlacementOutcome.REFUSED
    assert await balance(db, 1) == Decimal(100)
    [alert] = await admin_alerts(db)
    assert alert.chat_id == ADMIN_CHAT
    assert f"Order #{order_id}" in alert.text
    assert "Not enough funds on balance" in alert.text


@pytest.mark.parametrize(
    "wording",
    [
        "Quantity must be multiple of 100",
        "Incorrect quantity",
        "Invalid quantity: use steps of 1000",
    ],
)
async def test_a_quantity_the_panel_refuses_is_the_customers_to_change(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    wording: str,
) -> None:
    await customer(db, 1)
    panel.faults.add(Fault.error(wording, action="add", times=1))
    quote = await quote_order(db, shop, 1, followers(panel, quantity=1233))

    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)

    assert placement.outcome is PlacementOutcome.REFUSED
    assert placement.reason is RefusalReason.BAD_QUANTITY
    assert placement.panel_message == wording
    assert placement.order.state is OrderState.FAILED
    assert await balance(db, 1) == Decimal(100)
    # The customer's to fix, not the shop's: the admins are not called.
    assert await admin_alerts(db) == []
    sent = [request.fields for request in panel.requests if request.action == "add"]
    assert [fields["quantity"] for fields in sent] == ["1233"]


@pytest.mark.parametrize(
    "fault",
    [
        Fault.timeout(action="add", after_apply=True),
        Fault.html_502(action="add", after_apply=True),
        Fault.garbage(action="add", after_apply=True),
    ],
)
async def test_an_ambiguous_failure_holds_the_money_and_is_attached_by_an_admin(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    clock: ManualClock,
    fault: Fault,
) -> None:
    await customer(db, 1)
    panel.faults.add(fault)
    quote = await quote_order(db, shop, 1, followers(panel))
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    assert placement.outcome is PlacementOutcome.HELD
    assert placement.order.state is OrderState.UNKNOWN
    assert placement.balance == Decimal(100) - quote.price
    [alert] = await admin_alerts(db)
    assert f"/attach {placement.order.id}" in alert.text
    # Confirming again does not send a second add.
    again = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    assert again.outcome is PlacementOutcome.ALREADY_PLACED
    assert [r.action for r in panel.requests].count("add") == 1
    assert (await poll_once(db, panel_client, shop.currency)).orders_polled == 0

    [panel_order_id] = panel.orders
    attached = await attach_panel_order(db, placement.order.id, panel_order_id)
    assert (attached.state, attached.panel_order_id) == (OrderState.PENDING, panel_order_id)
    clock.advance(panel.pending_seconds + panel.progress_seconds + 5)
    changes = (await poll_once(db, panel_client, shop.currency)).order_changes
    assert [c.order.state for c in changes] == [OrderState.COMPLETED]


@pytest.mark.parametrize("answer", ['{"order": 0}', '{"order": "-23501"}', '{"order": "0.0"}'])
async def test_an_order_id_that_is_not_a_positive_number_holds_the_money_and_alerts(
    db: Database,
    shop: Terms,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
    answer: str,
) -> None:
    await customer(db, 1)
    panel.faults.add(Fault.http_status(200, answer, action="add", after_apply=True, times=1))
    quote = await quote_order(db, shop, 1, followers(panel))
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)

    assert placement.outcome is PlacementOutcome.HELD
    async with db.read() as r:
        order = await r.orders.get(placement.order.id)
        rows = await r.ledger.rows_for_order(placement.order.id)
    assert order is not None
    assert (order.state, order.panel_order_id) == (OrderState.UNKNOWN, None)
    # The charge stays held: no refund, nothing given back, nothing retried.
    assert [(row.reason, row.amount) for row in rows] == [
        (LedgerReason.ORDER_CHARGE, -quote.price)
    ]
    assert await balance(db, 1) == Decimal(100) - quote.price
    assert [r.action for r in panel.requests].count("add") == 1
    [alert] = await admin_alerts(db)
    assert alert.chat_id == ADMIN_CHAT
    assert f"<b>Order #{order.id} is uncertain</b>" in alert.text
    assert f"/attach {order.id} PANEL_ORDER_ID" in alert.text
    assert "is not a positive id" in alert.text


async def test_an_uncertain_order_the_panel_never_got_is_refunded_by_an_admin(
    db: Database,
    shop: Terms,
    texts: Texts,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
) -> None:
    await customer(db, 1)
    panel.faults.add(Fault.html_502(action="add"))
    price, outcome, order_id = await quote_and_place(
        db, shop, panel_client, alerts, 1, followers(panel)
    )
    assert outcome is PlacementOutcome.HELD
    assert panel.orders == {}
    assert await balance(db, 1) == Decimal(100) - price
    notices = Notices(shop, texts, order_button)
    refunded = await refund_uncertain_order(db, order_id, notices)
    assert refunded.state is OrderState.REFUNDED
    assert await balance(db, 1) == Decimal(100)
    # The customer, told their money is held, is told it is back.
    async with db.read() as r:
        [notice] = [row for row in await r.outbox.due(utc_now(), 1000) if row.chat_id == 1]
    assert notice.text.startswith(f"↩️ <b>Order #{order_id} did not go through</b>\n")
    assert notice.text.endswith(
        f"Refunded: {shop.currency.format(price)}. Your balance: 100.00 USD"
    )
    with pytest.raises(ResolutionRefused):
        await refund_uncertain_order(db, order_id, notices)
    with pytest.raises(ResolutionRefused):
        await attach_panel_order(db, order_id, 23501)


async def test_short_balance_changes_nothing_and_the_quote_stays_usable(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1, Decimal("0.01"))
    quote = await quote_order(db, shop, 1, followers(panel, quantity=5000))
    with pytest.raises(InsufficientFunds) as caught:
        await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    assert caught.value.missing == quote.price - Decimal("0.01")
    assert panel.orders == {}
    async with db.read() as r:
        assert await r.orders.get_by_quote(quote.id) is None
    await customer(db, 1, quote.price)
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    assert placement.outcome is PlacementOutcome.PLACED
    assert placement.balance == Decimal("0.01")


async def test_expired_and_foreign_quotes_are_not_usable(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    await customer(db, 2)
    stale = await quote_order(
        db, shop, 1, followers(panel), now=utc_now() - shop.quote_ttl - dt.timedelta(seconds=1)
    )
    with pytest.raises(QuoteNotUsable) as expired:
        await place_order(db, panel_client, alerts, 1, stale.id, terms=shop)
    assert expired.value.expired
    fresh = await quote_order(db, shop, 1, followers(panel))
    with pytest.raises(QuoteNotUsable) as foreign:
        await place_order(db, panel_client, alerts, 2, fresh.id, terms=shop)
    assert not foreign.value.expired
    assert panel.orders == {}


async def test_fifty_concurrent_confirms_of_one_quote_place_one_order(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    quote = await quote_order(db, shop, 1, followers(panel))
    placements = await asyncio.gather(
        *(place_order(db, panel_client, alerts, 1, quote.id, terms=shop) for _ in range(50))
    )
    outcomes = [p.outcome for p in placements]
    assert outcomes.count(PlacementOutcome.PLACED) == 1
    assert outcomes.count(PlacementOutcome.ALREADY_PLACED) == 49
    assert len({p.order.id for p in placements}) == 1
    assert len(panel.orders) == 1
    assert await balance(db, 1) == Decimal(100) - quote.price


async def test_two_hundred_concurrent_customers_keep_their_books(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    for user_id in range(1, 201):
        await customer(db, user_id, Decimal(20))

    async def shop_for(user_id: int) -> Decimal:
        spent = Decimal(0)
        for n in range(3):
            price, outcome, _ = await quote_and_place(
                db, shop, panel_client, alerts, user_id,
                followers(panel, f"{LINK}/{user_id}/{n}"),
            )  # fmt: skip
            assert outcome is PlacementOutcome.PLACED
            spent += price
        return spent

    spent = await asyncio.gather(*(shop_for(user_id) for user_id in range(1, 201)))
    for user_id, amount in zip(range(1, 201), spent, strict=True):
        assert await balance(db, user_id) == Decimal(20) - amount
    assert len(panel.orders) == 600


async def test_orders_left_submitting_by_a_stopped_process_become_uncertain(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    panel.faults.add(Fault.latency(30, action="add"))
    quote = await quote_order(db, shop, 1, followers(panel))
    placing = asyncio.create_task(place_order(db, panel_client, alerts, 1, quote.id, terms=shop))
    while not panel.orders:
        await asyncio.sleep(0.01)
    placing.cancel()  # the process stops while waiting for the panel's answer
    with pytest.raises(asyncio.CancelledError):
        await placing
    async with db.read() as r:
        interrupted = await r.orders.get_by_quote(quote.id)
    assert interrupted is not None
    assert interrupted.state is OrderState.SUBMITTING

    [recovered] = await recover_interrupted(db, alerts)
    assert (recovered.id, recovered.state) == (interrupted.id, OrderState.UNKNOWN)
    assert await balance(db, 1) == Decimal(100) - quote.price
    [alert] = await admin_alerts(db)
    assert f"Order #{recovered.id}" in alert.text
    assert await recover_interrupted(db, alerts) == []
    again = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    assert again.outcome is PlacementOutcome.ALREADY_PLACED
    assert [r.action for r in panel.requests].count("add") == 1
