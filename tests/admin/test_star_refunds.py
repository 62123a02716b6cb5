"""/refundstars when Telegram's answer is lost, when Telegram says the stars went back
already, and when it refuses; and the referral bonus a refunded top-up had earned."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from aiogram import Bot
from aiogram.methods import RefundStarPayment

from bot.runtime import Runtime
from handlers.telegram_stars import BotStarHistory
from shop.payments import refund_stars
from shop.star_reconciler import StarReconciler
from shop.storage import utc_now

from ..payments.stars import ask_invoice, pay
from ..support.telegram import CHARGE_ALREADY_REFUNDED, BotClient
from .shop import balance, group_alerts, ledger_rows, place

ALICE, RITA, FRED = 111, 501, 502


async def paid_top_up(client: BotClient, preset: str, charge_id: str) -> int:
    """The customer tops up ``preset`` in stars through the bot; the stars paid."""
    invoice = await ask_invoice(client, preset)
    stars = invoice.prices[0].amount
    await pay(client, invoice.payload, stars, charge_id)
    return stars


async def movements(services: Runtime, user_id: int) -> list[tuple[str, Decimal]]:
    return [(row.reason.value, row.amount) for row in await ledger_rows(services, user_id)]


async def alert_texts(services: Runtime) -> list[str]:
    return [row.text for row in await group_alerts(services)]


async def referred_top_up(
    make_client: Callable[..., BotClient], charge_id: str
) -> tuple[BotClient, BotClient]:
    """Rita brought Fred, who tops up 50.00 USD: Rita earns 5% of it, 2.50 USD."""
    rita = make_client(user_id=RITA, first_name="Rita", username="rita")
    await rita.send("/start")
    fred = make_client(user_id=FRED, first_name="Fred", username="fred")
    await fred.send(f"/start ref_{RITA}")
    await paid_top_up(fred, "50.00 USD", charge_id)
    return rita, fred


async def test_a_refund_whose_answer_was_lost_keeps_the_debit_and_is_finished_by_asking_again(
    owner: BotClient, alice: BotClient, services: Runtime
) -> None:
    await paid_top_up(alice, "10.00 USD", "charge-1")
    # Telegram returns the stars, but its answer never reaches the bot.
    owner.session.lose_next_answer(RefundStarPayment)

    await owner.send("/refundstars 111 charge-1")

    reply = owner.screen.last.text or ""
    assert reply.startswith("⚠️ Telegram's answer was lost (")
    assert reply.endswith(
        "): the 770 stars may or may not have been returned to 111. 10.01 USD stays taken "
        "off their balance. Send the same command again later to finish it: Telegram returns "
        "stars only once, and the balance is not debited twice."
    )
    [alert] = await alert_texts(services)
    assert alert.startswith("⚠️ <b>A Stars refund is uncertain</b>\n")
    assert "<code>/refundstars 111 charge-1</code>" in alert
    assert await movements(services, ALICE) == [
        ("topup", Decimal("10.01")),
        ("stars_refund", Decimal("-10.01")),
    ]

    # The admin asks again: Telegram says the stars went back; nothing more moves.
    await owner.send("/refundstars 111 charge-1")

    assert owner.screen.last.text == (
        "✅ Telegram had returned these 770 stars to 111 already; 10.01 USD taken off their "
        "balance."
    )
    assert await movements(services, ALICE) == [
        ("topup", Decimal("10.01")),
        ("stars_refund", Decimal("-10.01")),
    ]
    assert await balance(services, ALICE) == 0
    assert len(owner.session.star_refunds()) == 1
    assert len(owner.session.requests_of(RefundStarPayment)) == 2
    # Now it is settled for good: a third time, Telegram is not even asked.
    await owner.send("/refundstars 111 charge-1")
    assert owner.screen.last.text == "Not done: this payment was returned already."
    assert len(owner.session.requests_of(RefundStarPayment)) == 2
    assert len(await alert_texts(services)) == 1


async def test_a_refund_cut_short_by_a_stop_is_reported_and_finished_by_asking_again(
    owner: BotClient, alice: BotClient, services: Runtime, bot: Bot
) -> None:
    """The bot stops (here: the refund is cancelled) after the debit and before Telegram
    answers: the reconciliation reports it, and /refundstars finishes it without a second
    debit."""
    await paid_top_up(alice, "10.00 USD", "charge-1")

    async def stopped(user_id: int, charge_id: str) -> object:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await refund_stars(services.db, ALICE, "charge-1", stopped, services.alerts)
    assert await alert_texts(services) == []
    five_minutes_on = StarReconciler(
        services.db,
        BotStarHistory(bot),
        services.topup,
        services.notices,
        services.alerts,
        clock=lambda: utc_now() + timedelta(minutes=6),
    )
    await five_minutes_on.run_once()
    [alert] = await alert_texts(services)
    assert alert.startswith("⚠️ <b>A Stars refund is uncertain</b>\n")
    assert "the bot stopped before it" in alert
    assert "<code>/refundstars 111 charge-1</code>" in alert

    await owner.send("/refundstars 111 charge-1")

    assert owner.screen.last.text == (
        "✅ 770 stars returned to 111; 10.01 USD taken off their balance."
    )
    assert len(owner.session.star_refunds()) == 1
    assert await movements(services, ALICE) == [
        ("topup", Decimal("10.01")),
        ("stars_refund", Decimal("-10.01")),
    ]
    await five_minutes_on.run_once()
    assert len(await alert_texts(services)) == 1


async def test_charge_already_refunded_counts_as_a_refund_made(
    owner: BotClient, alice: BotClient, services: Runtime
) -> None:
    await paid_top_up(alice, "10.00 USD", "charge-1")
    owner.session.fail_next(RefundStarPayment, CHARGE_ALREADY_REFUNDED)

    await owner.send("/refundstars 111 charge-1")

    assert owner.screen.last.text == (
        "✅ Telegram had returned these 770 stars to 111 already; "
        "10.01 USD taken off their balance."
    )
    assert await movements(services, ALICE) == [
        ("topup", Decimal("10.01")),
        ("stars_refund", Decimal("-10.01")),
    ]
    await owner.send("/refundstars 111 charge-1")
    assert owner.screen.last.text == "Not done: this payment was returned already."
    assert await balance(services, ALICE) == 0
    assert await alert_texts(services) == []


async def test_a_definite_refusal_by_telegram_undoes_the_debit_and_the_bonus_reversal(
    owner: BotClient, make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await referred_top_up(make_client, "charge-f")
    # Telegram does not know the payment: it refuses, and nothing was returned.
    owner.session.star_transactions.clear()

    await owner.send("/refundstars 502 charge-f")

    assert owner.screen.last.text == (
        "Not done: Telegram refused (Telegram server says - Bad Request: CHARGE_NOT_FOUND);"
        " the balance is as it was."
    )
    assert await balance(services, FRED) == Decimal("50.01")
    assert await balance(services, RITA) == Decimal("2.50")
    assert await alert_texts(services) == []
    # Once Telegram knows it again, the refund goes through.
    owner.session.record_star_payment(make_client(user_id=FRED).user, "x", 3847, "charge-f")
    await owner.send("/refundstars 502 charge-f")
    assert owner.screen.last.text == (
        "✅ 3,847 stars returned to 502; 50.01 USD taken off their balance."
    )
    assert await balance(services, FRED) == 0
    assert await balance(services, RITA) == 0


async def test_a_refunded_top_up_takes_back_the_referral_bonus_it_earned_once(
    owner: BotClient, make_client: Callable[..., BotClient], services: Runtime
) -> None:
    rita, _ = await referred_top_up(make_client, "charge-f")
    assert await movements(services, RITA) == [("referral_bonus", Decimal("2.50"))]

    await owner.send("/refundstars @fred charge-f")
    await owner.send("/refundstars @fred charge-f")

    assert await movements(services, FRED) == [
        ("topup", Decimal("50.01")),
        ("stars_refund", Decimal("-50.01")),
    ]
    assert await movements(services, RITA) == [
        ("referral_bonus", Decimal("2.50")),
        ("referral_reversal", Decimal("-2.50")),
    ]
    assert await alert_texts(services) == []
    await rita.click("Balance")
    assert "Referral bonus taken back: −2.50 USD" in (rita.screen.last.text or "")
    await rita.click("Referrals")
    assert "Earned: 0.00 USD" in (rita.screen.last.text or "")


async def test_a_bonus_already_spent_is_not_taken_back_and_the_admins_are_told(
    owner: BotClient, make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await referred_top_up(make_client, "charge-f")
    await place(services, RITA)  # 1.17 USD of Rita's 2.50 USD bonus is spent.

    await owner.send("/refundstars 502 charge-f")

    assert owner.screen.last.text == (
        "✅ 3,847 stars returned to 502; 50.01 USD taken off their balance."
    )
    assert await balance(services, FRED) == 0
    assert await balance(services, RITA) == Decimal("1.33")
    assert [reason for reason, _ in await movements(services, RITA)] == [
        "referral_bonus",
        "order_charge",
    ]
    assert await alert_texts(services) == [
        "⚠️ <b>A referral bonus was not taken back</b>\n"
        "The top-up <code>charge-f</code> of customer 502 was refunded, but their referrer "
        "501 has spent the 2.50 USD bonus it earned (balance 1.33 USD): nothing was taken "
        "from them. Decide with <code>/user 501</code>."
    ]
