"""Promo codes with an amount, redeemed by customers from the Balance screen: credited once
per customer, in any case the code is typed; every code that gives nothing says why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from aiogram.methods import SendMessage

from bot.runtime import Runtime
from shop.promos import PromoProblem, PromoRefused
from shop.storage import LedgerReason

from ..conversation.shopping import non_text_update
from ..support.telegram import BotClient
from .promo import (
    ShopClock,
    assert_promos_consistent,
    code_row,
    ledger,
    new_code,
    open_promo_form,
    redeem_in_chat,
    rows,
)

ALICE = 111

AFTER_VOUCHER = [["💰 Balance"], ["🏠 Menu"]]


async def test_the_balance_screen_offers_a_promo_code(alice: BotClient) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    assert alice.screen.last.buttons == [
        ["💰 Top up", "🤝 Referrals"],
        ["🎟 Promo code", "📄 Export CSV"],
        ["🏠 Menu"],
    ]
    await alice.click("Promo code")
    assert alice.screen.last.text == "🎟 Send your promo code."
    assert alice.screen.last.buttons == [["✖ Cancel"]]
    assert await alice.fsm_state() == "PromoForm:code"


async def test_a_voucher_is_credited_with_its_own_ledger_row_and_key(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "WELCOME5 5")

    reply = await redeem_in_chat(alice, "WELCOME5")

    assert reply == (
        "✅ Promo code WELCOME5: 5.00 USD added to your balance.\nYour balance: 5.00 USD"
    )
    assert alice.screen.last.buttons == AFTER_VOUCHER
    [row] = await ledger(services, ALICE)
    assert (row.reason, row.amount, row.key) == (
        LedgerReason.PROMO_VOUCHER,
        Decimal(5),
        "promo:WELCOME5:111",
    )
    assert (await code_row(services, "WELCOME5")).uses == 1
    assert await alice.fsm_state() is None
    # The history on the Balance screen names it.
    await alice.click("Balance")
    assert "Promo code: +5.00 USD" in (alice.screen.last.text or "")
    assert_promos_consistent(services)


@pytest.mark.parametrize("typed", ["welcome5", "  Welcome5 ", "wElCoMe5"])
async def test_a_code_is_read_in_any_case(alice: BotClient, services: Runtime, typed: str) -> None:
    await new_code(services, "welcome5 2.50")

    reply = await redeem_in_chat(alice, typed)

    assert reply.startswith("✅ Promo code WELCOME5: 2.50 USD added to your balance.")
    assert await rows(services, ALICE) == [(LedgerReason.PROMO_VOUCHER, Decimal("2.50"))]


async def test_a_customer_redeems_a_code_once(alice: BotClient, services: Runtime) -> None:
    await new_code(services, "ONCE 3")
    await redeem_in_chat(alice, "ONCE")

    reply = await redeem_in_chat(alice, "once")

    assert reply == "⚠️ You have used this promo code already."
    assert await rows(services, ALICE) == [(LedgerReason.PROMO_VOUCHER, Decimal(3))]
    assert (await code_row(services, "ONCE")).uses == 1
    assert_promos_consistent(services)


async def test_each_customer_redeems_the_same_code(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await new_code(services, "FRIENDS 1")
    for user_id in (301, 302, 303):
        client = make_client(user_id=user_id)
        assert (await redeem_in_chat(client, "friends")).startswith("✅")
        assert await rows(services, user_id) == [(LedgerReason.PROMO_VOUCHER, Decimal(1))]
    assert (await code_row(services, "FRIENDS")).uses == 3
    assert_promos_consistent(services)


REFUSALS = {
    PromoProblem.UNKNOWN: (
        "⚠️ There is no such promo code. Check it and send it again, or tap Cancel."
    ),
    PromoProblem.DISABLED: "⚠️ This promo code has been switched off.",
    PromoProblem.EXPIRED: "⚠️ This promo code has expired.",
    PromoProblem.USED_UP: "⚠️ This promo code has been used up.",
}


@pytest.mark.parametrize("problem", list(REFUSALS))
async def test_a_code_that_gives_nothing_says_why_and_changes_nothing(
    alice: BotClient,
    make_client: Callable[..., BotClient],
    services: Runtime,
    shop_clock: ShopClock,
    problem: PromoProblem,
) -> None:
    await new_code(services, "GONE 5 1 1")
    if problem is PromoProblem.DISABLED:
        assert await services.promos.disable("GONE") is not None
    elif problem is PromoProblem.EXPIRED:
        shop_clock.advance(timedelta(days=1))
    elif problem is PromoProblem.USED_UP:
        await redeem_in_chat(make_client(user_id=999), "GONE")
    typed = "NOSUCHCODE" if problem is PromoProblem.UNKNOWN else "gone"

    reply = await redeem_in_chat(alice, typed)

    assert reply == REFUSALS[problem]
    # The customer may try again, or leave.
    assert alice.screen.last.buttons == [["✖ Cancel"]]
    assert await alice.fsm_state() == "PromoForm:code"
    assert await ledger(services, ALICE) == []
    with pytest.raises(PromoRefused) as refused:
        await services.promos.redeem(ALICE, typed)
    assert refused.value.problem is problem
    assert_promos_consistent(services)


@pytest.mark.parametrize(
    "typed", ["x", "a b c", "<b>CODE</b>", "ÄÖÜ-CODE", "A" * 33, "'; DROP TABLE promo_codes;--"]
)
async def test_text_that_cannot_be_a_code_is_an_unknown_code(
    alice: BotClient, services: Runtime, typed: str
) -> None:
    await new_code(services, "REAL 5")

    reply = await redeem_in_chat(alice, typed)

    assert reply == REFUSALS[PromoProblem.UNKNOWN]
    assert await ledger(services, ALICE) == []
    assert (await code_row(services, "REAL")).uses == 0


async def test_cancel_and_the_menu_leave_the_promo_code_form(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "LATER 5")

    await open_promo_form(alice)
    await alice.click("Cancel")
    assert (alice.screen.last.text or "").startswith("Cancelled.")
    assert await alice.fsm_state() is None

    await open_promo_form(alice)
    await alice.send("/cancel")
    assert await alice.fsm_state() is None

    await open_promo_form(alice)
    await alice.send("/start")
    assert await alice.fsm_state() is None

    # Typed after leaving, the code is a catalogue search, not a redemption.
    await alice.send("LATER")
    assert await ledger(services, ALICE) == []


async def test_an_unknown_command_in_the_form_is_not_taken_for_a_code(
    alice: BotClient, services: Runtime
) -> None:
    await open_promo_form(alice)
    requests = await alice.send("/later")
    [reply] = requests.of(SendMessage)
    assert reply.text.startswith("I don't know that command.")
    async with services.db.read() as r:
        assert await r.promos.wrong_attempts_since(ALICE, datetime(2000, 1, 1, tzinfo=UTC)) == []


async def test_a_sticker_in_the_form_asks_for_text(alice: BotClient) -> None:
    await open_promo_form(alice)
    await alice.feed(non_text_update(alice, "sticker"))
    assert alice.screen.last.text == "Please answer with text, or tap a button."
    assert await alice.fsm_state() == "PromoForm:code"
