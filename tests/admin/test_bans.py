"""Bans from the admin group: a banned customer gets one polite message on any action and
nothing else, while their running orders go on and their balance and paid money are kept."""

from __future__ import annotations

from decimal import Decimal

from aiogram.methods import AnswerCallbackQuery, SendInvoice, SendMessage

from api.sandbox import CANCEL_MARKER, ManualClock, SandboxPanel
from bot.runtime import Runtime
from shop.storage import LedgerReason, OrderState

from ..payments.stars import ask_invoice, pay, pre_checkout
from ..support.telegram import BotClient
from .shop import add_customer, balance, ledger_rows, order, place

NOTICE = "🚫 Sorry, this shop no longer serves you."


async def test_a_banned_customer_gets_one_polite_message_for_anything_and_nothing_else(
    owner: BotClient, alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    invoice = await ask_invoice(alice, "10.00 USD")
    await add_customer(services, alice.user.id, first_name="Alice", funds=Decimal(20))

    await owner.send(f"/ban {alice.user.id} spam and chargebacks")
    assert owner.screen.last.text == (
        f"🚫 {alice.user.id} is banned: the shop serves them nothing more. Their running"
        " orders go on and their balance stays."
    )

    asked = len(alice.session.calls)
    for text in ("/start", "hello", "https://instagram.com/p/x", "/help"):
        sent = await alice.send(text)
        assert [m.text for m in sent.of(SendMessage)] == [NOTICE]
    sent = await alice.click_data("m:new")
    assert [(a.text, a.show_alert) for a in sent.of(AnswerCallbackQuery)] == [(NOTICE, True)]
    answer = await pre_checkout(alice, invoice.payload, 770)
    assert (answer.ok, answer.error_message) == (False, NOTICE)
    assert not [c for c in alice.session.calls[asked:] if isinstance(c.method, SendInvoice)]
    assert await balance(services, alice.user.id) == Decimal(20)  # kept

    await owner.send(f"/ban {alice.user.id}")
    assert owner.screen.last.text == f"{alice.user.id} is banned already; nothing changed."
    await owner.send("/banned")
    lines = (owner.screen.last.text or "").split("\n")
    assert lines[0] == "Banned: 1 (latest first)"
    assert lines[1].startswith(f"{alice.user.id} · Alice · since ")
    assert lines[1].endswith(" · spam and chargebacks")

    await owner.send(f"/unban {alice.user.id}")
    assert owner.screen.last.text == f"✅ {alice.user.id} is served again."
    await alice.send("/start")
    assert (alice.screen.last.text or "").startswith("👋 Hello, Alice!")
    await owner.send("/banned")
    assert owner.screen.last.text == "Nobody is banned."


async def test_a_payment_telegram_took_before_the_ban_is_still_credited(
    owner: BotClient, alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    invoice = await ask_invoice(alice, "10.00 USD")
    await owner.send(f"/ban {alice.user.id}")

    await pay(alice, invoice.payload, 770, "charge-before-ban")

    [row] = await ledger_rows(services, alice.user.id)
    assert (row.reason, row.key) == (LedgerReason.TOPUP, "topup:stars:charge-before-ban")


async def test_a_banned_customers_running_order_is_still_tracked_and_refunded(
    owner: BotClient,
    alice: BotClient,
    services: Runtime,
    panel: SandboxPanel,
    clock: ManualClock,
) -> None:
    await add_customer(services, alice.user.id, first_name="Alice", funds=Decimal(50))
    placed = await place(
        services, alice.user.id, link=f"https://instagram.com/p/ban?{CANCEL_MARKER}"
    )
    await owner.send(f"/ban {alice.user.id}")

    clock.advance(panel.pending_seconds + panel.progress_seconds + 1)
    await services.tracker.poll_once()

    ended = await order(services, placed.order.id)
    assert ended.state is OrderState.CANCELED
    rows = [(row.reason, row.amount) for row in await ledger_rows(services, alice.user.id)]
    assert (LedgerReason.REFUND, ended.price) in rows
    assert await balance(services, alice.user.id) == Decimal(50)
