"""Confirming a quote: once only, whatever the taps; a short balance; what the panel said."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from aiogram.methods import EditMessageText

from api import OrderType, Service
from api.sandbox import Fault, SandboxPanel
from bot.app import Runtime
from shop.storage import LedgerReason

from ..support.telegram import MESSAGE_CANT_BE_EDITED, BotClient
from .conftest import top_up
from .shopping import (
    FIRST_PANEL_ORDER,
    MENU,
    add_requests,
    ledger,
    order_price,
    reach_summary,
    row_count,
    service_of_type,
    usd,
)

ALREADY_PLACED = "ℹ️ This order was placed already: order #1. Nothing more was charged."


def followers(panel: SandboxPanel) -> Service:
    return service_of_type(panel, OrderType.DEFAULT)


def confirm_data(client: BotClient) -> str:
    data = client.screen.find_button("Confirm").callback_data
    assert data is not None
    return data


async def test_tapping_confirm_twice_places_one_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    summary = await reach_summary(alice, panel, service)
    confirm = confirm_data(alice)

    await alice.click("Confirm")
    await alice.click_data(confirm, message_id=summary.message_id)

    assert alice.screen.last.text == ALREADY_PLACED
    assert alice.screen.last.buttons == MENU
    assert alice.last_answer_callback().text is None
    price = order_price(service, 1000)
    assert len(add_requests(panel)) == 1
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -price),
    ]
    assert row_count(services, "orders") == 1


async def test_two_taps_at_the_same_moment_place_one_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    summary = await reach_summary(alice, panel, service)
    confirm = confirm_data(alice)

    start = len(alice.session.calls)
    await asyncio.gather(
        alice.click_data(confirm, message_id=summary.message_id),
        alice.click_data(confirm, message_id=summary.message_id),
    )

    outcomes = [
        call.method.text
        for call in alice.session.calls[start:]
        if call.ok and isinstance(call.method, EditMessageText)
    ]
    assert len(outcomes) == 2
    assert sum("Order #1 placed" in text for text in outcomes) == 1
    assert outcomes.count(ALREADY_PLACED) == 1
    assert len(add_requests(panel)) == 1
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -order_price(service, 1000)),
    ]


async def test_an_old_summary_left_on_screen_cannot_place_a_second_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    summary = await reach_summary(alice, panel, service)
    # Telegram refuses to edit the summary, so the outcome comes as a new message and the
    # old summary keeps its Confirm button.
    alice.session.fail_next(EditMessageText, MESSAGE_CANT_BE_EDITED)
    await alice.click("Confirm")
    assert alice.screen.last is not summary
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")
    assert summary.buttons == [["✅ Confirm", "✖ Cancel"]]

    await alice.click("Confirm", message=summary)

    assert summary.text == ALREADY_PLACED
    assert len(add_requests(panel)) == 1
    assert row_count(services, "orders") == 1


async def test_a_short_balance_says_what_is_missing_and_charges_nothing(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    price = order_price(service, 1000)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal("1.00"))
    summary = await reach_summary(alice, panel, service)

    assert summary.text is not None
    assert summary.text.endswith(
        f"💵 Price: {usd(price)}\n💰 Your balance: 1.00 USD\n\n"
        f"⚠️ Your balance is short by {usd(price - 1)}. Top up, then confirm."
    )
    assert summary.buttons == [["💰 Top up"], ["✅ Confirm", "✖ Cancel"]]

    await alice.click("Confirm")

    assert alice.screen.last is summary
    assert summary.text == f"⚠️ Your balance is short by {usd(price - 1)}. Top up, then confirm."
    assert summary.buttons == [["💰 Top up"], ["✅ Confirm", "✖ Cancel"]]
    assert add_requests(panel) == []
    assert row_count(services, "orders") == 0
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("1.00"))]


async def test_after_a_top_up_the_same_confirm_places_the_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    price = order_price(service, 1000)
    await alice.send("/start")
    summary = await reach_summary(alice, panel, service)
    assert f"short by {usd(price)}" in (summary.text or "")
    await alice.click("Confirm")
    assert add_requests(panel) == []

    await top_up(services, alice.user.id, Decimal(5))
    await alice.click("Confirm")

    assert summary.text == (
        f"✅ Order #1 placed\nPanel order: {FIRST_PANEL_ORDER}\nCharged: {usd(price)}\n"
        f"Your balance: {usd(5 - price)}\nWe will tell you when it starts and when it is done."
    )
    assert len(add_requests(panel)) == 1
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(5)),
        (LedgerReason.ORDER_CHARGE, -price),
    ]


async def test_cancel_on_the_summary_drops_the_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    summary = await reach_summary(alice, panel, followers(panel))

    await alice.click("Cancel")

    assert summary.text == "Order dropped. Nothing was charged."
    assert summary.buttons == MENU
    assert await alice.fsm_state() is None
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]


async def test_text_sent_on_the_summary_points_to_its_buttons(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await reach_summary(alice, panel, followers(panel))

    await alice.send("yes please")

    assert alice.screen.last.text == (
        "Please tap ✅ Confirm or ✖ Cancel under your order above. /cancel drops it."
    )
    assert add_requests(panel) == []


async def test_a_link_the_panel_is_already_serving_is_refused_in_plain_words_and_refunded(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    price = order_price(service, 1000)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    await reach_summary(alice, panel, service, link="https://instagram.com/busy")
    await alice.click("Confirm")
    await reach_summary(alice, panel, service, link="https://instagram.com/busy")

    await alice.click("Confirm")

    assert alice.screen.last.text == (
        "⛔ This link already has an order in progress for this service. Wait until it "
        f"finishes, or use another link. {usd(price)} is back on your balance "
        f"({usd(10 - price)})."
    )
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -price),
        (LedgerReason.ORDER_CHARGE, -price),
        (LedgerReason.REFUND, price),
    ]


async def test_a_lost_panel_answer_holds_the_money_and_says_the_order_is_checked(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    price = order_price(service, 1000)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    await reach_summary(alice, panel, service)
    panel.faults.add(Fault.html_502(action="add", times=1, after_apply=True))

    await alice.click("Confirm")

    assert alice.screen.last.text == (
        "⏳ Order #1 is being checked\nThe panel did not answer in time, so we are checking "
        f"whether your order went through. The {usd(price)} stays reserved: it is either "
        "used for the order or returned to you."
    )
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -price),
    ]


async def test_an_old_confirm_after_cancelling_places_nothing(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = followers(panel)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    summary = await reach_summary(alice, panel, service)
    confirm = confirm_data(alice)
    await alice.send("/cancel")
    await alice.click_data(confirm, message_id=summary.message_id)
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]

    summary = await reach_summary(alice, panel, service, link="https://instagram.com/other")
    confirm = confirm_data(alice)
    await alice.click("Cancel", message=summary)
    assert alice.screen.last.text.startswith("Order dropped.")
    await alice.click_data(confirm, message_id=summary.message_id)
    assert add_requests(panel) == []
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal(10))]
