"""Every service of a catalogue shaped like real panels' can be sold, and nothing in it
breaks the shop.

The catalogue (:func:`~api.sandbox.real_world_catalogue`) has 2,400 services over 260
categories: rates of 1 to 5 decimals (0.0045, 0.01234, 1.0818, 0.00001...), names and
categories with emoji, flags, right-to-left text, ``<>&"``, Fluent and format-string
syntax, control characters and 300 to 1,200 characters, min from 0 to 1000, max up to
10,000,000, refill and cancel present and absent, types spelled several ways, types the
protocol does not name, and a few services no shop can sell (rate 0, max below min).

Each test drives the real shop against the sandbox serving it over loopback HTTP:

- every service is synced; the unsellable ones are hidden and reported once;
- every category page and every service card is shown within Telegram's limits;
- every sellable service is quoted at its min and at its max, at exactly the price worked
  out here independently;
- every sellable service is ordered, polled to a final status (every final status of the
  protocol in turn, and the odd answers real panels give) and refunded exactly as the
  panel's final answer calls for, with the books right at the end;
- and random services at random quantities go through the whole conversation, from the
  search to the panel's ``add`` and the customer's notice (Hypothesis).
"""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from aiogram import Bot, Dispatcher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import OrderType, Service
from api.sandbox import ManualClock, Outcome, SandboxPanel
from api.sandbox.corpus import is_sellable
from bot.app import Runtime
from handlers.callbacks import CategoriesCb, CategoryCb, ChoiceCb, ServiceCb
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.order_forms import OrderForm, next_step, steps_for
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import LedgerReason, OrderState, ServiceRow

from ..support.ledger import assert_ledger_consistent
from ..support.telegram import BotClient, parse_html
from .conftest import ADMIN_CHAT, CORPUS

MARKUP = Fraction(130, 100)
PACKAGES = {OrderType.PACKAGE, OrderType.CUSTOM_COMMENTS_PACKAGE}
LIST_TYPES = {OrderType.CUSTOM_COMMENTS, OrderType.MENTIONS_CUSTOM_LIST}
#: Far past every order's end in the sandbox.
AFTER_EVERY_END = 10_000.0
MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64
MAX_LABEL = 60


def parsed(row: Mapping[str, Any]) -> Service:
    return Service.model_validate(row)


SELLABLE = [parsed(row) for row in CORPUS if is_sellable(row)]
UNSELLABLE_KNOWN = [
    parsed(row) for row in CORPUS if not is_sellable(row) and parsed(row).order_type is not None
]
UNKNOWN_TYPE = [parsed(row) for row in CORPUS if parsed(row).order_type is None]


def least(service: Service) -> int:
    return max(1, service.min)


def units_of(service: Service, quantity: int, runs: int = 1) -> int:
    """The units an order is priced on, from the protocol's description of each type."""
    order_type = service.order_type
    if order_type in PACKAGES:
        return 1
    if order_type is OrderType.SUBSCRIPTIONS:
        # max per post x one post.
        return quantity
    return quantity * runs


