"""Top-ups in Telegram Stars through the Dispatcher: invoice, pre-checkout, payment."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from aiogram.methods import SendInvoice

from bot.app import Runtime
from shop.payments import (
    RefundOutcome,
    RefundProblem,
    RefundRefused,
    StarsRefused,
    TopUpTerms,
    refund_stars,
    settle_payment,
)
from shop.storage import LedgerReason, utc_now

from ..conversation.conftest import top_up
from ..support.ledger import assert_ledger_consistent
from ..support.telegram import BotClient, RecordingSession
from .stars import ask_invoice, balance, ledger_rows, pay, pre_checkout


async def test_a_preset_top_up_is_invoiced_in_stars_and_credited_once(
    alice: BotClient, services: Runtime
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    # 10.00 USD at 0.013 a star: 770 stars, which buy 10.01 USD.
    assert (invoice.currency, [p.amount for p in invoice.prices]) == ("XTR", [770])
    assert invoice.title == "Balance top-up: 10.01 USD"
    answer = await pre_checkout(alice, invoice.payload, 770)
    assert answer.ok
    await pay(alice, invoice.payload, 770, "charge-1")
    assert alice.screen.last.text.startswith("✅ 10.01 USD added to your balance.")
    await pay(alice, invoice.payload, 770, "charge-1")
    assert alice.screen.last.text.startswith("✅ This payment is on your balance already.")
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
    # A paid invoice cannot be paid again.
    again = await pre_checkout(alice, invoice.payload, 770)
    assert not again.ok
    assert again.error_message == "This invoice is paid already."
    await assert_ledger_consistent(services.db, services.terms.currency)


@pytest.mark.parametrize(
    ("payload", "total", "currency", "error"),
    [
        ("forged", 770, "XTR", "This invoice is not valid any more. Please ask for a new one."),
        (None, 1, "XTR", "This payment does not match the invoice. Please ask for a new one."),
        (None, 770, "USD", "This payment does not match the invoice. Please ask for a new one."),
    ],
)  # fmt: skip
async def test_a_pre_checkout_for_an_unknown_or_tampered_invoice_is_refused(
    alice: BotClient, payload: str | None, total: int, currency: str, error: str
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    answer = await pre_checkout(alice, payload or invoice.payload, total, currency)
    assert not answer.ok
    assert answer.error_message == error


async def test_a_typed_amount_is_checked_then_invoiced(alice: BotClient) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Another amount")
    for text, reply in [
        ("lots", "⚠️ Please send an amount like 10 or 12.50."),
        ("0.5", "⚠️ That is below the smallest top-up of 1.00 USD."),
        ("100000", "⚠️ That is above the largest top-up of 500.00 USD."),
        ("1.005", "⚠️ Please send an amount like 10 or 12.50."),
    ]:
        await alice.send(text)
        assert alice.screen.last.text == reply
    assert alice.requests_of(SendInvoice) == []
    await alice.send("12,50")
    [invoice] = alice.requests_of(SendInvoice)
    assert [p.amount for p in invoice.prices] == [962]


async def test_the_referrer_earns_their_percent_once_per_top_up(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    referrer = make_client(user_id=501, first_name="Rita", username="rita")
    await referrer.send("/start")
    friend = make_client(user_id=502, first_name="Fred", username="fred")
    await friend.send("/start ref_501")
    invoice = await ask_invoice(friend, "50.00 USD")
    total = invoice.prices[0].amount
    await pay(friend, invoice.payload, total, "charge-friend")
    await pay(friend, invoice.payload, total, "charge-friend")
    credited = (await ledger_rows(services, 502))[0][1]
    assert await ledger_rows(services, 501) == [
        (LedgerReason.REFERRAL_BONUS, services.terms.currency.round_down(credited * 5 / 100))
    ]
    await referrer.click("Balance")
    await referrer.click("Referrals")
    text = referrer.screen.last.text
    assert "https://t.me/shop_bot?start=ref_501" in text
    assert "Friends joined: 1" in text
    assert "Earned: 2.50 USD" in text
    await assert_ledger_consistent(services.db, services.terms.currency)


async def test_self_referral_and_relinking_are_refused(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    first = make_client(user_id=601)
    await first.send("/start")
    second = make_client(user_id=602)
    await second.send("/start ref_602")
    await second.send("/start ref_601")
    async with services.db.read() as r:
        user = await r.users.get(602)
    assert user is not None
    assert user.referrer_id is None


async def test_refund_of_a_star_payment_debits_the_balance_once(
    alice: BotClient, services: Runtime, session: RecordingSession
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-r")
    returned: list[tuple[int, str]] = []

    async def return_stars(user_id: int, charge_id: str) -> bool:
        returned.append((user_id, charge_id))
        return True

    refund = await refund_stars(
        services.db, alice.user.id, "charge-r", return_stars, services.alerts
    )
    assert refund.outcome is RefundOutcome.RETURNED
    assert returned == [(alice.user.id, "charge-r")]
    assert await balance(services, alice.user.id) == 0
    with pytest.raises(RefundRefused) as twice:
        await refund_stars(services.db, alice.user.id, "charge-r", return_stars, services.alerts)
    assert twice.value.problem is RefundProblem.ALREADY_REFUNDED
    with pytest.raises(RefundRefused) as unknown:
        await refund_stars(
            services.db, alice.user.id, "no-such-charge", return_stars, services.alerts
        )
    assert unknown.value.problem is RefundProblem.UNKNOWN_PAYMENT
    assert len(returned) == 1
    await assert_ledger_consistent(services.db, services.terms.currency)


async def test_a_refund_is_refused_when_the_money_was_spent_and_undone_if_telegram_refuses(
    alice: BotClient, services: Runtime
) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-s")
    terms: TopUpTerms = services.topup
    async with services.db.transaction() as tx:
        await tx.ledger.append(alice.user.id, Decimal(-5), LedgerReason.ORDER_CHARGE, "spent")

    async def never_called(user_id: int, charge_id: str) -> bool:
        raise AssertionError("the stars must not go back")

    with pytest.raises(RefundRefused) as spent:
        await refund_stars(services.db, alice.user.id, "charge-s", never_called, services.alerts)
    assert spent.value.problem is RefundProblem.BALANCE_TOO_LOW
    await top_up(services, alice.user.id, Decimal(5))

    async def refused(user_id: int, charge_id: str) -> bool:
        raise StarsRefused("Bad Request: CHARGE_NOT_FOUND")

    before = await balance(services, alice.user.id)
    with pytest.raises(RefundRefused) as telegram:
        await refund_stars(services.db, alice.user.id, "charge-s", refused, services.alerts)
    assert telegram.value.problem is RefundProblem.TELEGRAM_REFUSED
    assert await balance(services, alice.user.id) == before
    # Nothing is marked refunded, so a later attempt can still go through.
    settled = await settle_payment(
        services.db, terms, alice.user.id, payload=invoice.payload, charge_id="charge-s", stars=770
    )
    assert settled.credited == 0


async def test_a_payment_matching_no_invoice_of_the_customer_is_not_credited_but_reported(
    alice: BotClient, services: Runtime
) -> None:
    """Telegram never lets such a payment through the pre-checkout; if one comes anyway,
    nothing is credited at a guessed rate: the customer is told it is being checked and
    the admins decide."""
    await alice.send("/start")

    await pay(alice, "no-such-invoice", 770, "charge-x")

    assert alice.screen.last.text == (
        "🕓 We received your payment of 770 stars, but it matches none of your invoices. "
        "The shop's staff will check it and credit it, or return the stars."
    )
    assert await ledger_rows(services, alice.user.id) == []
    async with services.db.read() as r:
        alerts = [row.text for row in await r.outbox.due(utc_now(), 100) if row.chat_id < 0]
    [alert] = alerts
    assert "charge-x" in alert and "no-such-invoice" in alert
