"""Panel faults mid-journey, against the bot as a separate process over loopback HTTP:
timeouts, HTML 502 pages, ``{"error": ...}`` refusals, slow answers and garbage.

Whatever the panel does, the customer reads a clear message, the money is safe (a balance
is the exact sum of its ledger; nothing is charged or refunded twice) and the bot keeps
serving everyone else.

One bot process serves the whole module, to keep it quick: every test has customers of its
own; after each one the faults are disarmed, the bot must still be running and the ledger
must hold together. The process log is checked for tracebacks when it stops, at the end.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal

import pytest
import pytest_asyncio

from api.sandbox import Fault

from ..support.process import Launcher
from ..support.telegram.chat import Customer
from .shop import ADMIN_CHAT, OWNER, Shop, running_shop

pytestmark = pytest.mark.asyncio(loop_scope="module")

#: The bot gives up on a panel answer after this many seconds (PANEL_TIMEOUT_SECONDS).
PANEL_TIMEOUT = 3.0
#: A slow answer that still comes in time.
SLOW = 2.0
#: What every test customer gets from the owner before ordering.
FUNDS = "5.00 USD"
#: Asks for a link and a quantity, nothing else: 0.45 per 1000 at the panel.
SERVICE = "Instagram Followers [HQ] [No refill]"
QUANTITY = 1000
#: 0.45 x 1000 / 1000 x 1.30 (the default markup) = 0.585, rounded up to the cent.
PRICE = "0.59 USD"
_user_ids = itertools.count(9100)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shop(
    tmp_path_factory: pytest.TempPathFactory, launcher: Launcher
) -> AsyncIterator[Shop]:
    """One bot process for the module, with a short panel timeout so that a lost answer
    is noticed in seconds, not in the default half-minute."""
    workdir = tmp_path_factory.mktemp("panel-faults")
    settings = {"PANEL_TIMEOUT_SECONDS": str(PANEL_TIMEOUT)}
    async with running_shop(workdir, launcher, settings) as running:
        yield running


@pytest.fixture(autouse=True)
def the_bot_survives_with_the_money_safe(shop: Shop) -> Iterator[None]:
    yield
    shop.panel.faults.clear()
    assert shop.process is not None, "the bot is not running"
    assert shop.process.returncode is None, "the bot died"
    assert_ledger_holds(shop)


# --- money, as the bot's database holds it ----------------------------------------------------


def micros(amount: str) -> int:
    """``"0.59 USD"`` in the ledger's unit, millionths."""
    return int(Decimal(amount.removesuffix(" USD")) * 1_000_000)


LedgerRow = tuple[str, int, str]


def ledger(shop: Shop, user_id: int) -> list[LedgerRow]:
    """A customer's ledger as (reason, amount in millionths, key), oldest first."""
    return _rows(
        shop, "SELECT reason, amount, key FROM ledger WHERE user_id = ? ORDER BY id", user_id
    )


def order_ledger(shop: Shop, order_id: int) -> list[LedgerRow]:
    """The ledger rows of one order, oldest first."""
    return _rows(
        shop, "SELECT reason, amount, key FROM ledger WHERE order_id = ? ORDER BY id", order_id
    )


def _rows(shop: Shop, sql: str, *params: object) -> list[LedgerRow]:
    return [
        (str(reason), int(str(amount)), str(key))
        for reason, amount, key in shop.query(sql, *params)
    ]


def balance(shop: Shop, user_id: int) -> int:
    """A balance is the sum of the ledger; nothing else stores it."""
    return sum(amount for _, amount, _ in ledger(shop, user_id))


def charge(order_id: int) -> LedgerRow:
    return ("order_charge", -micros(PRICE), f"charge:order:{order_id}")


def refund(order_id: int, amount: str = PRICE) -> LedgerRow:
    return ("refund", micros(amount), f"refund:order:{order_id}")


