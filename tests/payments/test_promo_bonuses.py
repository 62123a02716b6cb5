"""Promo codes with a percent: the bonus waits for the customer's next top-up, whichever way
it is paid, and is credited with it once, on the payment's first credit only."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from bot.runtime import Runtime
from shop.ledger import debit
from shop.payments import (
    RefundProblem,
    RefundRefused,
    StarsRefused,
    refund_stars,
    settle_payment,
)
from shop.storage import LedgerReason
from shop.topups import Payment, TopUpMethod, credit_top_up

from ..support.telegram import BotClient
from .promo import (
    assert_promos_consistent,
    code_row,
    ledger,
    new_code,
    redeem_in_chat,
    rows,
)
from .stars import ask_invoice, pay

ALICE = 111


async def _pending(services: Runtime, user_id: int) -> str | None:
    async with services.db.read() as r:
        pending = await r.promos.pending_bonus(user_id)
    return None if pending is None else pending.code


async def test_a_percent_code_is_a_bonus_on_the_next_stars_top_up_once(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "BOOST10 10%")

    reply = await redeem_in_chat(alice, "boost10")

    assert reply == (
        "✅ Promo code BOOST10 accepted.\nYour next top-up gets 10% extra, whichever way you pay."
    )
    assert alice.screen.last.buttons == [["💰 Top up"], ["💰 Balance"], ["🏠 Menu"]]
    # Nothing is credited yet: the bonus waits.
    assert await ledger(services, ALICE) == []
    assert await _pending(services, ALICE) == "BOOST10"
    # The Balance screen reminds the customer of it.
    await alice.click("Balance")
    assert (alice.screen.last.text or "").endswith(
        "\n\n🎟 Your next top-up gets 10% extra (promo code BOOST10)."
    )

    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-1")

    assert alice.screen.last.text == (
        "✅ 10.01 USD added to your balance, and 1.00 USD more from your promo code.\n"
        "Your balance: 11.01 USD"
    )
    top_up, bonus = await ledger(services, ALICE)
    assert (top_up.reason, top_up.amount, top_up.key) == (
        LedgerReason.TOPUP,
        Decimal("10.01"),
        "topup:stars:charge-1",
    )
    # 10% of 10.01, rounded down to the cent.
    assert (bonus.reason, bonus.amount, bonus.key) == (
        LedgerReason.PROMO_BONUS,
        Decimal("1.00"),
        "promo-bonus:BOOST10:111",
    )
    async with services.db.read() as r:
        redemption = await r.promos.redemption("BOOST10", ALICE)
    assert redemption is not None
    assert redemption.applied_key == "topup:stars:charge-1"
    assert await _pending(services, ALICE) is None
    await alice.click("Balance")
    assert "🎟" not in (alice.screen.last.text or "")
    assert "Promo code bonus: +1.00 USD" in (alice.screen.last.text or "")

    # The same payment delivered again credits nothing, bonus included.
    await pay(alice, invoice.payload, 770, "charge-1")
    assert (alice.screen.last.text or "").startswith("✅ This payment is on your balance already.")
    # The next top-up has no bonus: it was used.
    second = await ask_invoice(alice, "5.00 USD")
    await pay(alice, second.payload, second.prices[0].amount, "charge-2")
    assert (alice.screen.last.text or "").startswith("✅ 5.00 USD added to your balance.\n")
    assert await rows(services, ALICE) == [
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.PROMO_BONUS, Decimal("1.00")),
        (LedgerReason.TOPUP, Decimal("5.00")),
    ]
    assert_promos_consistent(services)


async def test_a_replayed_payment_does_not_apply_a_bonus_granted_after_it(
    alice: BotClient, services: Runtime
) -> None:
    """The bonus goes with a top-up's first credit only: a payment seen again later is not
    a new top-up."""
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-old")
    await new_code(services, "LATE 50%")
    await redeem_in_chat(alice, "LATE")

    await pay(alice, invoice.payload, 770, "charge-old")

    assert await rows(services, ALICE) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    assert await _pending(services, ALICE) == "LATE"


async def test_the_bonus_applies_to_a_top_up_of_any_method(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    """Crypto and manual transfers credit through the same function as Stars."""
    await new_code(services, "ANYWAY 12.5%")
    for user_id, method in ((401, TopUpMethod.CRYPTO), (402, TopUpMethod.MANUAL)):
        client = make_client(user_id=user_id)
        await redeem_in_chat(client, "anyway")
        async with services.db.transaction() as tx:
            credited = await credit_top_up(
                tx, services.topup, user_id, Decimal(8), Payment(method, f"{method}-1")
            )
        assert (credited.credited, credited.promo_bonus, credited.balance) == (
            Decimal(8),
            Decimal(1),
            Decimal(9),
        )
        [top_up, bonus] = await ledger(services, user_id)
        assert top_up.key == f"topup:{method.value}:{method}-1"
        assert (bonus.reason, bonus.amount) == (LedgerReason.PROMO_BONUS, Decimal(1))
    assert (await code_row(services, "ANYWAY")).uses == 2
    assert_promos_consistent(services)


async def test_one_bonus_waits_at_a_time(alice: BotClient, services: Runtime) -> None:
    await new_code(services, "FIRST 10%")
    await new_code(services, "SECOND 20%")
    await new_code(services, "CASH 2")
    await redeem_in_chat(alice, "FIRST")

    reply = await redeem_in_chat(alice, "SECOND")

    assert reply == (
        "⚠️ You already have a promo code bonus waiting for your next top-up. "
        "Top up first, then send this code again."
    )
    assert (await code_row(services, "SECOND")).uses == 0
    # A voucher is no bonus: it is credited meanwhile.
    assert (await redeem_in_chat(alice, "CASH")).startswith("✅ Promo code CASH: 2.00 USD")

    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-1")
    assert (await redeem_in_chat(alice, "SECOND")).startswith("✅ Promo code SECOND accepted.")
    second = await ask_invoice(alice, "10.00 USD")
    await pay(alice, second.payload, 770, "charge-2")
    assert await rows(services, ALICE) == [
        (LedgerReason.PROMO_VOUCHER, Decimal(2)),
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.PROMO_BONUS, Decimal("1.00")),
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.PROMO_BONUS, Decimal("2.00")),
    ]
    assert_promos_consistent(services)


async def test_a_bonus_granted_before_its_code_was_switched_off_still_applies(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "SPRING 5%")
    await redeem_in_chat(alice, "SPRING")
    await services.promos.disable("SPRING")

    invoice = await ask_invoice(alice, "50.00 USD")
    await pay(alice, invoice.payload, invoice.prices[0].amount, "charge-1")

    [(_, top_up), bonus] = await rows(services, ALICE)
    assert bonus == (LedgerReason.PROMO_BONUS, services.terms.currency.round_down(top_up / 20))


async def test_a_bonus_too_small_for_a_cent_waits_for_a_larger_top_up(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "TINY 1%")
    await redeem_in_chat(alice, "TINY")
    async with services.db.transaction() as tx:
        small = await credit_top_up(
            tx, services.topup, ALICE, Decimal("0.99"), Payment(TopUpMethod.MANUAL, "small")
        )
    assert small.promo_bonus == 0
    assert await _pending(services, ALICE) == "TINY"

    async with services.db.transaction() as tx:
        large = await credit_top_up(
            tx, services.topup, ALICE, Decimal(100), Payment(TopUpMethod.MANUAL, "large")
        )
    assert large.promo_bonus == Decimal(1)
    assert await _pending(services, ALICE) is None
    assert_promos_consistent(services)


async def test_the_referrer_earns_on_the_top_up_not_on_the_bonus(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    referrer = make_client(user_id=501)
    await referrer.send("/start")
    friend = make_client(user_id=502)
    await friend.send("/start ref_501")
    await new_code(services, "DOUBLE 100%")
    await redeem_in_chat(friend, "DOUBLE")
    invoice = await ask_invoice(friend, "50.00 USD")

    top_up = await settle_payment(
        services.db,
        services.topup,
        502,
        payload=invoice.payload,
        charge_id="charge-f",
        stars=invoice.prices[0].amount,
    )

    assert top_up.promo_bonus == top_up.credited
    assert top_up.balance == 2 * top_up.credited
    assert await rows(services, 501) == [
        (LedgerReason.REFERRAL_BONUS, services.terms.currency.round_down(top_up.credited / 20))
    ]
    assert_promos_consistent(services)


async def test_a_refunded_top_up_takes_its_bonus_back_with_it(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "REFUND50 50%")
    await redeem_in_chat(alice, "REFUND50")
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-r")
    returned: list[str] = []

    async def return_stars(user_id: int, charge_id: str) -> None:
        returned.append(charge_id)

    refund = await refund_stars(services.db, ALICE, "charge-r", return_stars, services.alerts)

    assert (refund.promo_bonus, refund.taken) == (Decimal("5.00"), Decimal("15.01"))
    assert returned == ["charge-r"]
    assert await rows(services, ALICE) == [
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.PROMO_BONUS, Decimal("5.00")),
        (LedgerReason.STARS_REFUND, Decimal("-15.01")),
    ]


async def test_a_refund_telegram_refuses_gives_the_top_up_and_its_bonus_back(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "KEEP 50%")
    await redeem_in_chat(alice, "KEEP")
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-k")

    async def refuse(user_id: int, charge_id: str) -> None:
        raise StarsRefused("CHARGE_NOT_FOUND")

    with pytest.raises(RefundRefused) as refused:
        await refund_stars(services.db, ALICE, "charge-k", refuse, services.alerts)

    assert refused.value.problem is RefundProblem.TELEGRAM_REFUSED
    async with services.db.read() as r:
        assert await r.ledger.balance(ALICE) == Decimal("15.01")


async def test_a_top_up_whose_bonus_was_spent_is_not_refunded(
    alice: BotClient, services: Runtime
) -> None:
    await new_code(services, "SPENT 50%")
    await redeem_in_chat(alice, "SPENT")
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-s")
    async with services.db.transaction() as tx:
        await debit(tx, ALICE, Decimal(1), LedgerReason.ADMIN_ADJUSTMENT, "spent")

    async def return_stars(user_id: int, charge_id: str) -> None:
        raise AssertionError("the stars must not be returned")

    with pytest.raises(RefundRefused) as refused:
        await refund_stars(services.db, ALICE, "charge-s", return_stars, services.alerts)

    assert refused.value.problem is RefundProblem.BALANCE_TOO_LOW
    async with services.db.read() as r:
        assert await r.ledger.balance(ALICE) == Decimal("14.01")
