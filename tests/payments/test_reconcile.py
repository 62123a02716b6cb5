"""Stars paid but never credited: the bot's Stars transactions are read back from Telegram
and every payment the shop missed is credited once, with a notice and an alert."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import GetStarTransactions

from bot.runtime import Runtime
from handlers.telegram_stars import BotStarHistory
from shop import star_reconciler
from shop.payments import create_invoice, refund_stars
from shop.star_reconciler import StarReconciler
from shop.storage import LedgerReason, utc_now

from ..support.telegram import BotClient, RecordingSession, TelegramFailure
from .stars import ask_invoice, balance, ledger_rows, pay

ADMIN_CHAT = -100500
LONG_AGO = timedelta(minutes=5)


def reconciler(services: Runtime, bot: Bot, *, later: timedelta = timedelta(0)) -> StarReconciler:
    """The shop's reconciler; ``later`` moves its clock on."""
    return StarReconciler(
        services.db,
        BotStarHistory(bot),
        services.topup,
        services.notices,
        services.alerts,
        clock=lambda: utc_now() + later,
    )


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("it did not happen in time")


async def outbox_texts(services: Runtime, chat_id: int) -> list[str]:
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 10_000)
    return [row.text for row in rows if row.chat_id == chat_id]


async def unhandled_payment(client: BotClient, session: RecordingSession, charge_id: str) -> int:
    """The customer pays a 10.00 USD invoice, but the bot never handles the payment's
    update (it was killed inside the handler); the stars paid."""
    invoice = await ask_invoice(client, "10.00 USD")
    stars = invoice.prices[0].amount
    session.record_star_payment(
        client.user, invoice.payload, stars, charge_id, date=utc_now() - LONG_AGO
    )
    return stars