def expected_price(service: Service, units: int) -> Decimal:
    """rate x units / 1000 (per package for packages) x 1.3, up to the cent."""
    per = 1 if service.order_type in PACKAGES else 1000
    exact = Fraction(service.rate) * units / per * MARKUP
    cents = -(-exact.numerator * 100 // exact.denominator)
    return Decimal(cents).scaleb(-2)


def answers_for(service: Service, quantity: int, serial: int, runs: int = 1) -> dict[str, str]:
    """What a customer answers at each step of the service's form for ``quantity`` (and
    ``runs`` of drip-feed, where the service offers it)."""
    link = f"https://example.com/p/{service.id}/{serial}"
    counted = service.order_type in LIST_TYPES
    lines = "\n".join(f"comment {n} ✨" for n in range(quantity)) if counted else "nice\ngreat"
    users = "\n".join(f"user_{n}" for n in range(quantity)) if counted else "a\nb"
    by_field = {
        "link": link,
        "quantity": str(quantity),
        "drip_feed": "yes" if runs > 1 else "no",
        "runs": str(runs),
        "interval": "10",
        "comments": lines,
        "usernames": users,
        "hashtags": "#one\n#two",
        "hashtag": "#summer",
        "username": f"shop_{serial}",
        "min": str(least(service)),
        "max": str(quantity),
        "posts": "1",
        "old_posts": "",
        "delay": "0",
        "expiry": "",
        "answer_number": "1",
    }
    row = stored_row(service)
    steps = steps_for(row)
    answers: dict[str, str] = {}
    index = next_step(row, answers)
    while index is not None:
        answers[steps[index].field] = by_field[steps[index].field]
        index = next_step(row, answers, index)
    return answers


def stored_row(service: Service) -> ServiceRow:
    """The service as the shop would store it, enough to walk its form."""
    order_type = service.order_type
    assert order_type is not None
    return ServiceRow(
        id=service.id,
        name=service.name,
        type=order_type.value,
        category=service.category,
        rate=service.rate,
        min=service.min,
        max=service.max,
        refill=service.refill,
        cancel=service.cancel,
        dripfeed=service.dripfeed,
        on_panel=True,
        enabled=True,
        markup_override=None,
        synced_at=datetime.now(UTC),
    )


async def new_customer(services: Runtime, user_id: int, money: Decimal) -> None:
    async with services.db.transaction() as tx:
        await tx.users.upsert(user_id, f"user{user_id}", "Customer", "en")
        await credit(tx, user_id, money, LedgerReason.TOPUP, f"topup:corpus:{user_id}")


def outbox(services: Runtime, where: str, *params: object) -> list[sqlite3.Row]:
    with sqlite3.connect(services.settings.database_path) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(f"SELECT * FROM outbox WHERE {where}", params).fetchall()  # noqa: S608


def assert_fits_telegram(text: str) -> None:
    """Valid Telegram HTML, at most 4096 characters once rendered."""
    plain, _ = parse_html(text)
    assert len(plain) <= MAX_MESSAGE, len(plain)


# --- sync -------------------------------------------------------------------------------------


async def test_every_service_is_synced_and_the_unsellable_ones_are_hidden_and_reported_once(
    services: Runtime,
) -> None:
    report = await sync_catalogue(services.db, services.panel, services.alerts)
    assert report.total == len(CORPUS) == 2400
    async with services.db.read() as r:
        stored = {service.id: await r.services.get(service.id) for service in map(parsed, CORPUS)}
        offered = {category.name for category in await r.services.categories()}
    for service in map(parsed, CORPUS):
        row = stored[service.id]
        assert row is not None
        # Names and categories come out clean: no control characters, never empty.
        for text in (row.name, row.category):
            assert text.strip()
            assert not any(unicodedata.category(char) == "Cc" for char in text), text
            assert len(text) <= 1000
        assert row.available == (service in SELLABLE), service
        if service in SELLABLE:
            assert row.category in offered
    assert {row.category for row in stored.values() if row and row.available} == offered

    alerts = outbox(services, "chat_id = ?", ADMIN_CHAT)
    # One alert for each service the shop could sell but for its rate or limits; none for a
    # type the shop does not sell (it is not the panel's mistake).
    assert len(alerts) == len(UNSELLABLE_KNOWN) > 0
    for service in UNSELLABLE_KNOWN:
        assert sum(f"Service {service.id} " in alert["text"] for alert in alerts) == 1
    for alert in alerts:
        assert_fits_telegram(alert["text"])

    again = await sync_catalogue(services.db, services.panel, services.alerts)
    assert again.unchanged == len(CORPUS)
    assert len(outbox(services, "chat_id = ?", ADMIN_CHAT)) == len(alerts)


# --- browsing ---------------------------------------------------------------------------------


def check_screen(client: BotClient) -> None:
    """The screen the customer has now is within Telegram's limits: valid HTML (the session
    refuses anything else), short enough, buttons short, callback data within 64 bytes."""
    last = client.screen.last
    assert last.html is not None
    assert_fits_telegram(last.html)
    for row in last.button_rows:
        for label, data in row:
            assert len(label) <= MAX_LABEL, label
            assert len((data or "").encode()) <= MAX_CALLBACK_BYTES


def callback_data(client: BotClient) -> list[str]:
    return [data or "" for row in client.screen.last.button_rows for _, data in row]


async def test_every_category_page_and_every_service_card_fits_telegram(
    services: Runtime, dispatcher: Dispatcher, bot: Bot
) -> None:
    await sync_catalogue(services.db, services.panel, services.alerts)
    client = BotClient(dispatcher, bot)
    await client.send("/start")
    categories: list[CategoryCb] = []
    page, pages = 0, 1
    while page < pages:
        await client.click_data(CategoriesCb(page=page).pack())
        check_screen(client)
        data = callback_data(client)
        categories += [CategoryCb.unpack(item) for item in data if item.startswith("cat:")]
        pages = max(
            [pages] + [CategoriesCb.unpack(i).page + 1 for i in data if i.startswith("cats:")]
        )
        page += 1
    # Each category is listed once, under the name the shop keeps for it.
    assert len(categories) == len({category.anchor for category in categories})

    carded: list[int] = []
    for category in categories:
        page, pages = 0, 1
        while page < pages:
            await client.click_data(
                CategoryCb(anchor=category.anchor, page=page, back=category.back).pack()
            )
            check_screen(client)
            data = callback_data(client)
            for item in data:
                if item.startswith("svc:"):
                    await client.click_data(item)
                    check_screen(client)
                    assert "🛒 Order" in client.screen.last.labels
                    carded.append(ServiceCb.unpack(item).service_id)
            pages = max(
                [pages] + [CategoryCb.unpack(i).page + 1 for i in data if i.startswith("cat:")]
            )
            page += 1
    assert sorted(carded) == sorted(service.id for service in SELLABLE)


# --- quoting ----------------------------------------------------------------------------------


async def test_every_sellable_service_is_quoted_at_its_min_and_its_max_at_the_exact_price(
    services: Runtime,
) -> None:
    await sync_catalogue(services.db, services.panel, services.alerts)
    await new_customer(services, 1, Decimal(1))
    for service in SELLABLE:
        row = stored_row(service)
        for quantity in sorted({least(service), service.max}):
            form = OrderForm(service.id, row.order_type, answers_for(service, quantity, 0))  # type: ignore[arg-type]
            quote = await quote_order(services.db, services.terms, 1, form.to_request())
            units = units_of(service, quantity)
            assert quote.units == units, service
            assert quote.price == expected_price(service, units), (service, quantity)
            assert quote.price > 0


# --- placing, tracking, refunding -------------------------------------------------------------

#: How the orders end, in turn: every final status of the protocol, and the odd final
#: answers real panels give (a Partial without remains, with or without its charge).
ENDINGS = ("completed", "partial", "canceled", "refunded", "failed", "by-charge", "held")
FINAL_STATE = {
    "completed": OrderState.COMPLETED,
    "partial": OrderState.PARTIAL,
    "canceled": OrderState.CANCELED,
    "refunded": OrderState.REFUNDED,
    "failed": OrderState.FAILED,
    "by-charge": OrderState.PARTIAL,
    "held": OrderState.PARTIAL,
}
CUSTOMERS = 20
#: List answers are typed in one message: keep them to what a message holds.
MOST_LINES = 200


def cents_down(amount: Fraction) -> Decimal:
    return Decimal(amount.numerator * 100 // amount.denominator).scaleb(-2)


def random_quantity(rng: random.Random, service: Service) -> int:
    high = service.max
    if service.order_type in LIST_TYPES:
        high = min(high, max(least(service), MOST_LINES))
    return rng.randint(least(service), high)


async def test_every_sellable_service_is_placed_tracked_to_its_end_and_refunded_exactly(
    services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    await sync_catalogue(services.db, services.panel, services.alerts)
    panel.alternate_spellings = True
    for customer in range(CUSTOMERS):
        await new_customer(services, 1000 + customer, Decimal(10) ** 10)
    rng = random.Random(12)
    placed: list[tuple[Service, int, str, int | None, Decimal | None]] = []
    for serial, service in enumerate(SELLABLE):
        quantity = random_quantity(rng, service)
        runs = 2 if service.dripfeed and serial % 3 == 0 and quantity * 2 <= service.max else 1
        row = stored_row(service)
        form = OrderForm(service.id, row.order_type, answers_for(service, quantity, serial, runs))  # type: ignore[arg-type]
        user_id = 1000 + serial % CUSTOMERS
        quote = await quote_order(services.db, services.terms, user_id, form.to_request())
        placement = await place_order(
            services.db, services.panel, services.alerts, user_id, quote.id, terms=services.terms
        )
        assert placement.outcome is PlacementOutcome.PLACED, (service, placement)
        order = placement.order
        units = units_of(service, quantity, runs)
        assert (order.quantity, order.price) == (units, expected_price(service, units))
        assert order.panel_order_id is not None
        ending = ENDINGS[serial % len(ENDINGS)]
        if ending == "partial" and units < 2:
            ending = "by-charge"
        remains: int | None = None
        charge: Decimal | None = None
        if ending == "partial":
            remains = rng.randint(1, units - 1)
            panel.force_outcome(order.panel_order_id, Outcome.PARTIAL, remains=remains)
        elif ending == "canceled":
            panel.force_outcome(order.panel_order_id, Outcome.CANCELED)
        elif ending in ("refunded", "failed"):
            panel.override_status(order.panel_order_id, status=ending.title())
        elif ending == "by-charge":
            charge = (order.cost * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.00001"))
            panel.override_status(
                order.panel_order_id, status="Partial", remains=None, charge=str(charge)
            )
        elif ending == "held":
            panel.override_status(
                order.panel_order_id, status="Partial", remains=None, charge=None
            )
        placed.append((service, order.id, ending, remains, charge))
    assert len(placed) == len(SELLABLE)
    assert sum(r.action == "add" for r in panel.requests) == len(SELLABLE)

    clock.advance(AFTER_EVERY_END)
    report = await services.tracker.poll_once()
    assert report.orders_polled == len(SELLABLE)
    assert len(report.order_changes) == len(SELLABLE)

    held_alerts = {row["dedupe_key"] for row in outbox(services, "chat_id = ?", ADMIN_CHAT)}
    async with services.db.read() as r:
        for service, order_id, ending, remains, charge in placed:
            order = await r.orders.get(order_id)
            assert order is not None
            assert order.state is FINAL_STATE[ending], (service, ending, order)
            refunds = [
                row.amount
                for row in await r.ledger.rows_for_order(order_id)
                if row.reason is LedgerReason.REFUND
            ]
            price = Fraction(order.price)
            if ending == "completed":
                expected: list[Decimal] = []
            elif ending in ("canceled", "refunded", "failed"):
                expected = [order.price]
            elif ending == "partial":
                assert remains is not None
                expected = [cents_down(price * remains / order.quantity)]
            elif ending == "by-charge":
                assert charge is not None
                undelivered = max(Fraction(0), 1 - Fraction(charge) / Fraction(order.cost))
                expected = [cents_down(price * undelivered)]
            else:
                expected = []
                assert order.refund_held_at is not None
                assert f"alert:refund-held:{order_id}" in held_alerts
            assert refunds == [amount for amount in expected if amount > 0], (ending, order)
            notices = outbox(services, "dedupe_key LIKE ?", f"notice:order:{order_id}:%")
            assert len(notices) == 1, (service, ending, notices)
            assert_fits_telegram(notices[0]["text"])
    await assert_ledger_consistent(services.db, services.terms.currency)

    # Polling again changes nothing: every order has ended, every refund is made.
    with sqlite3.connect(services.settings.database_path) as connection:
        (rows_before,) = connection.execute("SELECT COUNT(*) FROM ledger").fetchone()
    again = await services.tracker.poll_once()
    assert again.orders_polled == 0
    with sqlite3.connect(services.settings.database_path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM ledger").fetchone() == (rows_before,)


# --- the whole conversation, random services at random quantities ---------------------------

#: The form's buttons: yes/no, the delays, and skipping an optional step.
BUTTON_FIELDS = {"drip_feed", "delay"}
_customers = iter(range(5000, 10**6))


async def synced_once(services: Runtime) -> None:
    """Sync the catalogue the first time only: Hypothesis runs many examples on one shop."""
    async with services.db.read() as r:
        stored = await r.services.count()
    if stored == 0:
        await sync_catalogue(services.db, services.panel, services.alerts)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_any_service_at_any_quantity_is_ordered_through_the_chat_and_refunded_as_it_ends(
    services: Runtime,
    panel: SandboxPanel,
    clock: ManualClock,
    dispatcher: Dispatcher,
    bot: Bot,
    data: st.DataObject,
) -> None:
    await synced_once(services)
    service = data.draw(st.sampled_from(SELLABLE), label="service")
    high = service.max
    if service.order_type in LIST_TYPES:
        high = min(high, max(least(service), MOST_LINES))
    quantity = data.draw(st.integers(least(service), high), label="quantity")
    runs = data.draw(st.sampled_from([1, 2, 7]), label="runs") if service.dripfeed else 1
    ending = data.draw(st.sampled_from(ENDINGS), label="ending")
    units = units_of(service, quantity, runs)
    if ending == "partial" and units < 2:
        ending = "by-charge"

    user_id = next(_customers)
    await new_customer(services, user_id, Decimal(10) ** 10)
    client = BotClient(dispatcher, bot, user_id=user_id, first_name='<b>Ann & "Co"</b>')
    await client.send("/start")
    await client.send(str(service.id))
    await client.click_data(ServiceCb(service_id=service.id, page=0).pack())
    check_screen(client)
    await client.click("🛒 Order")
    for field, value in answers_for(service, quantity, user_id, runs).items():
        check_screen(client)
        if field in BUTTON_FIELDS or value == "":
            await client.click_data(ChoiceCb(field=field, value=value).pack())
        else:
            await client.send(value)
    check_screen(client)
    price = expected_price(service, units)
    summary = client.screen.last.text or ""
    assert services.terms.currency.format(price) in summary, summary
    adds_before = sum(r.action == "add" for r in panel.requests)
    await client.click("✅ Confirm")
    assert "placed" in (client.screen.last.text or ""), client.screen.transcript()
    assert sum(r.action == "add" for r in panel.requests) == adds_before + 1
    sent = [r for r in panel.requests if r.action == "add"][-1].fields
    assert sent["service"] == str(service.id)

    async with services.db.read() as r:
        [order] = await r.orders.list_for_user(user_id, 0, 1)
    assert (order.quantity, order.price) == (units, price)
    assert order.panel_order_id is not None
    if ending == "partial":
        panel.force_outcome(order.panel_order_id, Outcome.PARTIAL, remains=units // 2 or 1)
    elif ending == "canceled":
        panel.force_outcome(order.panel_order_id, Outcome.CANCELED)
    elif ending in ("refunded", "failed"):
        panel.override_status(order.panel_order_id, status=ending.title())
    elif ending == "by-charge":
        panel.override_status(order.panel_order_id, status="Partial", remains=None, charge="0")
    elif ending == "held":
        panel.override_status(order.panel_order_id, status="Partial", remains=None, charge=None)
    clock.advance(AFTER_EVERY_END)
    await services.tracker.poll_once()

    async with services.db.read() as r:
        ended = await r.orders.get(order.id)
        refunds = [
            row.amount
            for row in await r.ledger.rows_for_order(order.id)
            if row.reason is LedgerReason.REFUND
        ]
    assert ended is not None
    assert ended.state is FINAL_STATE[ending]
    if ending in ("canceled", "refunded", "failed", "by-charge"):
        # A Partial whose charge is 0 cost the shop nothing: all of it goes back.
        assert refunds == [price]
    elif ending == "partial":
        assert refunds == [
            amount
            for amount in [cents_down(Fraction(price) * (units // 2 or 1) / units)]
            if amount
        ]
    else:
        assert refunds == []
    notices = outbox(services, "dedupe_key LIKE ?", f"notice:order:{order.id}:%")
    assert len(notices) == 1
    assert_fits_telegram(notices[0]["text"])
    await assert_ledger_consistent(services.db, services.terms.currency)