def assert_ledger_holds(shop: Shop) -> None:
    """No balance below zero; every order charged its price exactly once; at most one
    refund per order: all of it for an order that failed or was refunded, part of it for a
    partial one, nothing for one held, running or completed."""
    for (user_id,) in shop.query("SELECT DISTINCT user_id FROM ledger"):
        assert balance(shop, int(str(user_id))) >= 0, ledger(shop, int(str(user_id)))
    for order_id, price, state in shop.query("SELECT id, price, state FROM orders"):
        rows = order_ledger(shop, int(str(order_id)))
        charges = [row for row in rows if row[0] == "order_charge"]
        refunds = [row for row in rows if row[0] == "refund"]
        assert [(amount, key) for _, amount, key in charges] == [
            (-int(str(price)), f"charge:order:{order_id}")
        ], rows
        assert [key for _, _, key in refunds] in ([], [f"refund:order:{order_id}"]), rows
        refunded = refunds[0][1] if refunds else 0
        if state in ("failed", "refunded", "canceled"):
            assert refunded == price, (state, rows)
        elif state == "partial":
            assert 0 < refunded < int(str(price)), rows
        else:
            assert refunded == 0, (state, rows)


def order_state(shop: Shop, order_id: int) -> tuple[str, int | None]:
    """(state, panel order id) of a shop order."""
    [(state, panel_id)] = shop.query(
        "SELECT state, panel_order_id FROM orders WHERE id = ?", order_id
    )
    return str(state), None if panel_id is None else int(str(panel_id))


def newest_order(shop: Shop, user_id: int) -> int:
    [(order_id,)] = shop.query(
        "SELECT id FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT 1", user_id
    )
    return int(str(order_id))


def requests(shop: Shop, action: str, link: str | None = None) -> int:
    """How many ``action`` requests the panel got (for ``link``, if given)."""
    return sum(
        1
        for r in shop.panel.requests
        if r.action == action and link in (None, r.fields.get("link"))
    )


def polls(shop: Shop) -> int:
    """How many times the tracker asked for its orders (multi-status: ``orders=...``)."""
    return sum(1 for r in shop.panel.requests if r.action == "status" and "orders" in r.fields)


# --- the people in the chats ------------------------------------------------------------------


def owner_of(shop: Shop) -> Customer:
    return Customer(
        shop.telegram, user_id=OWNER, first_name="Olga", chat_id=ADMIN_CHAT, whole_bot=False
    )


async def funded_customer(shop: Shop, name: str = "Ann") -> Customer:
    """A new customer who opened the shop and got FUNDS from the owner."""
    customer = Customer(shop.telegram, next(_user_ids), first_name=name, whole_bot=False)
    await customer.send("/start")
    assert customer.latest.text.startswith(f"👋 <b>Hello, {name}!</b>")
    owner = owner_of(shop)
    await owner.send(f"/credit {customer.user_id} 5 test money")
    await owner.answer(f"✅ {FUNDS} added to {customer.user_id}.")
    return customer


async def fill_order_form(customer: Customer, link: str) -> None:
    """From the menu to the quote for QUANTITY of SERVICE, ready to confirm."""
    await customer.click("New order")
    await customer.click("Instagram Followers (")
    await customer.click(SERVICE)
    await customer.click("Order")
    await customer.send(link)
    await customer.send(str(QUANTITY))
    assert customer.latest.text.startswith("🧾 <b>Your order</b>"), customer.latest.text
    assert f"Price: <b>{PRICE}</b>" in customer.latest.text


async def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def held_text(order_id: int) -> str:
    return (
        f"⏳ <b>Order #{order_id} is being checked</b>\n"
        "The panel did not answer in time, so we are checking whether your order went"
        f" through. The {PRICE} stays reserved: it is either used for the order or returned"
        " to you."
    )


def placed_text(order_id: int, panel_id: int, balance: str) -> str:
    return (
        f"✅ <b>Order #{order_id} placed</b>\n"
        f"Panel order: {panel_id}\n"
        f"Charged: {PRICE}\n"
        f"Your balance: {balance}\n"
        "We will tell you when it starts and when it is done."
    )


def panel_order_of(shop: Shop, link: str) -> int:
    [order_id] = [order.id for order in shop.panel.orders.values() if order.link == link]
    return order_id


# --- add refused: definite -------------------------------------------------------------------


