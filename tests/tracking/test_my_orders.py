"""My orders through the real Dispatcher: the list, the card, Refresh, Refill and Cancel,
each against the sandbox panel over loopback HTTP; and nobody sees or touches an order that
is not theirs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage

from api import DefaultOrder
from api.sandbox import CANCEL_MARKER, PARTIAL_MARKER, Fault, ManualClock, SandboxPanel
from bot.app import Runtime
from handlers.callbacks import OrderActionCb, OrderCb
from shop.ledger import credit
from shop.ordering import PlacementOutcome, place_order, quote_order
from shop.storage import CancelOutcome, LedgerReason, OrderRow, OrderState, utc_now

from ..support.telegram import BotClient
from .conftest import CANCEL_ONLY, LINK, REFILL_AND_CANCEL, REFILL_ONLY, order_button

ALICE = 111
NOT_FOUND = "This order was not found."
CANCEL_REQUESTED = (
    "✖ Cancel requested. When the provider confirms, what was not delivered comes back to"
    " your balance."
)


async def place(
    services: Runtime, user_id: int, link: str, service: int = REFILL_AND_CANCEL
) -> OrderRow:
    request = DefaultOrder(service=service, link=link, quantity=1000)
    quote = await quote_order(services.db, services.terms, user_id, request)
    placement = await place_order(
        services.db, services.panel, services.alerts, user_id, quote.id, terms=services.terms
    )
    assert placement.outcome is PlacementOutcome.PLACED
    return placement.order


async def join(client: BotClient, services: Runtime, funds: Decimal = Decimal(100)) -> None:
    """The customer starts the bot and tops up."""
    await client.send("/start")
    async with services.db.transaction() as tx:
        key = f"topup:test:{client.user.id}"
        await credit(tx, client.user.id, funds, LedgerReason.TOPUP, key)


async def poll(services: Runtime) -> None:
    await services.tracker.poll_once()


def start_and_finish(panel: SandboxPanel, clock: ManualClock) -> None:
    clock.advance(panel.pending_seconds + panel.progress_seconds + 2)


def status_calls(panel: SandboxPanel) -> int:
    return sum(request.action == "status" for request in panel.requests)


def actions(client: BotClient) -> list[str]:
    """The labels of the action row of the card on screen."""
    return client.screen.last.buttons[0]


@pytest.fixture
def alice(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client(user_id=ALICE)


# --- the list and the card -------------------------------------------------------------------


async def test_my_orders_lists_newest_first_with_status_icons_eight_a_page(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    gone = await place(services, ALICE, f"{LINK}/1?{CANCEL_MARKER}")
    part = await place(services, ALICE, f"{LINK}/2?{PARTIAL_MARKER}")
    done = await place(services, ALICE, f"{LINK}/3")
    start_and_finish(panel, clock)
    await poll(services)  # the first three end: canceled, partial, completed
    running = await place(services, ALICE, f"{LINK}/4")
    clock.advance(panel.pending_seconds + 1)
    await poll(services)  # the fourth runs
    waiting = [await place(services, ALICE, f"{LINK}/{n}") for n in range(5, 11)]
    price = done.price

    await alice.click("My orders")
    first_page = alice.screen.last
    assert first_page.text == "📦 Your orders, newest first. Tap one for details."
    assert first_page.button_rows == [
        *([(f"🕒 #{o.id} · waiting to start · {price} USD", order_button(o.id))]
          for o in reversed(waiting)),
        [(f"🔄 #{running.id} · in progress · {price} USD", order_button(running.id))],
        [(f"✅ #{done.id} · completed · {price} USD", order_button(done.id))],
        [("1 / 2", "os:0"), ("▶", "os:1")],
        [("🏠 Menu", "m:main")],
    ]  # fmt: skip

    await alice.click("▶")
    assert alice.screen.last.button_rows == [
        [
            (
                f"◐ #{part.id} · partly delivered · {price} USD",
                OrderCb(order_id=part.id, page=1).pack(),
            )
        ],
        [(f"✖️ #{gone.id} · canceled · {price} USD", OrderCb(order_id=gone.id, page=1).pack())],
        [("◀", "os:0"), ("2 / 2", "os:1")],
        [("🏠 Menu", "m:main")],
    ]
    await alice.click("◀")
    assert alice.screen.last.button_rows == first_page.button_rows


async def test_an_order_card_shows_what_was_ordered_and_where_it_stands(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    order = await place(services, ALICE, f"{LINK}?{PARTIAL_MARKER}&a=<b>")
    assert order.panel_order_id is not None
    panel.force_outcome(order.panel_order_id, "partial", remains=250)
    start_and_finish(panel, clock)
    await poll(services)
    start = panel.orders[order.panel_order_id].start_count
    await alice.click("My orders")
    await alice.click(f"#{order.id} ·")
    card = alice.screen.last
    assert card.text == (
        f"◐ Order #{order.id} · partly delivered\n"
        "Instagram Followers [Real] [30 days refill]\n"
        f"🔗 {LINK}?{PARTIAL_MARKER}&a=<b>\n"
        "Quantity: 1,000\n"
        f"Charged: {order.price} USD\n"
        f"Count at start: {start:,} · Remaining: 250\n"
        "Refill: not requested"
    )
    assert card.html is not None
    assert "&amp;a=&lt;b&gt;" in card.html  # the link is the customer's text: escaped
    assert card.button_rows == [
        [("🔄 Refresh", f"oa:refresh:{order.id}"), ("♻️ Refill", f"oa:refill:{order.id}")],
        [("💬 Ask about this order", f"ask:{order.id}")],
        [("◀ Back", "os:0")],
    ]


async def test_the_view_order_button_of_a_notice_opens_the_card(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    order = await place(services, ALICE, LINK)
    clock.advance(panel.pending_seconds + 1)
    await poll(services)
    async with services.db.read() as r:
        [notice] = await r.outbox.due(utc_now(), 10)
    assert notice.reply_markup is not None
    [[button]] = notice.reply_markup["inline_keyboard"]
    await alice.click_data(button["callback_data"])
    assert alice.screen.last.text is not None
    assert alice.screen.last.text.startswith(f"🔄 Order #{order.id} · in progress\n")


# --- Refresh -------------------------------------------------------------------------------


async def test_refresh_asks_the_panel_once_and_not_again_within_30_seconds(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    order = await place(services, ALICE, LINK)
    await alice.click("My orders")
    await alice.click(f"#{order.id} ·")
    assert alice.screen.last.text is not None
    assert alice.screen.last.text.startswith(f"🕒 Order #{order.id} · waiting to start")
    clock.advance(panel.pending_seconds + 1)

    panel.requests.clear()
    await alice.click("Refresh")
    [call] = panel.requests
    assert (call.action, call.fields) == ("status", {"order": str(order.panel_order_id)})
    start = panel.orders[order.panel_order_id or 0].start_count
    card = alice.screen.last.text
    assert card is not None
    assert card.startswith(f"🔄 Order #{order.id} · in progress\n")
    assert f"Count at start: {start:,} · " in card
    assert alice.last_answer_callback().text is None

    # Pressed again at once (and again): the card stays, the panel is not asked.
    clock.advance(panel.progress_seconds + 1)
    for _ in range(2):
        await alice.click("Refresh")
        assert alice.last_answer_callback() is not None
    assert len(panel.requests) == 1
    assert alice.screen.last.text == card


async def test_refresh_is_limited_per_customer_across_their_orders(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    first = await place(services, ALICE, f"{LINK}/1")
    second = await place(services, ALICE, f"{LINK}/2")
    clock.advance(panel.pending_seconds + 1)
    panel.requests.clear()
    await alice.click("My orders")
    await alice.click(f"#{first.id} ·")
    await alice.click("Refresh")
    await alice.click("◀ Back")
    await alice.click(f"#{second.id} ·")
    await alice.click("Refresh")
    # One call for the first order; the second, a moment later, waits its turn.
    assert [(r.action, r.fields) for r in panel.requests] == [
        ("status", {"order": str(first.panel_order_id)})
    ]


# --- Refill and Cancel ------------------------------------------------------------------------


async def test_refill_and_cancel_are_offered_only_where_they_apply(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    finished = {
        service: await place(services, ALICE, f"{LINK}/done-{service}", service)
        for service in (REFILL_AND_CANCEL, CANCEL_ONLY, REFILL_ONLY)
    }
    start_and_finish(panel, clock)
    await poll(services)
    active = {
        service: await place(services, ALICE, f"{LINK}/active-{service}", service)
        for service in (REFILL_AND_CANCEL, CANCEL_ONLY, REFILL_ONLY)
    }
    offered = {}
    for label, orders in (("finished", finished), ("active", active)):
        for service, order in orders.items():
            await alice.click_data(order_button(order.id))
            offered[label, service] = actions(alice)
    assert offered == {
        ("finished", REFILL_AND_CANCEL): ["🔄 Refresh", "♻️ Refill"],
        ("finished", CANCEL_ONLY): ["🔄 Refresh"],
        ("finished", REFILL_ONLY): ["🔄 Refresh", "♻️ Refill"],
        ("active", REFILL_AND_CANCEL): ["🔄 Refresh", "✖ Cancel order"],
        ("active", CANCEL_ONLY): ["🔄 Refresh", "✖ Cancel order"],
        ("active", REFILL_ONLY): ["🔄 Refresh"],
    }


async def test_refill_shows_the_panels_answer_in_plain_words(
    services: Runtime, alice: BotClient, panel: SandboxPanel, clock: ManualClock
) -> None:
    await join(alice, services)
    accepted = await place(services, ALICE, f"{LINK}/a")
    refused = await place(services, ALICE, f"{LINK}/b")
    start_and_finish(panel, clock)
    await poll(services)

    await alice.click_data(order_button(accepted.id))
    panel.requests.clear()
    await alice.click("Refill")
    assert [r.action for r in panel.requests] == ["refill"]
    card = alice.screen.last.text or ""
    assert "\nRefill: waiting\n\n" in card
    assert card.endswith("\n\n♻️ Refill requested. We will tell you when it is done.")
    await alice.click("Refill")
    assert [r.action for r in panel.requests] == ["refill"]  # not asked again
    assert (alice.screen.last.text or "").endswith(
        "\n\nA refill of this order is already under way."
    )

    panel.faults.add(Fault.error("Order not eligible for refill", action="refill", times=1))
    await alice.click_data(order_button(refused.id))
    await alice.click("Refill")
    card = alice.screen.last.text or ""
    assert "\nRefill: not accepted\n\n" in card
    assert card.endswith("\n\n⛔ The refill was not accepted: the order is not eligible for it.")


@pytest.mark.parametrize(
    ("fault", "note"),
    [
        (None, "✖ Cancel requested. When the provider confirms, what was not delivered comes"
               " back to your balance."),
        (Fault.error("Cancel is not available for this order", action="cancel", times=1),
         "⛔ The order could not be canceled: the order is not eligible for it."),
        (Fault.html_502(action="cancel", times=1),
         "⏳ The provider did not answer. Please try again in a few minutes."),
    ],
)  # fmt: skip
async def test_cancel_shows_the_panels_answer_in_plain_words(
    services: Runtime, alice: BotClient, panel: SandboxPanel, fault: Fault | None, note: str
) -> None:
    await join(alice, services)
    order = await place(services, ALICE, LINK)
    if fault is not None:
        panel.faults.add(fault)
    await alice.click("My orders")
    await alice.click(f"#{order.id} ·")
    panel.requests.clear()
    await alice.click("Cancel order")
    assert [r.action for r in panel.requests] == ["cancel"]
    assert (alice.screen.last.text or "").endswith(f"\n\n{note}")
    await poll(services)
    async with services.db.read() as r:
        state = (await r.orders.get(order.id) or order).state
    assert state is (OrderState.CANCELED if fault is None else OrderState.PENDING)
    if fault is None:
        # Once the panel confirms, the card no longer offers to cancel.
        await alice.click_data(order_button(order.id))
        assert actions(alice) == ["🔄 Refresh"]


ALREADY_ASKED = (
    "⏳ You have already asked for this. We will tell you as soon as the provider answers."
)
TOO_SOON = "⏳ You asked for this a moment ago. Please try again in a few minutes."


async def tap(alice: BotClient, action: str, order: OrderRow, times: int = 20) -> list[str]:
    """``times`` taps on the same button of the card, as an impatient customer makes them:
    all at once, before any answer comes. The note under the card each tap showed."""
    data = OrderActionCb(action=action, order_id=order.id).pack()
    card = alice.screen.last.message_id
    edits_before = len(alice.requests_of(EditMessageText))
    answers_before = len(alice.requests_of(AnswerCallbackQuery))
    await asyncio.gather(*(alice.click_data(data, card) for _ in range(times)))
    # Every tap is answered, and shows the card with a note.
    assert len(alice.requests_of(AnswerCallbackQuery)) - answers_before == times
    edits = alice.requests_of(EditMessageText)[edits_before:]
    return [(edit.text or "").rsplit("\n\n", 1)[-1] for edit in edits]


async def test_twenty_taps_on_cancel_make_one_call_and_one_request_the_others_answered(
    services: Runtime, alice: BotClient, panel: SandboxPanel
) -> None:
    await join(alice, services)
    order = await place(services, ALICE, LINK)
    await alice.click("My orders")
    await alice.click(f"#{order.id} ·")
    panel.requests.clear()

    notes = await tap(alice, "cancel", order)

    assert [r.action for r in panel.requests] == ["cancel"]
    async with services.db.read() as r:
        requests = await r.cancels.for_order(order.id)
    assert [request.outcome for request in requests] == [CancelOutcome.ACCEPTED]
    assert sorted(notes) == sorted([CANCEL_REQUESTED] + [ALREADY_ASKED] * 19)
    # Later taps on the old button are answered the same way, and still ask nothing.
    await alice.click_data(OrderActionCb(action="cancel", order_id=order.id).pack())
    assert (alice.screen.last.text or "").endswith(f"\n\n{ALREADY_ASKED}")
    assert [r.action for r in panel.requests] == ["cancel"]
    # The card no longer offers a cancel the panel has accepted.
    assert actions(alice) == ["🔄 Refresh"]


@pytest.mark.parametrize(
    ("action", "fault", "first", "others"),
    [
        ("cancel", Fault.error("Cancel is not available for this order", action="cancel"),
         "⛔ The order could not be canceled: the order is not eligible for it.", TOO_SOON),
        ("cancel", Fault.html_502(action="cancel"),
         "⏳ The provider did not answer. Please try again in a few minutes.", ALREADY_ASKED),
        ("refill", Fault.error("Order not eligible for refill", action="refill"),
         "⛔ The refill was not accepted: the order is not eligible for it.", TOO_SOON),
        ("refill", Fault.html_502(action="refill"),
         "⏳ The provider did not answer. Please try again in a few minutes.", TOO_SOON),
    ],
    ids=["cancel-refused", "cancel-no-answer", "refill-refused", "refill-no-answer"],
)  # fmt: skip
async def test_twenty_taps_after_a_refusal_ask_the_panel_once_per_cool_down(
    services: Runtime,
    alice: BotClient,
    panel: SandboxPanel,
    clock: ManualClock,
    action: str,
    fault: Fault,
    first: str,
    others: str,
) -> None:
    await join(alice, services)
    order = await place(services, ALICE, LINK)
    if action == "refill":
        start_and_finish(panel, clock)
        await poll(services)
    panel.faults.add(fault)
    await alice.click_data(order_button(order.id))
    panel.requests.clear()

    assert await tap(alice, action, order, 1) == [first]
    notes = await tap(alice, action, order, 19)

    assert [r.action for r in panel.requests] == [action]
    async with services.db.read() as r:
        if action == "refill":
            assert len(await r.refills.for_order(order.id)) == 1
        else:
            assert len(await r.cancels.for_order(order.id)) == 1
    assert notes == [others] * 19


# --- only one's own orders ------------------------------------------------------------------


async def test_a_forged_button_with_another_customers_order_reveals_and_does_nothing(
    services: Runtime,
    alice: BotClient,
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    clock: ManualClock,
) -> None:
    await join(alice, services)
    finished = await place(services, ALICE, f"{LINK}/secret-finished")
    start_and_finish(panel, clock)
    await poll(services)
    active = await place(services, ALICE, f"{LINK}/secret-active")
    mallory = make_client(user_id=666, first_name="Mallory", username="mallory")
    await join(mallory, services)
    panel.requests.clear()

    for data in (
        order_button(finished.id),
        order_button(active.id),
        f"o:{active.id}:3",
        f"oa:refresh:{active.id}",
        f"oa:refill:{finished.id}",
        f"oa:cancel:{active.id}",
    ):
        requests = await mallory.click_data(data)
        assert mallory.last_answer_callback().text == NOT_FOUND, data
        assert requests.of(EditMessageText) == [], data
        assert requests.of(SendMessage) == [], data
    assert panel.requests == []
    assert all("secret" not in (m.text or "") for m in mallory.screen.messages)
    async with services.db.read() as r:
        assert await r.refills.for_order(finished.id) == []
        assert await r.cancels.for_order(active.id) == []
        assert (await r.orders.get(active.id) or active).last_polled_at is None