async def test_a_payment_whose_update_was_never_handled_is_credited_when_the_bot_starts(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    await unhandled_payment(alice, session, "charge-lost")
    assert await balance(services, alice.user.id) == 0

    services.start(bot)

    async def told() -> bool:
        return bool(session.screen(ADMIN_CHAT).bot_messages) and any(
            (m.text or "").startswith("✅ Your payment") for m in alice.screen.bot_messages
        )

    await eventually(told)
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    notice = alice.screen.last.text or ""
    assert notice == (
        "✅ Your payment of 770 stars has reached the shop: 10.01 USD added to your balance.\n"
        "Your balance: 10.01 USD"
    )
    [alert] = session.screen(ADMIN_CHAT).bot_messages
    assert alert.text == (
        "💫 A Stars payment had not been credited: customer 111, 770 stars (payment "
        "charge-lost). 10.01 USD is now on their balance."
    )


async def test_reconciling_again_credits_nothing_more(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    await unhandled_payment(alice, session, "charge-lost")

    first = await reconciler(services, bot).run_once()
    second = await reconciler(services, bot).run_once()

    assert [top_up.credited for top_up in first] == [Decimal("10.01")]
    assert second == []
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    assert len(await outbox_texts(services, alice.user.id)) == 1
    assert len(await outbox_texts(services, ADMIN_CHAT)) == 1
    # The second run asked only for what came after the transaction already read.
    assert [m.offset for m in session.requests_of(GetStarTransactions)] == [0, 1]


async def test_a_payment_already_credited_is_not_credited_again(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-1", date=utc_now() - LONG_AGO)
    assert len(session.star_transactions) == 1

    assert await reconciler(services, bot).run_once() == []

    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    assert await outbox_texts(services, alice.user.id) == []
    assert await outbox_texts(services, ADMIN_CHAT) == []


async def test_refunds_in_the_transaction_list_are_ignored(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-1", date=utc_now() - LONG_AGO)

    async def return_stars(user_id: int, charge_id: str) -> object:
        return await bot.refund_star_payment(user_id=user_id, telegram_payment_charge_id=charge_id)

    await refund_stars(services.db, alice.user.id, "charge-1", return_stars, services.alerts)
    assert len(session.star_refunds()) == 1

    assert await reconciler(services, bot, later=LONG_AGO).run_once() == []

    assert await balance(services, alice.user.id) == 0
    assert await outbox_texts(services, alice.user.id) == []
    # Both transactions are behind the saved offset now.
    await reconciler(services, bot, later=LONG_AGO).run_once()
    assert [m.offset for m in session.requests_of(GetStarTransactions)] == [0, 2]


async def test_a_payment_of_the_last_minute_is_left_to_its_update(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    session.record_star_payment(alice.user, invoice.payload, 770, "charge-new")

    assert await reconciler(services, bot).run_once() == []
    assert await balance(services, alice.user.id) == 0

    # Its update arrives: the customer is answered in the chat, and credited once.
    await pay(alice, invoice.payload, 770, "charge-new")
    assert (alice.screen.last.text or "").startswith("✅ 10.01 USD added to your balance.")
    assert await reconciler(services, bot, later=LONG_AGO).run_once() == []
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    assert await outbox_texts(services, alice.user.id) == []


async def test_every_page_of_transactions_is_read(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    await alice.send("/start")
    for number in range(230):
        invoice = await create_invoice(services.db, services.topup, alice.user.id, Decimal(1))
        session.record_star_payment(
            alice.user, invoice.id, invoice.stars, f"charge-{number}", date=utc_now() - LONG_AGO
        )

    credited = await reconciler(services, bot).run_once()

    assert len(credited) == 230
    assert [m.offset for m in session.requests_of(GetStarTransactions)] == [0, 100, 200]
    assert [m.limit for m in session.requests_of(GetStarTransactions)] == [100, 100, 100]
    # Each invoice of 1.00 USD asks 77 stars, which buy 1.00 USD (1.001, rounded down).
    assert await balance(services, alice.user.id) == Decimal("230.00")


async def test_the_loop_survives_failures_and_credits_once_telegram_answers(
    alice: BotClient,
    services: Runtime,
    session: RecordingSession,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await unhandled_payment(alice, session, "charge-lost")
    session.fail_next(GetStarTransactions, TelegramFailure(502, "Bad Gateway"))
    session.fail_next(GetStarTransactions, RuntimeError("something unexpected"))
    caplog.set_level(logging.WARNING)

    loop = asyncio.create_task(reconciler(services, bot).run(every=0.01, backoff=0.01))
    try:

        async def credited() -> bool:
            return await balance(services, alice.user.id) == Decimal("10.01")

        await eventually(credited)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    failures = [
        r.getMessage() for r in caplog.records if "Stars reconciliation failed" in r.getMessage()
    ]
    assert len(failures) == 2
    assert all("\n" not in line for line in failures)
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]


async def test_a_payment_matching_no_invoice_is_not_credited_and_the_admins_are_told(
    alice: BotClient, services: Runtime, session: RecordingSession, bot: Bot
) -> None:
    """A new database on a bot with a history, or a payload forged somewhere: nothing is
    credited at a guessed rate; a recent payment is reported, an old one only logged."""
    session.record_star_payment(
        alice.user, "not-an-invoice", 500, "charge-recent", date=utc_now() - LONG_AGO
    )
    session.record_star_payment(
        alice.user, "gone-invoice", 800, "charge-old", date=utc_now() - timedelta(days=30)
    )
    await alice.send("/start")

    assert await reconciler(services, bot).run_once() == []

    assert await ledger_rows(services, alice.user.id) == []
    [alert] = await outbox_texts(services, ADMIN_CHAT)
    assert alert.startswith("❓ <b>A Stars payment matches no invoice</b>: customer 111 paid 500")
    assert "charge-recent" in alert and "charge-old" not in alert
    assert await outbox_texts(services, alice.user.id) == []
    assert await reconciler(services, bot).run_once() == []
    assert len(await outbox_texts(services, ADMIN_CHAT)) == 1


async def test_a_transaction_that_cannot_be_settled_is_reported_and_passed_over(
    alice: BotClient,
    services: Runtime,
    session: RecordingSession,
    bot: Bot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await unhandled_payment(alice, session, "charge-bad")
    await unhandled_payment(alice, session, "charge-good")
    settle = star_reconciler.settle_in

    async def settle_but_one(*args: Any, **kwargs: Any) -> Any:
        if kwargs["charge_id"] == "charge-bad":
            raise RuntimeError("this one cannot be read")
        return await settle(*args, **kwargs)

    monkeypatch.setattr(star_reconciler, "settle_in", settle_but_one)

    credited = await reconciler(services, bot).run_once()

    assert [top_up.credited for top_up in credited] == [Decimal("10.01")]
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    alerts = await outbox_texts(services, ADMIN_CHAT)
    assert any("charge-bad" in text and "this one cannot be read" in text for text in alerts)
    # Passed over for good: the next run starts after both.
    assert await reconciler(services, bot).run_once() == []
    assert [m.offset for m in session.requests_of(GetStarTransactions)][-1] == 2
