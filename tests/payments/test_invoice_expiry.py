"""Invoices hold for STARS_INVOICE_MINUTES: a stale one is refused at pre-checkout, so it
never credits at an old rate; a payment Telegram already took is credited all the same."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.runtime import Runtime
from shop.payments import create_invoice
from shop.storage import LedgerReason, utc_now

from ..support.telegram import BotClient
from .stars import ask_invoice, ledger_rows, pay, pre_checkout

EXPIRED = "This invoice has expired. Please ask for a new one: Balance → Top up."


async def test_a_pre_checkout_for_an_expired_invoice_is_refused_and_a_new_invoice_is_accepted(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    stale = await create_invoice(
        services.db,
        services.topup,
        alice.user.id,
        Decimal(10),
        now=utc_now() - timedelta(minutes=61),
    )

    refused = await pre_checkout(alice, stale.id, stale.stars)

    assert (refused.ok, refused.error_message) == (False, EXPIRED)
    # The customer asks again, and may pay the new invoice.
    fresh = await ask_invoice(alice, "10.00 USD")
    accepted = await pre_checkout(alice, fresh.payload, fresh.prices[0].amount)
    assert (accepted.ok, accepted.error_message) == (True, None)


async def test_an_invoice_holds_for_its_lifetime(alice: BotClient, services: Runtime) -> None:
    await alice.send("/start")
    almost = await create_invoice(
        services.db,
        services.topup,
        alice.user.id,
        Decimal(10),
        now=utc_now() - timedelta(minutes=59),
    )
    assert almost.expires_at - almost.created_at == timedelta(minutes=60)
    assert (await pre_checkout(alice, almost.id, almost.stars)).ok


async def test_a_payment_arriving_after_its_invoice_expired_is_credited(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    # Pre-checkout said yes in time; the payment's update comes after the invoice expired.
    invoice = await create_invoice(
        services.db,
        services.topup,
        alice.user.id,
        Decimal(10),
        now=utc_now() - timedelta(minutes=61),
    )

    await pay(alice, invoice.id, invoice.stars, "charge-late")

    assert (alice.screen.last.text or "").startswith("✅ 10.01 USD added to your balance.")
    assert await ledger_rows(services, alice.user.id) == [(LedgerReason.TOPUP, Decimal("10.01"))]