REFUSALS = {
    # The shop's own panel account is empty: the admins must top it up.
    "not-enough-funds": (
        "Not enough funds on balance",
        "⛔ The shop cannot take this order right now. 0.59 USD is back on your balance"
        " (5.00 USD). Please try again later.",
    ),
    # The customer's link: theirs to fix, nothing for the admins.
    "incorrect-link": (
        "Incorrect link",
        "⛔ The link was not accepted. Check that it is correct and public. 0.59 USD is back"
        " on your balance (5.00 USD).",
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS)
async def test_a_refused_order_is_refunded_once_and_the_customer_told_why(
    shop: Shop, refusal: str
) -> None:
    panel_error, told = REFUSALS[refusal]
    ann = await funded_customer(shop)
    link = f"https://instagram.com/ann.refused.{refusal}"
    await fill_order_form(ann, link)
    shop.panel.faults.add(Fault.error(panel_error, action="add", times=1))

    await ann.click("Confirm")

    assert ann.latest.text == told
    order_id = newest_order(shop, ann.user_id)
    assert order_state(shop, order_id) == ("failed", None)
    assert order_ledger(shop, order_id) == [charge(order_id), refund(order_id)]
    assert balance(shop, ann.user_id) == micros(FUNDS)
    assert requests(shop, "add", link) == 1  # a refusal is final: never sent again
    await ann.click("Balance")
    assert ann.latest.text.startswith(f"💰 <b>Your balance: {FUNDS}</b>")
    alerts = shop.query(
        "SELECT text FROM outbox WHERE dedupe_key = ?", f"alert:panel-refusal:{order_id}"
    )
    if refusal == "not-enough-funds":
        assert alerts == [
            (
                "🛑 <b>The panel refused an order for a reason on the shop's side</b>\n"
                f"Not enough funds on balance\nOrder #{order_id} was refunded to the customer.",
            )
        ]
        await owner_of(shop).wait_for(f"Order #{order_id} was refunded to the customer.")
    else:
        assert alerts == []


# --- add answered slowly ----------------------------------------------------------------------


async def test_a_slow_panel_places_the_order_and_other_customers_are_served_meanwhile(
    shop: Shop,
) -> None:
    ann = await funded_customer(shop)
    bob = Customer(shop.telegram, user_id=next(_user_ids), first_name="Bob", whole_bot=False)
    link = "https://instagram.com/ann.slow"
    await fill_order_form(ann, link)
    shop.panel.faults.add(Fault.latency(SLOW, action="add", times=1))

    confirming = asyncio.create_task(ann.click("Confirm"))
    await wait_until(lambda: requests(shop, "add", link) == 1)
    asked_at = time.monotonic()
    # Ann's order waits on the panel; Bob opens the shop and its catalogue all the same.
    await bob.send("/start")
    assert bob.latest.text.startswith("👋 <b>Hello, Bob!</b>")
    await bob.click("New order")
    assert bob.latest.text.startswith("🛒 <b>Choose a category</b>")
    assert time.monotonic() - asked_at < SLOW
    assert ann.latest.text.startswith("🧾 <b>Your order</b>")  # still waiting for the panel

    await confirming
    placed = await ann.answer("placed</b>")
    order_id = newest_order(shop, ann.user_id)
    panel_id = panel_order_of(shop, link)
    assert placed.text == placed_text(order_id, panel_id, "4.41 USD")
    assert order_state(shop, order_id) == ("pending", panel_id)
    assert order_ledger(shop, order_id) == [charge(order_id)]
    assert requests(shop, "add", link) == 1


# --- add answer lost: ambiguous ---------------------------------------------------------------


LOST_ANSWERS: dict[str, tuple[Callable[[bool], Fault], str]] = {
    # kind: (the fault, given whether the panel took the order first; the alert's reason)
    "timeout": (
        lambda taken: Fault.timeout(action="add", times=1, after_apply=taken),
        "add: no answer in time",
    ),
    "html_502": (
        lambda taken: Fault.html_502(action="add", times=1, after_apply=taken),
        "add: HTTP 502",
    ),
    "garbage": (
        lambda taken: Fault.garbage(action="add", times=1, after_apply=taken),
        "add: not JSON",
    ),
}


async def order_with_a_lost_answer(shop: Shop, ann: Customer, link: str, fault: Fault) -> int:
    """Ann orders and the panel's answer to add is lost; she is told her money is held,
    which it is: charged once, not refunded, not sent again. Returns the order's id."""
    await fill_order_form(ann, link)
    shop.panel.faults.add(fault)
    await ann.click("Confirm")
    held = await ann.answer("is being checked")
    order_id = newest_order(shop, ann.user_id)
    assert held.text == held_text(order_id)
    assert order_state(shop, order_id) == ("unknown", None)
    assert order_ledger(shop, order_id) == [charge(order_id)]
    assert requests(shop, "add", link) == 1
    return order_id


@pytest.mark.parametrize("kind", LOST_ANSWERS)
async def test_a_lost_add_answer_holds_the_money_until_the_owner_resolves_it(
    shop: Shop, kind: str
) -> None:
    fault, reason = LOST_ANSWERS[kind]
    ann = await funded_customer(shop)
    owner = owner_of(shop)
    # The panel takes the first order, but its answer is lost; the second never gets there.
    taken_link = f"https://instagram.com/ann.{kind}.taken"
    taken = await order_with_a_lost_answer(shop, ann, taken_link, fault(True))
    lost_link = f"https://instagram.com/ann.{kind}.lost"
    lost = await order_with_a_lost_answer(shop, ann, lost_link, fault(False))
    assert [o.link for o in shop.panel.orders.values()].count(taken_link) == 1
    assert [o.link for o in shop.panel.orders.values()].count(lost_link) == 0
    assert balance(shop, ann.user_id) == micros("3.82 USD")  # 5.00 - 2 x 0.59, held
    for order_id in (taken, lost):
        alert = await owner.wait_for(f"Order #{order_id} is uncertain")
        assert alert.text.startswith(
            f"⚠️ <b>Order #{order_id} is uncertain</b>\n"
            f"Customer {ann.user_id} paid {PRICE}. The panel's answer was lost ({reason}"
        )
        assert alert.text.endswith(
            f"Check the panel, then: <code>/attach {order_id} PANEL_ORDER_ID</code> if it was"
            f" placed, or <code>/refund {order_id}</code> if not."
        )

    # The owner finds the first order at the panel and attaches it: it is followed again.
    panel_id = panel_order_of(shop, taken_link)
    await owner.send(f"/attach {taken} {panel_id}")
    attached = await owner.answer("is panel order")
    assert attached.text == f"✅ Order #{taken} is panel order {panel_id}; it is followed again."
    assert order_state(shop, taken) == ("pending", panel_id)
    shop.clock.advance(shop.panel.pending_seconds + 1)  # it starts at the panel
    # The second is not at the panel: the owner refunds it, and Ann is told.
    await owner.send(f"/refund {lost}")
    refunded = await owner.answer("back to the customer")
    assert refunded.text == f"✅ Order #{lost} refunded: {PRICE} back to the customer."
    assert order_state(shop, lost) == ("refunded", None)
    notice = await ann.wait_for(f"Order #{lost} did not go through")
    assert notice.text == (
        f"↩️ <b>Order #{lost} did not go through</b>\n{SERVICE}\n"
        f"The panel did not take it, so nothing was bought. Refunded: {PRICE}."
        " Your balance: 4.41 USD"
    )
    await owner.send(f"/refund {lost}")
    assert (await owner.answer("Not done")).text == f"Not done: order {lost} is not uncertain"

    [funding, *orders] = ledger(shop, ann.user_id)
    assert funding[:2] == ("admin_adjustment", micros(FUNDS))
    assert orders == [charge(taken), charge(lost), refund(lost)]
    await ann.click("Balance")
    assert (await ann.answer("Your balance")).text.startswith("💰 <b>Your balance: 4.41 USD</b>")
    assert balance(shop, ann.user_id) == micros("4.41 USD")
    started = await ann.wait_for(f"Order #{taken} has started")
    assert started.text.startswith(f"🔄 <b>Order #{taken} has started</b>\n{SERVICE}\n")
    assert len(ann.texts(f"Order #{lost} did not go through")) == 1
    assert requests(shop, "add", taken_link) == requests(shop, "add", lost_link) == 1


# --- the panel down while orders run ----------------------------------------------------------


OUTAGES: dict[str, Callable[..., Fault]] = {"html_502": Fault.html_502, "timeout": Fault.timeout}
#: Every action of API v2 but ``status``.
OTHER_ACTIONS = ("services", "balance", "add", "refill", "refill_status", "cancel")


def outage(kind: str) -> list[Fault]:
    """The panel fails every call, except that its ``status`` answers fail only once: one
    poll of the tracker fails, however long the test spends in the outage (a second failure
    in a row would double the tracker's wait)."""
    fault = OUTAGES[kind]
    return [fault(action="status", times=1)] + [fault(action=name) for name in OTHER_ACTIONS]


@pytest.mark.parametrize("kind", OUTAGES)
async def test_while_the_panel_is_down_the_shop_serves_and_no_notice_is_lost(
    shop: Shop, kind: str
) -> None:
    ann = await funded_customer(shop)
    owner = owner_of(shop)
    link = f"https://instagram.com/ann.outage.{kind}?sandbox=partial"
    await fill_order_form(ann, link)
    await ann.click("Confirm")
    await ann.answer("placed</b>")
    order_id = newest_order(shop, ann.user_id)
    panel_id = panel_order_of(shop, link)

    # The panel goes down, while the order runs its course there and ends partly delivered.
    for fault in outage(kind):
        shop.panel.faults.add(fault)
    polled = polls(shop)
    shop.clock.advance(shop.panel.pending_seconds + shop.panel.progress_seconds + 2)
    # The tracker's poll fails: nothing is told, nothing refunded.
    await wait_until(lambda: polls(shop) > polled)
    assert order_state(shop, order_id) == ("pending", panel_id)
    assert order_ledger(shop, order_id) == [charge(order_id)]

    # Meanwhile the shop answers from its own database: no screen waits on the panel.
    asked = len(shop.panel.requests)
    await ann.send("/start")
    assert ann.latest.text.startswith("👋 <b>Hello, Ann!</b>")
    await ann.click("Balance")
    assert ann.latest.text.startswith("💰 <b>Your balance: 4.41 USD</b>")
    await ann.click("Menu")
    await ann.click("My orders")
    await ann.click(f"#{order_id} ")
    assert ann.latest.text.startswith(f"🕒 <b>Order #{order_id}</b> · waiting to start\n")
    await ann.send("/start")
    await ann.click("New order")
    assert ann.latest.text.startswith("🛒 <b>Choose a category</b>")
    await ann.click("Instagram Followers (")
    assert ann.latest.text.startswith("📂 <b>Instagram Followers</b>")
    await ann.click(SERVICE)
    assert ann.latest.text.startswith(f"<b>{SERVICE}</b>")
    assert {r.action for r in shop.panel.requests[asked:]} <= {"status"}  # the tracker's
    # The owner sees that the panel does not answer, and the catalogue stays as it was.
    await owner.send("/panel")
    status = await owner.answer("Services for sale:")
    assert "\nBalance: not available (balance: " in status.text
    assert "\nServices for sale: 34 (of 34 known)\n" in status.text
    await owner.send("/sync")
    sync = await owner.answer("catalogue")
    assert sync.text.startswith("⚠️ The catalogue could not be taken (services: ")
    assert sync.text.endswith("); the last one stays.")
    assert shop.query("SELECT COUNT(*) FROM services WHERE on_panel = 1") == [(34,)]

    # The panel is back: Ann learns how her order ended, once, with its refund, once.
    shop.panel.faults.clear()
    notice = await ann.wait_for(f"Order #{order_id} was partly delivered")
    remains = shop.panel.orders[panel_id].remains
    assert remains == QUANTITY // 3
    assert notice.text == (
        f"◐ <b>Order #{order_id} was partly delivered</b>\n{SERVICE}\n"
        f"Delivered: {QUANTITY - remains}, not delivered: {remains}.\n"
        "Refunded: 0.19 USD. Your balance: 4.60 USD"  # 0.59 x 333 / 1000, rounded down
    )
    assert order_state(shop, order_id) == ("partial", panel_id)
    assert order_ledger(shop, order_id) == [charge(order_id), refund(order_id, "0.19 USD")]
    assert balance(shop, ann.user_id) == micros("4.60 USD")
    assert len(ann.texts(f"Order #{order_id} was")) == 1
    assert shop.query(
        "SELECT dedupe_key FROM outbox WHERE user_id = ? AND kind = 'order_status'", ann.user_id
    ) == [(f"notice:order:{order_id}:partial",)]
